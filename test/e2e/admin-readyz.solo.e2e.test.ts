/**
 * `/readyz` of the admin endpoint follows the servers a pipeline needs: 200 while everything
 * answers, 503 naming Cassandra while Cassandra is stopped (with the service script), 200 again
 * once it is back; `/healthz` stays 200 throughout and `rtds_server_up{server="cassandra"}` follows.
 *
 * A `.solo.` test: it stops a shared server, so `test/run.js` runs it after every other file, alone.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../integration/connectors-support.js'
import { sample, scrape } from '../helpers/prometheus-text.js'
import { freePort, services, startRtds, soloLiveCopy } from './e2e-support.js'

const test = suite('e2e > admin > readyz')
const live = soloLiveCopy(test)

test('/readyz: 200, then 503 naming Cassandra while it is stopped, then 200 after it is back', async () => {
  const { copy } = live()
  const port = await freePort()
  const admin = `http://127.0.0.1:${port}`
  const run = startRtds(['run', copy.file, '--progress', '0', '--admin', `127.0.0.1:${port}`])
  const ready = async (): Promise<{ status: number; body: { status: string; reasons: string[] } } | undefined> => {
    const res = await fetch(`${admin}/readyz`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
    return res && { status: res.status, body: await res.json() }
  }
  try {
    await waitFor(async () => (await ready())?.status === 200, 60_000, `/readyz 200 at start (output: ${run.output()})`)

    services('down', 'cassandra')
    const down = await waitFor(async () => {
      const r = await ready()
      return r?.status === 503 ? r : undefined
    }, 60_000, '/readyz 503 while Cassandra is down')
    assert.is(down.body.status, 'not ready')
    assert.ok(down.body.reasons.some((r) => /cassandra is unreachable/.test(r)), down.body.reasons.join('\n'))
    assert.is((await fetch(`${admin}/healthz`)).status, 200, 'alive while not ready')
    assert.is(sample(await scrape(`${admin}/metrics`), 'rtds_server_up', { server: 'cassandra' }), 0)

    services('up', 'cassandra')
    await waitFor(async () => (await ready())?.status === 200, 120_000, '/readyz 200 after Cassandra is back')
    assert.is(sample(await scrape(`${admin}/metrics`), 'rtds_server_up', { server: 'cassandra' }), 1)
  } finally {
    run.child.kill('SIGTERM')
    const done = await run.done
    assert.is(done.code, 0, `rtds run did not stop cleanly:\n${done.stdout}\n${done.stderr}`)
  }
})

test.run()
