/**
 * The Postgres connectors against the real server: staging sink (one transaction per batch,
 * per-record failures), outbox relay source (claim / ack / nack / crash before ack), two
 * concurrent relays never publishing a row twice, and the run history.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type pg from 'pg'
import { pgPool } from '../../connectors/postgres/client.js'
import { stagingTableDdl } from '../../connectors/postgres/ddl.js'
import { PostgresStagingSink } from '../../connectors/postgres/staging-sink.js'
import { PostgresOutboxSource } from '../../connectors/postgres/outbox-source.js'
import { PostgresRunHistory } from '../../connectors/postgres/run-history.js'
import { ConnectionError, RecordError } from '../../core/errors.js'
import type { SourceBatch, StreamRecord } from '../../core/stream.js'
import { requirePostgres, settings, unique, waitFor } from './connectors-support.js'

const test = suite('connectors > postgres')
const schema = unique('it_pg')
let pool: pg.Pool

const rec = (i: number, value: unknown = { n: i, name: `ü-${i}` }): StreamRecord => ({ key: `k${i}`, value, origin: `test index=${i}` })

async function freshTable(): Promise<string> {
  const table = unique('staging')
  for (const ddl of stagingTableDdl(schema, table)) await pool.query(ddl)
  return table
}
const sink = (table: string) => new PostgresStagingSink({ name: table, pool, settings, schema, table })
const source = (table: string, extra: Partial<ConstructorParameters<typeof PostgresOutboxSource>[0]> = {}) =>
  new PostgresOutboxSource({ name: table, pool, settings, schema, table, batchSize: 10, once: true, ...extra })
const rows = async (table: string) =>
  (await pool.query(`SELECT id::int, key, value, origin, published_at, attempts, last_error FROM "${schema}"."${table}" ORDER BY id`)).rows

test.before(async () => {
  await requirePostgres()
  pool = pgPool(settings, { max: 8 })
})
test.after(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
  await pool.end()
})

test('staging sink inserts a batch in one transaction and reports unstorable records', async () => {
  const table = await freshTable()
  const failures = await sink(table).write([rec(1), rec(2, { bad: 'nul\u0000char' }), rec(3, { postcode: 12345 })])
  assert.is(failures.length, 1)
  assert.is(failures[0].record.key, 'k2')
  assert.instance(failures[0].error, RecordError)
  const got = await rows(table)
  assert.equal(got.map((r) => r.key), ['k1', 'k3'])
  assert.equal(got[0].value, { n: 1, name: 'ü-1' })
  assert.equal(got[1].value, { postcode: 12345 })
  assert.is(got[0].origin, 'test index=1')
  assert.ok(got.every((r) => r.published_at === null))
})

test('staging sink: a failing statement commits nothing of the batch', async () => {
  const table = await freshTable()
  const s = new PostgresStagingSink({ name: table, pool, settings, schema, table: `${table}_missing` })
  try {
    await s.write([rec(1)])
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.not.instance(err, ConnectionError)
    assert.match((err as Error).message, /does not exist/)
  }
  await sink(table).write(Array.from({ length: 1200 }, (_, i) => rec(i))) // > one statement
  assert.is((await rows(table)).length, 1200)
})

test('staging sink: a lone UTF-16 surrogate (valid JSON, refused by jsonb) fails only its record, not the commit the other writes joined', async () => {
  const table = await freshTable()
  const s = sink(table)
  const [lone, others] = await Promise.all([
    s.write([rec(1, { name: 'x\ud800y' }), rec(2, { name: 'low \udc00 alone' })]),
    s.write([rec(3, { name: 'paired \ud83d\ude00' }), rec(4, { text: 'a backslash then u0000: \\u0000, and \\ud800' }), rec(5, { name: 'odd run \\\u0000' })]),
  ])
  assert.equal(lone.map((f) => [f.record.key, f.error.message]), [
    ['k1', 'value contains a lone UTF-16 surrogate (\\ud800), which is not Unicode text: Postgres jsonb cannot store it'],
    ['k2', 'value contains a lone UTF-16 surrogate (\\udc00), which is not Unicode text: Postgres jsonb cannot store it'],
  ])
  assert.equal(others.map((f) => [f.record.key, f.error.message]), [['k5', 'value contains a NUL character (\\u0000), which Postgres jsonb cannot store']])
  const got = await rows(table)
  assert.equal(got.map((r) => r.key), ['k3', 'k4'])
  assert.equal(got.map((r) => r.value), [{ name: 'paired \ud83d\ude00' }, { text: 'a backslash then u0000: \\u0000, and \\ud800' }])
})

test('staging sink group commit: writes arriving during a commit join the next one; each resolves only after its COMMIT; caps bound a transaction', async () => {
  const table = await freshTable()
  const s = new PostgresStagingSink({ name: table, pool, settings, schema, table, maxRecords: 50 })
  const commits: { records: number; writes: number; ms: number }[] = []
  s.observe((f) => commits.push(f))
  // 40 writes of 3 records at once (40 API requests): the first commits alone, the rest join
  // the following commits, 50 records (16 writes) at most each
  const visible: number[] = []
  await Promise.all(Array.from({ length: 40 }, async (_, w) => {
    const failures = await s.write([rec(w * 3), rec(w * 3 + 1), rec(w * 3 + 2)])
    assert.is(failures.length, 0)
    // resolved means committed: the rows are readable from another connection
    visible.push(Number((await pool.query(`SELECT count(*) FROM "${schema}"."${table}" WHERE key = ANY($1)`, [[`k${w * 3}`, `k${w * 3 + 2}`]])).rows[0].count))
  }))
  assert.ok(visible.every((v) => v === 2))
  assert.is((await rows(table)).length, 120)
  assert.is(commits.reduce((n, c) => n + c.records, 0), 120)
  assert.is(commits.reduce((n, c) => n + c.writes, 0), 40)
  assert.is(commits[0].writes, 1, 'the first write did not wait for company (no linger)')
  assert.ok(commits.length <= 5 && commits.length >= 3, `grouped into few commits (${commits.length})`)
  for (const c of commits) assert.ok(c.records <= 50, `cap held (${c.records})`)
  // one write's records are staged in order (one multi-row statement per commit); concurrent
  // writes have no order between them: two commits may run at once, and their rows draw ids from
  // the same sequence, so they can interleave
  const got = (await rows(table)).map((r) => r.key)
  for (let w = 0; w < 40; w++) {
    const at = [0, 1, 2].map((i) => got.indexOf(`k${w * 3 + i}`))
    assert.ok(at[0] >= 0 && at[0] < at[1] && at[1] < at[2], `write ${w} staged in order (ids of k${w * 3}..k${w * 3 + 2} at ${at.join(', ')})`)
  }
})

test('staging sink group commit: a failing commit rejects every write that joined it, the next commit is unaffected', async () => {
  const table = await freshTable()
  const bad = new PostgresStagingSink({ name: table, pool, settings, schema, table: `${table}_missing` })
  const outcomes = await Promise.allSettled([bad.write([rec(1)]), bad.write([rec(2)]), bad.write([rec(3)])])
  assert.ok(outcomes.every((o) => o.status === 'rejected'))
  const good = sink(table)
  await Promise.all([good.write([rec(4)]), good.write([rec(5)])])
  assert.equal((await rows(table)).map((r) => r.key).sort(), ['k4', 'k5'])
})

test('relay is woken by staging commits, not by its poll timer: in this process and through NOTIFY from another', async () => {
  const table = await freshTable()
  const relay = source(table, { once: false, pollIntervalMs: 60_000 })
  const stop = new AbortController()
  const seen: { key: string | null; at: number }[] = []
  const running = relay.run(async (b) => {
    for (const r of b.records) seen.push({ key: r.key, at: performance.now() })
    await b.ack()
  }, stop.signal)
  try {
    await new Promise((r) => setTimeout(r, 500)) // the relay found nothing and waits (LISTEN is up)
    let t = performance.now()
    await sink(table).write([rec(1)]) // this process: the sink's commit wakes the relay directly
    await waitFor(async () => seen.length === 1, 5000, 'the relay took the staged row')
    assert.ok(seen[0].at - t < 2000, `woken, not polled (${Math.round(seen[0].at - t)} ms)`)
    await new Promise((r) => setTimeout(r, 300))
    // another process: a plain insert + pg_notify, as another rtds' staging sink commits
    t = performance.now()
    await pool.query(`WITH ins AS (INSERT INTO "${schema}"."${table}" (key, value, origin) VALUES ('k2', '{}', 'other process')) SELECT pg_notify('rtds_staged', $1)`, [`${schema}.${table}`])
    await waitFor(async () => seen.length === 2, 5000, 'the relay took the row staged by another process')
    assert.ok(seen[1].at - t < 2000, `woken by NOTIFY (${Math.round(seen[1].at - t)} ms)`)
    assert.equal(seen.map((s) => s.key), ['k1', 'k2'])
  } finally {
    stop.abort()
    await running
    await relay.close()
  }
})

test('relay: claim, ack marks exactly the claimed rows published; once stops when drained', async () => {
  const table = await freshTable()
  await sink(table).write(Array.from({ length: 25 }, (_, i) => rec(i)))
  const seen: StreamRecord[] = []
  let batches = 0
  await source(table).run(async (b) => {
    batches++
    // while the batch is in flight its rows are locked and unpublished
    const locked = await pool.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE published_at IS NULL`)
    assert.ok(locked.rows[0].n >= b.records.length)
    seen.push(...b.records)
    await b.ack()
  }, new AbortController().signal)
  assert.is(batches, 3)
  assert.equal(seen.map((r) => r.key), Array.from({ length: 25 }, (_, i) => `k${i}`))
  assert.match(seen[0].origin, new RegExp(`^postgres:${schema}\\.${table} id=\\d+$`))
  assert.is(seen[0].headers?.['rtds.upstream'], 'test index=0')
  assert.ok((await rows(table)).every((r) => r.published_at !== null))
})

test('relay --once: rows committed while an empty claim is still on its way back are published, when upstream ended meanwhile', async () => {
  const table = await freshTable()
  // the pool is the real one; only the answer of the first claim is held back until the upstream
  // stage has staged its rows and ended (a claim whose snapshot predates that last commit)
  let release!: () => void
  const held = new Promise<void>((r) => (release = r))
  let claimed!: () => void
  const claimRan = new Promise<void>((r) => (claimed = r))
  let first = true
  const slowPool = {
    query: pool.query.bind(pool),
    connect: async () => {
      const client = await pool.connect()
      return new Proxy(client, {
        get(target, prop) {
          if (prop !== 'query') {
            const v = Reflect.get(target, prop)
            return typeof v === 'function' ? v.bind(target) : v
          }
          return async (text: string, params?: unknown[]) => {
            const res = await target.query(text, params)
            if (first && text.includes('FOR UPDATE SKIP LOCKED')) {
              first = false
              claimed()
              await held
            }
            return res
          }
        },
      })
    },
  } as unknown as pg.Pool
  let upstreamEnded!: () => void
  const upstreamDone = new Promise<void>((r) => (upstreamEnded = r))
  const seen: StreamRecord[] = []
  const running = source(table, { pool: slowPool, upstreamDone }).run(async (b) => {
    seen.push(...b.records)
    await b.ack()
  }, new AbortController().signal)
  await claimRan // the first claim found nothing; its answer is held
  await sink(table).write(Array.from({ length: 5 }, (_, i) => rec(i))) // upstream stages its rows (committed)
  upstreamEnded()
  await new Promise((r) => setTimeout(r, 20))
  release()
  await running
  assert.equal(seen.map((r) => r.key), ['k0', 'k1', 'k2', 'k3', 'k4'], 'the rows staged before upstream ended were published in this run')
  assert.ok((await rows(table)).every((r) => r.published_at !== null))
})

test('relay: nack rolls back, bumps attempts/last_error, and the rows are claimed again later', async () => {
  const table = await freshTable()
  await sink(table).write(Array.from({ length: 5 }, (_, i) => rec(i)))
  let err: unknown
  try {
    await source(table).run(async (b) => b.nack(new Error('broker down')), new AbortController().signal)
  } catch (e) {
    err = e
  }
  assert.instance(err, ConnectionError, 'a once run with nacked rows fails, naming them')
  assert.match((err as Error).message, /5 staged row\(s\).*broker down/)
  let got = await rows(table)
  assert.ok(got.every((r) => r.published_at === null && r.attempts === 1 && r.last_error === 'broker down'))
  const again: string[] = []
  await source(table).run(async (b) => { again.push(...b.records.map((r) => r.key!)); await b.ack() }, new AbortController().signal)
  assert.is(again.length, 5)
  got = await rows(table)
  assert.ok(got.every((r) => r.published_at !== null))
})

test('relay: a relay that dies before ack leaves its rows claimable (close rolls back)', async () => {
  const table = await freshTable()
  await sink(table).write(Array.from({ length: 4 }, (_, i) => rec(i)))
  const first = source(table, { once: false })
  const ac = new AbortController()
  let held: SourceBatch | undefined
  const running = first.run(async (b) => { held = b; ac.abort() }, ac.signal)
  await new Promise((r) => setTimeout(r, 100))
  assert.ok(held)
  // a second relay sees nothing while the first holds the locks
  let during = 0
  await source(table).run(async (b) => { during += b.records.length; await b.nack(new Error('not expected')) }, new AbortController().signal).catch(() => {})
  assert.is(during, 0)
  await first.close()
  await running
  const after: string[] = []
  await source(table).run(async (b) => { after.push(...b.records.map((r) => r.key!)); await b.ack() }, new AbortController().signal)
  assert.equal(after, ['k0', 'k1', 'k2', 'k3'])
})

test('relay: two concurrent relays never publish a row twice', async () => {
  const table = await freshTable()
  const n = 600
  await sink(table).write(Array.from({ length: n }, (_, i) => rec(i)))
  const poolB = pgPool(settings, { max: 4 })
  const delivered: string[][] = [[], []]
  const relay = (p: pg.Pool, into: string[]) =>
    new PostgresOutboxSource({ name: table, pool: p, settings, schema, table, batchSize: 7, once: true }).run(async (b) => {
      into.push(...b.records.map((r) => r.origin))
      await new Promise((r) => setTimeout(r, Math.random() * 5))
      await b.ack()
    }, new AbortController().signal)
  try {
    await Promise.all([relay(pool, delivered[0]), relay(poolB, delivered[1])])
  } finally {
    await poolB.end()
  }
  const all = [...delivered[0], ...delivered[1]]
  assert.is(all.length, n, 'every row delivered exactly once')
  assert.is(new Set(all).size, n, 'no row delivered twice')
  assert.ok(delivered[0].length > 0 && delivered[1].length > 0, `both relays worked (${delivered[0].length}/${delivered[1].length})`)
  const unpublished = await pool.query(`SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE published_at IS NULL`)
  assert.is(unpublished.rows[0].n, 0)
})

test('relay: at most maxInFlight claimed batches wait for their ack (bounded connections)', async () => {
  const table = await freshTable()
  await sink(table).write(Array.from({ length: 50 }, (_, i) => rec(i)))
  const held: SourceBatch[] = []
  const running = source(table, { maxInFlight: 2 }).run(async (b) => { held.push(b) }, new AbortController().signal)
  await new Promise((r) => setTimeout(r, 300))
  assert.is(held.length, 2, 'the relay waits instead of claiming a third batch')
  let acked = 0
  while (acked < held.length || held.length < 5) {
    if (acked < held.length) await held[acked++].ack()
    else await new Promise((r) => setTimeout(r, 20))
  }
  await running
  assert.is(held.length, 5)
  assert.ok((await rows(table)).every((r) => r.published_at !== null))
})

test('run history records a run and its outcome', async () => {
  const history = new PostgresRunHistory(pool, settings)
  const pipeline = unique('pipe')
  const id = await history.start({ pipeline, source: 'randomuser', trigger: 'once' })
  await history.finish(id, { status: 'succeeded', records: 42, deadLettered: 1 })
  const [run] = await history.recent(pipeline)
  assert.is(run.id, id)
  assert.is(run.status, 'succeeded')
  assert.is(run.records, 42)
  assert.is(run.deadLettered, 1)
  assert.ok(run.finishedAt instanceof Date)
  await pool.query(`DELETE FROM rtds.runs WHERE pipeline = $1`, [pipeline])
})

test.run()
