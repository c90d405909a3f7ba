/**
 * Outages of real servers during a streaming `rtds run` (DESIGN §5): Cassandra, then Kafka, are
 * stopped with the project's own service script while users are POSTed to the ingestion API. The
 * API keeps answering 202 (records are committed to the Postgres outbox first), the stages retry
 * with backoff instead of crashing, and once each server is back every user is in the table, the
 * outbox is drained, and SIGTERM still ends the run with exit 0.
 *
 * A `.solo.` test: it stops shared servers, so `test/run.js` runs it after every other file, alone.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../integration/connectors-support.js'
import { randomUser, services, startRtds, soloLiveCopy } from './e2e-support.js'

const test = suite('e2e > outage')
const live = soloLiveCopy(test)

test('Cassandra down, then Kafka down: the API keeps accepting, nothing is lost, the run recovers', async () => {
  const { copy, cass, pool } = live()
  const run = startRtds(['run', copy.file, '--progress', '0', '--grace', '20s'])
  const api = `http://127.0.0.1:${copy.apiPort}`
  try {
    await waitFor(() => fetch(`${api}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false), 30_000, 'the ingestion API')
    let n = 0
    const post = async (): Promise<string> => {
      const user = randomUser(n++, copy.tag)
      const res = await fetch(`${api}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user), signal: AbortSignal.timeout(30_000) })
      assert.is(res.status, 202, `POST answered ${res.status}: ${await res.text()}`)
      return user.login.uuid as string
    }
    const stored = async (ids: readonly string[]): Promise<boolean> => {
      const rs = await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users WHERE id IN ?`, [ids], { prepare: true }).catch(() => undefined)
      return rs?.rowLength === ids.length
    }

    const ids = [await post()]
    await waitFor(() => stored(ids), 30_000, 'the first user in Cassandra')

    services('down', 'cassandra')
    for (let i = 0; i < 3; i++) ids.push(await post())
    await waitFor(async () => /Cassandra at .* is unavailable .* retry \d+ in \d+ ms, consumption paused/.test(run.output()), 60_000, 'the store stage to report Cassandra down and retry')
    assert.is(run.child.exitCode, null, `rtds run ended while Cassandra was down:\n${run.output()}`)
    services('up', 'cassandra')
    await waitFor(() => stored(ids), 90_000, 'the users posted during the Cassandra outage')

    services('down', 'kafka')
    for (let i = 0; i < 3; i++) ids.push(await post())
    await waitFor(async () => /Kafka at .* is unavailable/.test(run.output()), 90_000, 'the relay to report Kafka down and retry')
    assert.is(run.child.exitCode, null, `rtds run ended while Kafka was down:\n${run.output()}`)
    services('up', 'kafka')
    await waitFor(() => stored(ids), 150_000, 'the users posted during the Kafka outage')

    const unpublished = await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users WHERE published_at IS NULL`)
    assert.is(unpublished.rows[0].n, 0, 'rows left unpublished in the outbox')
    const staged = await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users`)
    assert.is(staged.rows[0].n, ids.length, 'each accepted user is staged exactly once')

    run.child.kill('SIGTERM')
    const result = await run.done
    assert.is(result.code, 0, `rtds run did not exit 0 on SIGTERM:\n${run.output()}`)
  } catch (err) {
    // what the runner printed is the first thing to read when this fails
    throw new Error(`${(err as Error).message}\n--- rtds run output ---\n${run.output().slice(-6000)}`)
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL')
  }
})

test.run()
