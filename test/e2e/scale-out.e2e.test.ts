/**
 * Scale-out: two `rtds run --once` processes of the same pipeline at the same time share the work —
 * both pull pages, both relays claim outbox rows (row locks: no row published twice), both
 * consumers share the partitions (one consumer group) — and the table ends with every served user
 * exactly once.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import type pg from 'pg'
import { kafka } from '../../connectors/kafka/client.js'
import { settings } from '../integration/connectors-support.js'
import { applyLiveCopy, randomUser, rtds, servePages, type PipelineCopy, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > scale-out')
const N = 6000
let copy: PipelineCopy
let cass: cassandra.Client
let pool: pg.Pool

let live: LiveCopy | undefined
test.before(async () => {
  live = await applyLiveCopy({ results: 250, every: '10ms', batch: 50 })
  ;({ copy, cass, pool } = live)
})
test.after(async () => {
  await live?.close()
})

test('two runners at once: every user stored exactly once, no row published twice', async () => {
  const users = Array.from({ length: N }, (_, i) => randomUser(i, copy.tag))
  const server = await servePages(users)
  let runs
  try {
    const args = ['run', copy.file, '--once', '--run-for', '2s', '--progress', '0', '--json']
    runs = await Promise.all([rtds(args, { RANDOMUSER_URL: server.url }), rtds(args, { RANDOMUSER_URL: server.url })])
  } finally {
    await server.close()
  }
  for (const r of runs) assert.is(r.code, 0, `a runner failed:\n${r.stdout}\n${r.stderr}`)
  // how much two runners pull in their 2 s window depends on the machine: the users served are the set to check
  const served = server.served()
  assert.ok(served >= 1000, `the runners pulled (${served} users served)`)
  users.length = served
  const stage = (r: { stdout: string }, name: string): number => (JSON.parse(r.stdout).pipelines[0].stages[name]?.in ?? 0) as number
  const published = runs.map((r) => stage(r, 'publish'))
  const stored = runs.map((r) => stage(r, 'store'))
  assert.is(published[0] + published[1], served, `the relays published every row once between them (${published.join(' + ')})`)
  assert.ok(stored[0] + stored[1] >= served, `the consumers stored every user (${stored.join(' + ')})`)
  assert.ok(published.every((n) => n > 0), `both relays worked (${published.join(' + ')})`)
  const ids = (await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users`, [], { fetchSize: 20000 })).rows.map((r) => r.id.toString())
  assert.is(ids.length, served)
  assert.equal(new Set(ids), new Set(users.map((u) => u.login.uuid)))
  const s = await pool.query(`SELECT count(*)::int AS staged, count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished FROM "${copy.stagingSchema}".staging_users`)
  assert.equal(s.rows[0], { staged: served, unpublished: 0 })
  const admin = kafka(settings).admin()
  await admin.connect()
  const produced = (await admin.fetchTopicOffsets(copy.topic)).reduce((n, p) => n + Number(p.high), 0)
  await admin.disconnect()
  assert.is(produced, served, 'no duplicate in Kafka either: each row was claimed by exactly one relay')
  console.log(`  scale-out: ${served} users; relays ${published.join(' + ')}, consumers ${stored.join(' + ')}`)
})

test.run()
