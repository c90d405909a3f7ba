import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { TopicSpec } from '../../dsl/spec.js'
import type { CassandraTableSpec } from '../cassandra/spec.js'
import type { PostgresTableSpec } from '../postgres/spec.js'
import { ConnectionError, RecordError } from '../../core/errors.js'
import { generateUser } from '../generate/randomuser-generate.js'
import { DLQ_HEADERS, type SourceBatch } from '../../core/stream.js'
import { MemoryBackend } from './memory-backend.js'
import { murmur2, partitionOf } from './murmur2.js'

const pos = { file: 'x', line: 1, col: 1 }
const userSchema = JSON.parse(readFileSync('schemas/randomuser_user.avsc', 'utf8'))
const topicSpec: TopicSpec = { name: 'users_created', pos, partitions: 3, replicationFactor: 1, key: 'login.uuid', config: {}, value: { file: 'x', path: 'x', type: 'AVRO', schema: userSchema, subject: 'users_created-value' } }
const stagingSpec: PostgresTableSpec = { kind: 'postgres', name: 'staging_users', pos, postgres: { schema: 'rtds', table: 'staging_users' } }
const tableSpec: CassandraTableSpec = { kind: 'cassandra', name: 'created_users', pos, cassandra: { keyspace: 'k', table: 'created_users', replication: {}, primaryKey: ['id'], clusteringKey: [], columns: { id: 'uuid', v: 'text' } } }
const users = Array.from({ length: 30 }, (_, i) => generateUser(21, i) as any)
const rec = (u: any) => ({ key: u.login.uuid as string, value: u, origin: 'test' })

/** Collects the batches of a source run until it ends (once). */
async function collect(run: (emit: (b: SourceBatch) => Promise<void>, s: AbortSignal) => Promise<void>, settle: (b: SourceBatch, i: number) => Promise<void>) {
  const batches: SourceBatch[] = []
  await run(async (b) => { batches.push(b); await settle(b, batches.length - 1) }, new AbortController().signal)
  return batches
}

const test = suite('connectors > memory')

test('murmur2 matches Kafka (Java client test vectors) and keys stick to partitions', () => {
  // from org.apache.kafka.common.utils.UtilsTest#testMurmur2
  assert.is(murmur2(Buffer.from('21')), -973932308)
  assert.is(murmur2(Buffer.from('foobar')), -790332482)
  assert.is(murmur2(Buffer.from('a-little-bit-long-string')), -985981536)
  assert.is(murmur2(Buffer.from('a-little-bit-longer-string')), -1486304829)
  assert.is(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')), -58897971)
  assert.is(murmur2(Buffer.from([97, 98, 99])), 479470107)
  const b = new MemoryBackend({ pipeline: 'p' })
  const t = b.topic(topicSpec)
  for (const u of users) assert.is(t.append(u.login.uuid, Buffer.from('x')).partition, partitionOf(u.login.uuid, 3))
  assert.ok(t.logs.every((l) => l.length > 0), 'keys spread over the partitions')
})

test('topic sink encodes with the Avro schema (bad values are per-record failures); the source decodes', async () => {
  const b = new MemoryBackend({ pipeline: 'p' })
  const bad = { ...users[0], email: 42 }
  const failures = await b.topicSink(topicSpec).write([...users.slice(0, 5).map(rec), { key: 'x', value: bad, origin: 'o' }])
  assert.is(failures.length, 1)
  assert.instance(failures[0].error, RecordError)
  assert.match(failures[0].error.message, 'email: expected string, got number')
  const src = b.topicSource(topicSpec, { group: 'g', stage: 's', once: true, batchSize: 100, onUndecodable: async () => {} })
  const batches = await collect((e, s) => src.run(e, s), (bt) => bt.ack())
  const got = batches.flatMap((bt) => bt.records)
  assert.is(got.length, 5)
  for (const r of got) {
    assert.match(r.origin, /^kafka:users_created\/\d@\d+$/)
    assert.is((r.value as any).login.uuid, r.key)
    assert.is((r.value as any).id, undefined, 'fields outside the schema are dropped by Avro')
  }
})

test('consumer group: offsets commit over the contiguous acked prefix only, nacked batches are read again', async () => {
  const b = new MemoryBackend({ pipeline: 'p' })
  const t = b.topic({ ...topicSpec, partitions: 1 })
  await b.topicSink({ ...topicSpec, partitions: 1 }).write(users.slice(0, 9).map(rec))
  const held: SourceBatch[] = []
  const ac = new AbortController()
  const src = b.topicSource({ ...topicSpec, partitions: 1 }, { group: 'g', stage: 's', once: false, batchSize: 3, onUndecodable: async () => {} })
  const seen: string[] = []
  const running = src.run(async (bt) => { held.push(bt); seen.push(bt.records[0].origin) }, ac.signal)
  await new Promise((r) => setTimeout(r, 20))
  assert.is(held.length, 3)
  await held[2].ack()
  assert.equal(t.committedOffsets('g'), [0], 'batch 3 acked alone: nothing committed')
  await held[0].ack()
  assert.equal(t.committedOffsets('g'), [3])
  await held[1].nack(new ConnectionError('down'))
  await new Promise((r) => setTimeout(r, 300))
  assert.is(held.length, 5, 'the nacked batch (and the one after it) are delivered again')
  assert.is(held[3].records[0].origin, 'kafka:users_created/0@3')
  await held[3].ack()
  await held[4].ack()
  assert.equal(t.committedOffsets('g'), [9])
  ac.abort()
  await running
  assert.equal(b.topic({ ...topicSpec, partitions: 1 }).committedOffsets('other'), [0], 'groups are independent')
})

test('undecodable records go to onUndecodable and count as done once it resolved', async () => {
  const b = new MemoryBackend({ pipeline: 'p' })
  const t = b.topic({ ...topicSpec, partitions: 1 })
  t.append('bad', Buffer.from([1, 2, 3]))
  t.append(users[0].login.uuid, t.codec.encode(users[0]))
  const undecodable: string[] = []
  const src = b.topicSource({ ...topicSpec, partitions: 1 }, { group: 'g', stage: 's', once: true, batchSize: 10, onUndecodable: async (raw) => { undecodable.push(raw.origin) } })
  const batches = await collect((e, s) => src.run(e, s), (bt) => bt.ack())
  assert.equal(undecodable, ['kafka:users_created/0@0'])
  assert.is(batches[0].records.length, 1)
  assert.equal(t.committedOffsets('g'), [2])
})

test('staging outbox: claim locks rows, ack publishes, nack releases (left for the next run in once mode)', async () => {
  const b = new MemoryBackend({ pipeline: 'p' })
  await b.stagingSink(stagingSpec).write(users.slice(0, 10).map(rec))
  const table = b.staging.get('staging_users')!
  const src = b.stagingSource(stagingSpec, { once: true, batchSize: 4 })
  const err = await collect((e, s) => src.run(e, s), async (bt, i) => {
    assert.ok(table.rows.filter((r) => r.locked).length >= bt.records.length, 'claimed rows are locked')
    if (i === 1) await bt.nack(new ConnectionError('broker down'))
    else await bt.ack()
  }).catch((e) => e)
  assert.instance(err, ConnectionError)
  assert.is(table.unpublished().length, 4)
  assert.ok(table.rows.every((r) => !r.locked))
  const again = await collect((e, s) => b.stagingSource(stagingSpec, { once: true, batchSize: 100 }).run(e, s), (bt) => bt.ack())
  assert.is(again[0].records.length, 4)
  assert.match(again[0].records[0].origin, /^postgres:rtds\.staging_users id=5$/)
  assert.is(table.unpublished().length, 0)
})

test('table sink upserts by primary key; DLQ keeps headers; fault hook delays and fails writes', async () => {
  let fail = 1
  const b = new MemoryBackend({ pipeline: 'users', faults: (w) => { if (w.kind === 'table' && fail-- > 0) throw new ConnectionError('cassandra down') } })
  const sink = b.tableSink(tableSpec)
  const row = { key: null, value: { id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427', v: 'a' }, origin: 'o' }
  assert.instance(await sink.write([row]).catch((e) => e), ConnectionError)
  await sink.write([row])
  await sink.write([{ ...row, value: { ...row.value, v: 'b' } }])
  const failures = await sink.write([{ ...row, value: { v: 'no id' } }])
  assert.is(failures.length, 1)
  const t = b.tables.get('created_users')!
  assert.is(t.rows.size, 1)
  assert.is([...t.rows.values()][0].v, 'b')
  await b.deadLetters().send('users_created.dlq', { key: 'k', value: { a: 1 }, origin: 'kafka:users_created/1@7' }, { stage: 'store', error: new RecordError('transform', 'boom') })
  const h = b.dlq.get('users_created.dlq')![0].headers
  assert.equal([h[DLQ_HEADERS.stage], h[DLQ_HEADERS.error], h[DLQ_HEADERS.reason], h[DLQ_HEADERS.origin], h[DLQ_HEADERS.pipeline]], ['store', 'boom', 'transform', 'kafka:users_created/1@7', 'users'])
  assert.ok(!isNaN(Date.parse(h[DLQ_HEADERS.at])))
})

test.run()
