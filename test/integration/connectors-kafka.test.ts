/**
 * The Kafka + registry connectors against the real servers: Avro through the registry (wire
 * format), idempotent produce, consumer-group source committing offsets only after acks (a
 * consumer killed before ack → re-delivered), nack → redelivery, undecodable records, the DLQ sink
 * with its headers, and a clear error when the schema is not registered.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import type { Admin, Producer } from 'kafkajs'
import { kafka } from '../../connectors/kafka/client.js'
import { registry } from '../../connectors/registry/client.js'
import { RegistryValueCodec, type CodecSchema } from '../../connectors/registry/value-codec.js'
import { KafkaTopicSink } from '../../connectors/kafka/topic-sink.js'
import { KafkaTopicSource } from '../../connectors/kafka/topic-source.js'
import { KafkaDeadLetterSink } from '../../connectors/kafka/dlq-sink.js'
import { DLQ_HEADERS, type SourceBatch, type StreamRecord } from '../../core/stream.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { requireKafka, requireRegistry, settings, unique, waitFor } from './connectors-support.js'

const test = suite('connectors > kafka')
const avsc = JSON.parse(readFileSync(new URL('../../schemas/randomuser_user.avsc', import.meta.url), 'utf8'))
const topic = unique('it_users').replace(/_/g, '-')
const value: CodecSchema = { type: 'AVRO', schema: avsc, subject: `${topic}-value`, path: 'schemas/randomuser_user.avsc' }
const client = kafka(settings, { clientId: 'rtds-it' })
const reg = registry(settings)
const codec = new RegistryValueCodec(reg, settings)
let admin: Admin
let producer: Producer

export function user(i: number, postcode: string | number = 1000 + i): Record<string, unknown> {
  return {
    gender: i % 2 ? 'female' : 'male',
    name: { title: 'Ms', first: `Zoë-${i}`, last: `Ørsted` },
    location: { street: { number: i, name: 'Rue de l’Église' }, city: 'Genève', state: 'GE', country: 'Switzerland', postcode },
    email: `u${i}@example.com`,
    login: { uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, username: `user${i}` },
    dob: { date: '1990-01-02T03:04:05.678Z', age: 35 },
    registered: { date: '2015-06-07T08:09:10.111Z', age: 10 },
    phone: '022-123-45-67', cell: null,
    picture: { large: null, medium: `https://example.com/${i}.jpg`, thumbnail: null },
    nat: 'CH',
  }
}
const rec = (i: number, v: unknown = user(i)): StreamRecord => ({ key: `key-${i}`, value: v, origin: `test index=${i}`, headers: { 'x-test': String(i) } })
const sink = (t = topic, v: CodecSchema | undefined = value) =>
  new KafkaTopicSink({ name: t, topic: t, producer: async () => producer, codec, value: v, settings })
const source = (group: string, o: Partial<ConstructorParameters<typeof KafkaTopicSource>[0]> = {}) =>
  new KafkaTopicSource({
    name: topic, topic, group, stage: 'store', once: true, batchSize: 10, kafka: client, codec, value, settings,
    onUndecodable: async () => assert.unreachable('no undecodable record expected'), drainTimeoutMs: 1000, retryPauseMs: 200, ...o,
  })
const N = 60

test.before(async () => {
  await requireKafka()
  await requireRegistry()
  admin = client.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
  await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(avsc) }, { subject: value.subject })
  producer = client.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  await producer.connect()
})
let t0 = 0
test.before.each(() => { t0 = Date.now() })
test.after.each((ctx) => { if (process.env.RTDS_TEST_TIMING) console.log(`  ${ctx.__test__}: ${Date.now() - t0} ms`) })
test.after(async () => {
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {})
  const base = settings.schemaRegistryUrl.replace(/\/$/, '')
  await fetch(`${base}/subjects/${value.subject}`, { method: 'DELETE' }).catch(() => {})
  await producer.disconnect()
  await admin.disconnect()
})

test('sink: Avro through the registry, acks=all; a value not matching the schema is a per-record failure', async () => {
  const bad = user(999) as Record<string, any>
  delete bad.email
  const records = [...Array.from({ length: N }, (_, i) => rec(i, user(i, i % 2 ? `AB${i} 1XY` : 1000 + i))), rec(999, bad)]
  const failures = await sink().write(records)
  assert.is(failures.length, 1)
  assert.is(failures[0].record.key, 'key-999')
  assert.instance(failures[0].error, RecordError)
  assert.is((failures[0].error as RecordError).reason, 'validation')
  const offsets = await admin.fetchTopicOffsets(topic)
  assert.is(offsets.reduce((s, p) => s + Number(p.high), 0), N, 'exactly the valid records were produced')
})

test('sink: a schema not registered under the subject fails clearly, hinting rtds apply', async () => {
  const other: CodecSchema = { ...value, subject: `${topic}-missing-value` }
  try {
    await sink(topic, other).write([rec(1)])
    assert.unreachable('should fail')
  } catch (err) {
    assert.instance(err, RtdsError)
    assert.not.ok((err as RtdsError).retriable)
    assert.match((err as Error).message, /not registered under subject/)
    assert.match((err as RtdsError).hint ?? '', /rtds apply/)
  }
})

test('source: a source closed after a failed start runs again (the engine restarts it after a retriable error)', async () => {
  const group = unique('g_restart')
  const src = source(group)
  await src.close() // what a failed start leaves behind
  const seen: StreamRecord[] = []
  const run = src.run(async (b) => { seen.push(...b.records); await b.ack() }, new AbortController().signal)
  await Promise.race([run, new Promise((_, reject) => setTimeout(() => reject(new Error('the restarted source consumed nothing within 60 s')), 60_000))])
  assert.is(seen.length, N)
})

test('source: decodes every record, origin/key/headers, commits the end offsets after acks (once)', async () => {
  const group = unique('g_once')
  const seen: StreamRecord[] = []
  await source(group).run(async (b) => { seen.push(...b.records); await b.ack() }, new AbortController().signal)
  assert.is(seen.length, N)
  const byKey = new Map(seen.map((r) => [r.key, r]))
  for (let i = 0; i < N; i++) {
    const r = byKey.get(`key-${i}`)
    assert.ok(r, `key-${i} consumed`)
    const expected = user(i, i % 2 ? `AB${i} 1XY` : 1000 + i)
    assert.equal(r!.value, expected)
    assert.is(r!.headers?.['x-test'], String(i))
    assert.match(r!.origin, new RegExp(`^kafka:${topic}/[0-2]@\\d+$`))
  }
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  const ends = await admin.fetchTopicOffsets(topic)
  for (const p of ends) assert.is(committed.partitions.find((c) => c.partition === p.partition)?.offset, p.high)
})

test('source: a consumer killed before ack leaves the unacked records to be re-delivered', async () => {
  const group = unique('g_kill')
  const acked: StreamRecord[] = []
  const held: SourceBatch[] = []
  const ac = new AbortController()
  const first = source(group, { once: false })
  const running = first.run(async (b) => {
    if (acked.length === 0) { acked.push(...b.records); await b.ack() } else held.push(b)
  }, ac.signal)
  await waitFor(async () => held.length >= 2, 20000, 'a second batch in flight')
  await first.close() // the "kill": never acks what it holds
  ac.abort()
  await running
  for (const b of held) await b.ack() // too late: the consumer is gone, nothing may be committed
  const again: StreamRecord[] = []
  await source(group).run(async (b) => { again.push(...b.records); await b.ack() }, new AbortController().signal)
  const ackedKeys = new Set(acked.map((r) => r.key))
  const againKeys = new Set(again.map((r) => r.key))
  for (const b of held) for (const r of b.records) assert.ok(againKeys.has(r.key), `${r.key} held unacked was re-delivered`)
  for (const k of ackedKeys) assert.not.ok(againKeys.has(k), `${k} acked before the kill is not re-delivered`)
  assert.is(ackedKeys.size + againKeys.size, N)
})

test('source: heartbeats keep the member alive while a batch waits longer than the session timeout', async () => {
  const group = unique('g_slow')
  const deliveries = new Map<string, number>()
  let first = true
  await source(group, { sessionTimeoutMs: 6000 }).run(async (b) => {
    for (const r of b.records) deliveries.set(r.key!, (deliveries.get(r.key!) ?? 0) + 1)
    if (first) {
      first = false
      await new Promise((r) => setTimeout(r, 9000)) // longer than the 6 s session
    }
    await b.ack()
  }, new AbortController().signal)
  assert.is(deliveries.size, N)
  assert.ok([...deliveries.values()].every((n) => n === 1), 'no rebalance, no re-delivery')
})

test('source: two consumers in one group share the partitions; every record is acked once', async () => {
  const t = unique('it_share').replace(/_/g, '-')
  await admin.createTopics({ topics: [{ topic: t, numPartitions: 3 }], waitForLeaders: true })
  const group = unique('g_share')
  const acked: string[][] = [[], []]
  const ac = new AbortController()
  const consume = (i: number) => new KafkaTopicSource({
    name: t, topic: t, group, stage: 'store', once: false, batchSize: 5, kafka: client, codec, value, settings,
    onUndecodable: async () => assert.unreachable('decodable'), drainTimeoutMs: 1000,
  }).run(async (b) => { acked[i].push(...b.records.map((r) => r.key!)); await b.ack() }, ac.signal)
  const running = [consume(0), consume(1)]
  const own = client.producer()
  await own.connect()
  try {
    // both members are in the group and own partitions before the records arrive
    await waitFor(async () => {
      const d = await admin.describeGroups([group])
      return d.groups[0]?.state === 'Stable' && d.groups[0].members.length === 2
    }, 30000, 'a stable group of two members')
    const encoded = await Promise.all(Array.from({ length: N }, (_, i) => codec.encode(value, user(i))))
    await own.send({ topic: t, acks: -1, messages: encoded.map((v, i) => ({ key: `key-${i}`, value: v })) })
    await waitFor(async () => acked[0].length + acked[1].length >= N, 30000, 'every record acked by the group')
  } finally {
    ac.abort()
    await Promise.all(running)
    await own.disconnect()
    await admin.deleteTopics({ topics: [t] }).catch(() => {})
  }
  assert.ok(acked[0].length > 0 && acked[1].length > 0, `both members consumed (${acked[0].length} + ${acked[1].length})`)
  const all = [...acked[0], ...acked[1]]
  assert.is(all.length, N)
  assert.is(new Set(all).size, N, 'no record consumed by both members')
})

test('source: a nacked batch is delivered again after a pause, and nothing is lost', async () => {
  const group = unique('g_nack')
  const ac = new AbortController()
  const deliveries = new Map<string, number>()
  let nacks = 0
  const done = new Set<string>()
  const running = source(group, { once: false }).run(async (b) => {
    for (const r of b.records) deliveries.set(r.key!, (deliveries.get(r.key!) ?? 0) + 1)
    if (nacks === 0) { nacks++; await b.nack(new Error('sink down')); return }
    for (const r of b.records) done.add(r.key!)
    await b.ack()
  }, ac.signal)
  await waitFor(async () => done.size === N, 30000, 'every record acked')
  ac.abort()
  await running
  assert.is(nacks, 1)
  assert.ok([...deliveries.values()].some((n) => n >= 2), 'the nacked batch came back')
})

test('source: the next fetch starts while earlier chunks are unacked (no barrier per fetch); commits follow the low watermark', async () => {
  // 1 partition, 600 plain JSON values of ~4 KB: at most 1 MB per fetch, so several fetches
  const t = `${topic}-nobarrier`
  await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }], waitForLeaders: true })
  const M = 600
  const pad = 'x'.repeat(4000)
  // its own producer: a producer whose metadata names a deleted topic fails every later refresh (kafkajs)
  const own = client.producer({ allowAutoTopicCreation: false })
  await own.connect()
  for (let s = 0; s < M; s += 100)
    await own.send({ topic: t, acks: -1, messages: Array.from({ length: 100 }, (_, k) => ({ key: `k${s + k}`, value: Buffer.from(JSON.stringify({ i: s + k, pad })) })) })
  await own.disconnect()
  const group = unique('g_nobarrier')
  const held: SourceBatch[] = []
  let emitted = 0
  const ac = new AbortController()
  const src = source(group, { name: t, topic: t, value: undefined, once: false, batchSize: 50 })
  const running = src.run(async (b) => { held.push(b); emitted += b.records.length }, ac.signal)
  try {
    // nothing is acked: with a barrier per fetch emission would stop after the first fetch (≤ 1 MB ≈ 250 values)
    await waitFor(async () => emitted === M, 30000, `all ${M} values emitted without any ack (emitted ${emitted})`)
    const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [t] }))[0].partitions[0].offset
    for (const b of held.slice(1).reverse()) await b.ack() // every chunk but the first, newest first
    await new Promise((r) => setTimeout(r, 500))
    assert.is(await committed(), '-1', 'the first chunk is unacked: nothing may be committed')
    await held[0].ack()
    await waitFor(async () => (await committed()) === String(M), 10000, 'the low watermark reaches the end once the first chunk is acked')
  } finally {
    ac.abort()
    await running
    await admin.deleteTopics({ topics: [t] }).catch(() => {})
  }
})

test('source: an undecodable record goes to onUndecodable with its raw bytes and its offset moves', async () => {
  const t = unique('it_raw').replace(/_/g, '-')
  await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }], waitForLeaders: true })
  try {
    const good = await codec.encode(value, user(1))
    // its own producer: a topic deleted under a producer breaks that producer's metadata refreshes
    const own = client.producer()
    await own.connect()
    await own.send({ topic: t, acks: -1, messages: [{ key: 'a', value: good }, { key: 'b', value: Buffer.from('not avro') }, { key: 'c', value: good }] })
    await own.disconnect()
    const raws: { r: StreamRecord; e: Error }[] = []
    const got: string[] = []
    const group = unique('g_raw')
    await new KafkaTopicSource({
      name: t, topic: t, group, stage: 'store', once: true, batchSize: 10, kafka: client, codec, value, settings,
      onUndecodable: async (r, e) => { raws.push({ r, e }) },
    }).run(async (b) => { got.push(...b.records.map((r) => r.key!)); await b.ack() }, new AbortController().signal)
    assert.equal(got, ['a', 'c'])
    assert.is(raws.length, 1)
    assert.ok(Buffer.isBuffer(raws[0].r.value))
    assert.is((raws[0].r.value as Buffer).toString(), 'not avro')
    assert.is(raws[0].r.origin, `kafka:${t}/0@1`)
    assert.instance(raws[0].e, RecordError)
    assert.is((raws[0].e as RecordError).reason, 'decode')
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [t] })
    assert.is(committed.partitions[0].offset, '3')
  } finally {
    await admin.deleteTopics({ topics: [t] }).catch(() => {})
  }
})

test('JSON Schema topics: the registry JSON type round-trips; a value breaking the schema is a per-record failure', async () => {
  const t = unique('it_json').replace(/_/g, '-')
  const schema: CodecSchema = {
    type: 'JSON', subject: `${t}-value`,
    schema: { type: 'object', properties: { id: { type: 'string' }, n: { type: 'integer' } }, required: ['id', 'n'] },
  }
  await admin.createTopics({ topics: [{ topic: t, numPartitions: 1 }], waitForLeaders: true })
  await reg.register({ type: SchemaType.JSON, schema: JSON.stringify(schema.schema) }, { subject: schema.subject })
  const own = client.producer({ idempotent: true, maxInFlightRequests: 1 })
  await own.connect()
  try {
    const s = new KafkaTopicSink({ name: t, topic: t, producer: async () => own, codec, value: schema, settings })
    const failures = await s.write([rec(1, { id: 'a', n: 1 }), rec(2, { id: 'b', n: 'two' })])
    assert.is(failures.length, 1)
    assert.is((failures[0].error as RecordError).reason, 'validation')
    const got: StreamRecord[] = []
    await new KafkaTopicSource({
      name: t, topic: t, group: unique('g_json'), stage: 'store', once: true, batchSize: 10, kafka: client, codec, value: schema, settings,
      onUndecodable: async () => assert.unreachable('decodable'),
    }).run(async (b) => { got.push(...b.records); await b.ack() }, new AbortController().signal)
    assert.equal(got.map((r) => r.value), [{ id: 'a', n: 1 }])
  } finally {
    await own.disconnect()
    await admin.deleteTopics({ topics: [t] }).catch(() => {})
    await fetch(`${settings.schemaRegistryUrl.replace(/\/$/, '')}/subjects/${schema.subject}`, { method: 'DELETE' }).catch(() => {})
  }
})

test('DLQ sink: creates <topic>.dlq with 1 partition, plain JSON value, every header', async () => {
  const dlq = new KafkaDeadLetterSink({ pipeline: 'users', producer: async () => producer, admin: async () => admin, settings })
  const dlqTopic = `${topic}.dlq`
  await dlq.send(dlqTopic, { key: 'k1', value: { name: 'Zoë', postcode: 12 }, origin: `kafka:${topic}/1@7`, headers: { 'x-test': '1' } },
    { stage: 'store', error: new RecordError('transform', 'email is missing') })
  await dlq.send(dlqTopic, { key: 'k2', value: Buffer.from([0, 1, 2, 255]), origin: `kafka:${topic}/0@3` },
    { stage: 'store', error: new RecordError('decode', 'bad magic byte') })
  const meta = await admin.fetchTopicMetadata({ topics: [dlqTopic] })
  assert.is(meta.topics[0].partitions.length, 1)
  const c = client.consumer({ groupId: unique('g_dlq') })
  const msgs: { key: string; value: string; headers: Record<string, string> }[] = []
  await c.connect()
  await c.subscribe({ topics: [dlqTopic], fromBeginning: true })
  await c.run({ eachMessage: async ({ message }) => {
    msgs.push({ key: message.key!.toString(), value: message.value!.toString(), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) })
  } })
  await waitFor(async () => msgs.length >= 2, 20000, 'two dead letters')
  await c.disconnect()
  assert.is(msgs[0].key, 'k1')
  assert.equal(JSON.parse(msgs[0].value), { name: 'Zoë', postcode: 12 })
  const h = msgs[0].headers
  assert.is(h[DLQ_HEADERS.stage], 'store')
  assert.is(h[DLQ_HEADERS.error], 'email is missing')
  assert.is(h[DLQ_HEADERS.reason], 'transform')
  assert.is(h[DLQ_HEADERS.origin], `kafka:${topic}/1@7`)
  assert.is(h[DLQ_HEADERS.pipeline], 'users')
  assert.ok(!Number.isNaN(Date.parse(h[DLQ_HEADERS.at])))
  assert.is(h['x-test'], '1')
  assert.equal(JSON.parse(msgs[1].value), { rawBase64: Buffer.from([0, 1, 2, 255]).toString('base64') })
  assert.is(msgs[1].headers[DLQ_HEADERS.reason], 'decode')
})

test.run()
