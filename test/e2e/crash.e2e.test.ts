/**
 * The kill -9 test: `rtds run --once` over a large served set is SIGKILLed mid-stream — once while
 * the outbox relay is publishing, once while the consumer is writing Cassandra — and restarted.
 * Afterwards the table holds every served user exactly once (count + ids), every staged row is
 * published, and nothing was staged twice. Kafka may hold duplicates (a row produced but not yet
 * marked published is produced again): the deterministic key makes them harmless upserts.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import type pg from 'pg'
import { kafka } from '../../connectors/kafka/client.js'
import { settings } from '../integration/connectors-support.js'
import { applyLiveCopy, randomUser, rtds, servePages, startRtds, type PageServer, type PipelineCopy, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > crash')
const N = Number(process.env.RTDS_CRASH_USERS ?? 10000)
let copy: PipelineCopy
let cass: cassandra.Client
let pool: pg.Pool
let server: PageServer | undefined

interface Progress { staged: number; published: number; stored: number }

/** Staging counts (cheap) and, when `withStored`, the Cassandra row count (a scan: only when needed). */
async function progress(withStored: boolean): Promise<Progress> {
  const s = await pool.query(`SELECT count(*)::int AS staged, count(published_at)::int AS published FROM "${copy.stagingSchema}".staging_users`)
  const stored = withStored ? Number((await cass.execute(`SELECT count(*) AS n FROM "${copy.keyspace}".created_users`)).rows[0].n) : -1
  return { staged: s.rows[0].staged, published: s.rows[0].published, stored }
}

/**
 * Starts `rtds run --once` and SIGKILLs it as soon as `when(progress)` holds. Returns the progress
 * at the kill, or undefined when the run finished before the condition was seen.
 */
async function runAndKill(when: (p: Progress) => boolean, withStored: boolean, what: string): Promise<Progress | undefined> {
  const run = startRtds(['run', copy.file, '--once', '--run-for', '10s', '--progress', '0'], { RANDOMUSER_URL: server!.url })
  let exited = false
  void run.done.then(() => (exited = true))
  for (;;) {
    await new Promise((r) => setTimeout(r, 40))
    if (exited) {
      const r = await run.done
      assert.is(r.code, 0, `the run to be killed ${what} failed:\n${r.stdout}\n${r.stderr}`)
      return undefined
    }
    const p = await progress(withStored)
    if (when(p)) {
      run.child.kill('SIGKILL')
      const r = await run.done
      assert.is(r.signal, 'SIGKILL')
      return p
    }
  }
}

let live: LiveCopy | undefined
test.before(async () => {
  live = await applyLiveCopy({ results: 2000, every: '10ms' }) // N users in a few pages, well inside the runFor window
  // (10 s: with every stage running at once in --once, the pulls share the CPU with the relay and the consumer)
  ;({ copy, cass, pool } = live)
})
test.after(async () => {
  await server?.close()
  await live?.close()
})

test(`SIGKILL mid-relay and mid-consume, restart: all users stored exactly once, outbox drained`, async () => {
  const users: Record<string, any>[] = []
  /** Serves a fresh set of N users (a new page server); a kill attempt that came too late serves another set. */
  const serveMore = async (): Promise<void> => {
    await server?.close()
    const more = Array.from({ length: N }, (_, i) => randomUser(users.length + i, copy.tag))
    users.push(...more)
    server = await servePages(more)
  }
  const kills: string[] = []
  // 1. kill while the relay publishes (everything staged, part of it published)
  for (let attempt = 0; attempt < 3 && kills.length === 0; attempt++) {
    await serveMore()
    const total = users.length
    const k = await runAndKill((p) => p.staged === total && p.published >= total - N + N / 10 && p.published < total, false, 'mid-relay')
    assert.is(server!.served(), N, 'every user of the set was served')
    if (k) kills.push(`relay at ${k.published}/${total} published`)
  }
  // 2. kill while the consumer writes Cassandra
  for (let attempt = 0; attempt < 3 && kills.length < 2; attempt++) {
    if (attempt > 0) await serveMore()
    const total = users.length
    const k = await runAndKill((p) => p.published === total && p.stored >= total - N + N / 10 && p.stored < total, true, 'mid-consume')
    if (k) kills.push(`consumer at ${k.stored}/${total} stored`)
  }
  assert.is(kills.length, 2, `a run was killed mid-relay and one mid-consume (${kills.join(', ') || 'none'})`)
  // 3. restart and let it finish
  const final = await rtds(['run', copy.file, '--once', '--run-for', '0', '--progress', '0'], { RANDOMUSER_URL: server!.url })
  assert.is(final.code, 0, `the restarted run failed:\n${final.stdout}\n${final.stderr}`)
  const n = users.length

  const ids = (await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users`, [], { fetchSize: 20000 })).rows.map((r) => r.id.toString())
  assert.is(ids.length, n, 'row count')
  assert.equal(new Set(ids), new Set(users.map((u) => u.login.uuid)), 'exactly the served ids')
  const s = await pool.query(`SELECT count(*)::int AS staged, count(DISTINCT key)::int AS keys, count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished FROM "${copy.stagingSchema}".staging_users`)
  assert.equal(s.rows[0], { staged: n, keys: n, unpublished: 0 })
  const admin = kafka(settings).admin()
  await admin.connect()
  const produced = (await admin.fetchTopicOffsets(copy.topic)).reduce((n, p) => n + Number(p.high), 0)
  await admin.disconnect()
  assert.ok(produced >= n, 'every user reached Kafka at least once')
  console.log(`  crash test: ${n} users; killed ${kills.join(', then ')}; ${produced - n} duplicate(s) in Kafka, none in the table`)
})

test.run()
