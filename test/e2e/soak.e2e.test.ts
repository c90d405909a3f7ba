/**
 * The short form of `npm run soak` (test/soak/soak.ts): a few thousand users through the API while
 * one `rtds run` is SIGKILLed at random moments and restarted, then three runs in one group with one
 * SIGKILLed: the table equals the users sent, field by field, after each phase.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatReport, soak } from '../soak/soak.js'

const test = suite('e2e > soak (short)')

test('kills and a group: nothing lost, nothing twice, every field right', async () => {
  const seed = Number(process.env.RTDS_SOAK_SEED ?? Date.now() % 100_000)
  const reports = await soak({ users: Number(process.env.RTDS_SOAK_USERS ?? 3000), kills: 3, processes: 3, perRequest: 25, seed, log: (l) => console.log(l) })
  console.log(formatReport(reports))
  for (const r of reports) {
    assert.is(r.missing, 0, `${r.phase}: users lost (seed ${seed})`)
    assert.is(r.extra, 0, `${r.phase}: ids that were never sent (seed ${seed})`)
    assert.is(r.mismatched, 0, `${r.phase}: rows differing from the expected row (seed ${seed})`)
    assert.is(r.rows, r.users, `${r.phase}: row count (seed ${seed})`)
    assert.ok(r.recoverMs.length >= 1, `${r.phase}: the API answered again after the kill`)
  }
})

test.run()
