/**
 * Two applies of the same files at the same time are serialised by the Postgres advisory lock:
 * one applies, the other waits, re-plans under the lock and finds nothing to do; a lock held too
 * long makes apply fail cleanly, naming the holder. Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LiveClients } from '../../connectors/live-clients.js'
import { applyPipelines } from '../../runner/reconcile/apply-executor.js'
import { acquireApplyLock } from '../../runner/reconcile/apply-lock.js'
import { recentApplies } from '../../runner/reconcile/apply-history.js'
import { ConflictError } from '../../core/errors.js'
import { cleanup, makeSpec, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > lock')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const spec = makeSpec({ suffix: sfx, withCassandra: false })
const a = new LiveClients(settings)
const b = new LiveClients(settings)

test.before(() => requireServices(settings, ['postgres', 'kafka', 'registry']))

test.after(async () => {
  await a.close()
  await b.close()
  await cleanup(settings, sfx)
})

test('two concurrent applies do not interleave; the second finds no changes', async () => {
  const logs: string[] = []
  const [ra, rb] = await Promise.all([
    applyPipelines([spec], a, { files: ['a.yaml'], log: (l) => logs.push(`A ${l}`) }),
    applyPipelines([spec], b, { files: ['b.yaml'], log: (l) => logs.push(`B ${l}`) }),
  ])
  const [first, second] = ra.lockedAt < rb.lockedAt ? [ra, rb] : [rb, ra]
  assert.ok(first.unlockedAt <= second.lockedAt, `lock windows overlap: ${JSON.stringify([first.lockedAt, first.unlockedAt, second.lockedAt, second.unlockedAt])}`)
  assert.is(first.applied.length, 5)
  assert.equal(second.applied, [], 'the second apply re-planned under the lock and found nothing to do')
  assert.ok(second.waitedMs > 0)
  assert.ok(logs.some((l) => /waiting for the apply lock held by rtds apply /.test(l)), logs.join('\n'))
  const history = await recentApplies(await a.pg(), 5)
  assert.is(history.length, 2)
})

test('a lock held past --lock-timeout: apply fails cleanly naming the holder, nothing applied', async () => {
  const held = await acquireApplyLock(settings)
  try {
    const started = Date.now()
    const changed = makeSpec({ suffix: sfx, withCassandra: false, partitions: 3 })
    await applyPipelines([changed], b, { files: ['b.yaml'], lockTimeoutMs: 800 }).then(
      () => assert.unreachable('must time out'),
      (err) => {
        assert.instance(err, ConflictError)
        assert.match((err as Error).message, /another apply holds the rtds apply lock \(rtds apply \S+@\S+ pid \d+, backend pid \d+/)
      },
    )
    assert.ok(Date.now() - started >= 800)
  } finally {
    await held.release()
  }
  const history = await recentApplies(await a.pg(), 5)
  assert.is(history.length, 2, 'the refused apply recorded nothing and changed nothing')
})

test.run()
