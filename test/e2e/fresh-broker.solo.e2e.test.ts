/**
 * "Retriable means retried, at start too" (issue 15): `rtds run --once` starts while Kafka is down;
 * Kafka is started seconds later with the project's service script, so the relay's producer and the
 * consumer stage (a consumer group the broker has never seen) start against a broker that has just
 * come up — connection refused, or the coordinator errors of a loading broker (NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS), depending on timing. The run must retry them with backoff, not
 * give up, and store every served user. (Which error a run meets is up to the broker's timing; the
 * rule itself is pinned deterministically by the stage-runner unit test and the Kafka source
 * integration test.)
 *
 * A `.solo.` test: it stops a shared server, so `test/run.js` runs it after every other file, alone.
 */
import { spawnSync } from 'node:child_process'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../integration/connectors-support.js'
import { applyLiveCopy, randomUser, servePages, services, startRtds, type LiveCopy, type PageServer } from './e2e-support.js'

const test = suite('e2e > fresh broker')
const N = 300
let live: LiveCopy | undefined
let pages: PageServer | undefined

test.before(async () => {
  live = await applyLiveCopy({ results: 50, every: '10ms' })
})
test.after(async () => {
  // whatever happened, leave the servers up for the next test run
  spawnSync(process.execPath, ['services/rtds-services.mjs', 'up'], { stdio: 'ignore' })
  await pages?.close()
  await live?.close()
  setTimeout(() => process.exit(), 5000).unref()
})

test('rtds run --once started before Kafka, with a new consumer group: retried at start, every user stored', async () => {
  const { copy, cass, pool } = live!
  const users = Array.from({ length: N }, (_, i) => randomUser(i, copy.tag))
  pages = await servePages(users)
  services('down', 'kafka')
  const run = startRtds(['run', copy.file, '--once', '--run-for', '2s', '--progress', '0', '--grace', '20s'], { RANDOMUSER_URL: pages.url })
  try {
    // the ingest stage only needs Postgres: wait until the users are staged, then bring Kafka back
    await waitFor(async () => (await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users`)).rows[0].n === N, 60_000, 'every user staged while Kafka is down')
    assert.is(run.child.exitCode, null, `rtds run ended while Kafka was down:\n${run.output()}`)
    const upMs = services('up', 'kafka')
    const result = await Promise.race([run.done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('rtds run --once did not end within 240 s of Kafka starting')), 240_000))])
    assert.is(result.code, 0, `rtds run --once failed after Kafka started:\n${run.output()}`)
    const ids = (await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users`, [], { fetchSize: 5000 })).rows.map((r) => r.id.toString())
    assert.equal(new Set(ids), new Set(users.map((u) => u.login.uuid)), 'exactly the served users are stored')
    assert.is(ids.length, N)
    const retriedAtStart = run.output().split('\n').filter((l) => / at start: /.test(l)).length
    console.log(`  fresh broker: Kafka up in ${upMs} ms; ${N} users stored; ${retriedAtStart} input start(s) retried`)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- rtds run output ---\n${run.output().slice(-6000)}`)
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL')
  }
})

test.run()
