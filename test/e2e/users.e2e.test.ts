/**
 * pipelines/users.yaml end to end against the real servers: a local randomuser.me serves pages
 * (numeric and string postcodes, non-ASCII names, one user without its required email), `rtds
 * apply` creates a unique copy's resources, `rtds run --once` moves every user through Postgres
 * staging → Kafka (Avro via the registry) → JSONata → Cassandra. Every Cassandra row is checked
 * field by field against the expected transform, the DLQ record with its headers, the staging rows
 * all published. Then the ingestion API of the same pipeline: 202 → the row appears; 400/415 →
 * nothing is written; SIGTERM → exit 0.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import type pg from 'pg'
import { kafka } from '../../connectors/kafka/client.js'
import { DLQ_HEADERS } from '../../core/stream.js'
import { settings, waitFor } from '../integration/connectors-support.js'
import { applyLiveCopy, expectedRow, randomUser, rtds, servePages, startRtds, type PipelineCopy, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > users')
let copy: PipelineCopy
let cass: cassandra.Client
let pool: pg.Pool

const rowsOf = async (where = '', params: unknown[] = []): Promise<Record<string, string>[]> =>
  (await cass.execute(`SELECT * FROM "${copy.keyspace}".created_users ${where}`, params, { prepare: true })).rows.map((r) =>
    Object.fromEntries(r.keys().map((k) => [k, k === 'id' ? r.get(k).toString() : r.get(k)])),
  )

let live: LiveCopy | undefined
test.before(async () => {
  live = await applyLiveCopy({ every: '50ms' })
  ;({ copy, cass, pool } = live)
})
test.after(async () => {
  await live?.close()
})

test('rtds run --once stores exactly the served users, field by field; the broken one is dead-lettered', async () => {
  const users = Array.from({ length: 47 }, (_, i) => randomUser(i, copy.tag))
  const broken = users[13]
  delete broken.email // required by the topic schema (as in the reference Spark schema)
  // a message that is not in the wire format, already in the topic: the consumer must dead-letter it and move on
  const garbage = kafka(settings).producer()
  await garbage.connect()
  await garbage.send({ topic: copy.topic, acks: -1, messages: [{ key: 'garbage', value: Buffer.from([0x7b, 0xff, 0x00, 0x01]) }] })
  await garbage.disconnect()
  const server = await servePages(users)
  let run
  try {
    run = await rtds(['run', copy.file, '--once', '--run-for', '2s', '--progress', '0'], { RANDOMUSER_URL: server.url })
  } finally {
    await server.close()
  }
  assert.is(run.code, 0, `rtds run failed:\n${run.stdout}\n${run.stderr}`)
  assert.is(server.served(), 47, 'the page server handed out every user')

  // Cassandra: every valid user, exactly, every field
  const good = users.filter((u) => u !== broken)
  const rows = await rowsOf()
  assert.is(rows.length, good.length)
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const u of good) {
    const row = byId.get(u.login.uuid)
    assert.ok(row, `row for ${u.login.uuid} (${u.name.first})`)
    assert.equal(row, expectedRow(u), `row of ${u.name.first} ${u.name.last}`)
  }
  assert.not.ok(byId.has(broken.login.uuid), 'the user without email is not in the table')
  assert.ok(rows.some((r) => /^\d+$/.test(r.post_code)) && rows.some((r) => /GE-/.test(r.post_code)), 'numeric and string postcodes both stored as text')

  // DLQ: exactly the broken user, with its headers
  const dlqTopic = `${copy.topic}.dlq`
  const admin = kafka(settings).admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(dlqTopic)
  await admin.disconnect()
  assert.is(ends.reduce((s, p) => s + Number(p.high), 0), 2, 'two dead letters: the invalid user and the garbage message')
  const consumer = kafka(settings).consumer({ groupId: `e2e-dlq-${copy.tag}` })
  const dead: { value: any; headers: Record<string, string> }[] = []
  await consumer.connect()
  await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => {
    dead.push({ value: JSON.parse(message.value!.toString()), headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) })
  } })
  await waitFor(async () => dead.length > 1, 20000, 'the dead letters')
  await consumer.disconnect()
  const d = dead.find((x) => x.headers[DLQ_HEADERS.stage] === 'ingest')!
  const g = dead.find((x) => x.headers[DLQ_HEADERS.stage] === 'store')!
  assert.ok(d && g, 'one dead letter from ingest, one from store')
  assert.equal(g.value, { rawBase64: Buffer.from([0x7b, 0xff, 0x00, 0x01]).toString('base64') })
  assert.is(g.headers[DLQ_HEADERS.reason], 'decode')
  assert.match(g.headers[DLQ_HEADERS.origin], new RegExp(`^kafka:${copy.topic}/\\d@0$`))
  // users.yaml's redact: list masks randomuser's login secrets in dead letters
  assert.equal(d.value, { ...broken, login: { ...broken.login, password: '***' } })
  assert.is(d.headers[DLQ_HEADERS.stage], 'ingest')
  assert.is(d.headers[DLQ_HEADERS.reason], 'validation')
  assert.match(d.headers[DLQ_HEADERS.error], /email/)
  assert.match(d.headers[DLQ_HEADERS.origin], /^http:randomuser page=\d+ index=\d+$/)
  assert.is(d.headers[DLQ_HEADERS.pipeline], copy.pipeline)
  assert.ok(!Number.isNaN(Date.parse(d.headers[DLQ_HEADERS.at])))

  // staging: every valid user staged once, all published
  const staged = await pool.query(`SELECT key, published_at FROM "${copy.stagingSchema}".staging_users`)
  assert.is(staged.rowCount, good.length)
  assert.ok(staged.rows.every((r) => r.published_at !== null), 'no unpublished row left')
  assert.equal(new Set(staged.rows.map((r) => r.key)), new Set(good.map((u) => u.login.uuid)))

  // run history
  const runs = await pool.query(`SELECT source, trigger, status, records, dead_lettered FROM rtds.runs WHERE pipeline = $1`, [copy.pipeline])
  assert.is(runs.rowCount, 1)
  assert.equal(runs.rows[0], { source: 'randomuser', trigger: 'once', status: 'succeeded', records: 47, dead_lettered: 1 })
})

test('the ingestion API: 202 → the row appears in Cassandra; 400 and 415 → nothing written; SIGTERM → exit 0', async () => {
  const empty = await servePages([])
  const runner = startRtds(['run', copy.file, '--progress', '0', '--grace', '10s'], { RANDOMUSER_URL: empty.url })
  const api = `http://127.0.0.1:${copy.apiPort}/api/data`
  try {
    const good = randomUser(5000, copy.tag)
    const post = (body: unknown, type = 'application/json') =>
      fetch(api, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) })
    const first = await waitFor(async () => post(good).catch(() => undefined), 60000, `the API on ${api} (output: ${runner.output()})`)
    assert.is(first.status, 202, await first.text())
    // staged before the 202: the row is in the outbox already
    const staged = await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users WHERE key = $1`, [good.login.uuid])
    assert.is(staged.rows[0].n, 1, 'committed to staging before 202')
    const rows = await waitFor(async () => {
      const r = await rowsOf('WHERE id = ?', [good.login.uuid])
      return r.length ? r : undefined
    }, 30000, 'the posted user in Cassandra')
    assert.equal(rows[0], expectedRow(good))

    const bad = randomUser(5001, copy.tag)
    delete bad.email
    bad.location.postcode = { not: 'a postcode' }
    const rejected = await post([randomUser(5002, copy.tag), bad])
    assert.is(rejected.status, 400)
    const body = await rejected.text()
    assert.match(body, /email/)
    assert.match(body, /postcode/)
    assert.is((await post('{"gender":', 'application/json')).status, 400)
    assert.is((await post('gender=male', 'application/x-www-form-urlencoded')).status, 415)
    await new Promise((r) => setTimeout(r, 2000))
    for (const u of [bad, randomUser(5002, copy.tag)]) {
      assert.is((await rowsOf('WHERE id = ?', [u.login.uuid])).length, 0, `${u.login.uuid} not written to Cassandra`)
      const s = await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users WHERE key = $1`, [u.login.uuid])
      assert.is(s.rows[0].n, 0, `${u.login.uuid} not staged (a request is all or nothing)`)
    }
  } finally {
    runner.child.kill('SIGTERM')
    const done = await runner.done
    await empty.close()
    assert.is(done.code, 0, `rtds run did not stop cleanly on SIGTERM:\n${done.stdout}\n${done.stderr}`)
  }
})

test.run()
