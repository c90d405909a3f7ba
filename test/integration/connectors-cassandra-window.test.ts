/**
 * The consumer stage's low-watermark rule against real Kafka and Cassandra: a topic → Cassandra
 * stage is pipelined (the sink's sliding window of prepared writes), so writes complete out of
 * order; one write is held inside the window while every later one is acknowledged. The group's
 * committed offset must stay at the first unacknowledged record (never past it); after a crash
 * mid-window (the consumer dies, the held write never happens) a fresh consumer of the same group
 * re-reads from there and every row is stored: nothing lost.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import cassandra from 'cassandra-driver'
import type { Admin, Producer } from 'kafkajs'
import { kafka } from '../../connectors/kafka/client.js'
import { KafkaTopicSource } from '../../connectors/kafka/topic-source.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { CassandraTableSink } from '../../connectors/cassandra/table-sink.js'
import { RegistryValueCodec } from '../../connectors/registry/value-codec.js'
import { registry } from '../../connectors/registry/client.js'
import { newStageStats, runStage } from '../../runner/engine/stage-runner.js'
import { EventBus } from '../../core/events.js'
import type { DeadLetterSink, StreamRecord } from '../../core/stream.js'
import type { StageSpec } from '../../dsl/spec.js'
import { requireCassandra, requireKafka, settings, unique, waitFor } from './connectors-support.js'

const test = suite('connectors > cassandra > window')
const topic = unique('it_window').replace(/_/g, '-')
const group = unique('it_window_group')
const keyspace = unique('it_window')
const N = 200
const HELD = 35 // the write held inside the window (offset 35 of partition 0)
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
const client = kafka(settings, { clientId: 'rtds-it-window' })
const codec = new RegistryValueCodec(registry(settings), settings)
let admin: Admin
let producer: Producer
let cass: cassandra.Client

const stage: StageSpec = { name: 'store', pos: { file: 't.yaml', line: 1, col: 1 }, from: [topic], to: ['users'], parallelism: 2, batch: { size: 10, timeout: 0 } }
const dead: StreamRecord[] = []
const dlq: DeadLetterSink = { async send(_t, record) { dead.push(record) }, async close() {} }

const source = (once: boolean) => new KafkaTopicSource({
  name: topic, topic, group, stage: 'store', once, batchSize: 10, kafka: client, codec, settings,
  onUndecodable: async () => assert.unreachable('no undecodable record expected'), drainTimeoutMs: 1000, retryPauseMs: 200,
})
const sink = (c: cassandra.Client) => new CassandraTableSink({
  name: 'users', client: c, keyspace, table: 'users', columns: { id: 'uuid', first_name: 'text' }, keyColumns: ['id'], settings, concurrency: 64,
})
const committed = async (): Promise<number> => {
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  return Number(t?.partitions.find((p) => p.partition === 0)?.offset ?? -1)
}
const rowCount = async (): Promise<number> => Number((await cass.execute(`SELECT count(*) FROM "${keyspace}".users`)).rows[0].count)
const hasRow = async (i: number): Promise<boolean> => (await cass.execute(`SELECT id FROM "${keyspace}".users WHERE id = ?`, [uuid(i)], { prepare: true })).rows.length === 1

test.before(async () => {
  await requireKafka()
  await requireCassandra()
  admin = client.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })
  producer = client.producer({ idempotent: true })
  await producer.connect()
  await producer.send({ topic, acks: -1, messages: Array.from({ length: N }, (_, i) => ({ key: uuid(i), value: JSON.stringify({ id: uuid(i), first_name: `user ${i}` }) })) })
  cass = cassandraClient(settings)
  await cass.execute(`CREATE KEYSPACE "${keyspace}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
  await cass.execute(`CREATE TABLE "${keyspace}".users (id uuid PRIMARY KEY, first_name text)`)
})
test.after(async () => {
  await producer?.disconnect().catch(() => {})
  await admin?.deleteTopics({ topics: [topic] }).catch(() => {})
  await admin?.deleteGroups([group]).catch(() => {})
  await admin?.disconnect().catch(() => {})
  await cass?.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`).catch(() => {})
  await cass?.shutdown().catch(() => {})
})

test('out-of-order acks commit only the low watermark; a crash mid-window loses nothing', async () => {
  // the real client, with the write of record HELD held back inside the window until the "crash"
  let crash!: (err: Error) => void
  const held = new Promise<never>((_, reject) => (crash = reject))
  held.catch(() => {})
  const gated = new Proxy(cass, {
    get(target, prop, receiver) {
      if (prop !== 'execute') return Reflect.get(target, prop, receiver)
      return (cql: string, params: unknown[], options: cassandra.QueryOptions) =>
        String(params?.[0]) === uuid(HELD) ? held : target.execute(cql, params as cassandra.ArrayOrObject, options)
    },
  })
  const stop = new AbortController(), kill = new AbortController()
  const first = source(false)
  const stats = newStageStats()
  const running = runStage({
    stage, inputs: [first], sinks: [sink(gated)], prepare: async (r) => ({ outputs: [r] }),
    dlq, dlqTopic: `${topic}.dlq`, stats, stop: stop.signal, kill: kill.signal, events: new EventBus(), restartInputs: false,
  })

  // every write after the held one completes (no barrier behind it) ...
  await waitFor(async () => (await rowCount()) === N - 1, 60_000, `${N - 1} rows written around the held write`)
  assert.not.ok(await hasRow(HELD))
  // ... and is acked, yet the committed offset stops in front of the held record's group
  await waitFor(async () => (await committed()) === 30, 20_000, 'offset 30 committed (the groups before the held one)')
  await new Promise((r) => setTimeout(r, 1500))
  assert.is(await committed(), 30, 'never committed past an unacknowledged write')
  assert.ok(stats.inFlightHighWater > 10, `several groups were in flight at once (${stats.inFlightHighWater})`)

  // crash mid-window: the consumer dies, the held write never happens
  await first.close()
  crash(new Error('process killed'))
  kill.abort()
  stop.abort()
  await running
  assert.is(await committed(), 30, 'the late failure commits nothing either')
  assert.not.ok(await hasRow(HELD))

  // a fresh consumer of the same group re-reads from the low watermark: every row lands
  const again = newStageStats()
  await runStage({
    stage, inputs: [source(true)], sinks: [sink(cass)], prepare: async (r) => ({ outputs: [r] }),
    dlq, dlqTopic: `${topic}.dlq`, stats: again, stop: new AbortController().signal, kill: new AbortController().signal, events: new EventBus(),
  })
  assert.equal(again.errors, [])
  assert.is(again.in, N - 30, 'redelivered exactly from the committed offset')
  assert.ok(await hasRow(HELD))
  assert.is(await rowCount(), N)
  assert.is(await committed(), N)
  assert.is(dead.length, 0)
})

test.run()
