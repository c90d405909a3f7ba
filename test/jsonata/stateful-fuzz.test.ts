/**
 * Bounded stateful differential fuzz run (issue 11): compiled transforms evaluated call by call over
 * random input sequences, interleaved, against the jsonata interpreter (see stateful-fuzz.ts).
 * `RTDS_FUZZ_SEED` / `RTDS_FUZZ_PAIRS` change the seed / budget; `npm run fuzz:transform -- --minutes N`
 * is the long run.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fuzz } from './stateful-fuzz.js'

const SEED = Number(process.env.RTDS_FUZZ_SEED || 20261207)
const PAIRS = Number(process.env.RTDS_FUZZ_PAIRS || 4000)

test('compiled transforms agree with jsonata call by call over interleaved input sequences', async () => {
  const stats = await fuzz({ seed: SEED, maxPairs: PAIRS, stopOnMismatch: false })
  console.log(`stateful fuzz: ${stats.pairs} expression×input pairs over ${stats.transforms} compiled transforms in ${stats.rounds} rounds, seed ${SEED}, ${stats.mismatches.length} mismatches (${stats.ambiguous} with a different error among concurrent ones, ${stats.timedOut} timed out)`)
  assert.ok(stats.pairs >= PAIRS, `only ${stats.pairs} pairs checked`)
  assert.ok(stats.transforms >= PAIRS / 24 / 2, `only ${stats.transforms} transforms compiled`)
  assert.ok(stats.ambiguous <= stats.pairs * 0.01, `${stats.ambiguous} error-order differences`)
  assert.ok(stats.mismatches.length === 0, `seed ${SEED}: compiled transforms and jsonata disagree:\n${stats.mismatches.slice(0, 5).join('\n')}`)
})

test('every suite expression the fast path accepts, compiled once, over its own input sequence', async () => {
  const stats = await fuzz({ seed: SEED, suiteSweep: true, inputsPerExpression: 20, stopOnMismatch: false })
  console.log(`stateful fuzz, suite sweep: ${stats.suiteCovered}/${stats.suiteTotal} suite expressions, ${stats.pairs} pairs, seed ${SEED}, ${stats.mismatches.length} mismatches (${stats.ambiguous} with a different error among concurrent ones, ${stats.timedOut} timed out)`)
  assert.ok(stats.suiteTotal > 1000, `only ${stats.suiteTotal} suite expressions usable`)
  assert.is(stats.suiteCovered, stats.suiteTotal)
  assert.ok(stats.pairs >= stats.suiteTotal * 20, `only ${stats.pairs} pairs`)
  assert.ok(stats.ambiguous <= stats.pairs * 0.01, `${stats.ambiguous} error-order differences`)
  assert.ok(stats.mismatches.length === 0, `seed ${SEED}: compiled transforms and jsonata disagree:\n${stats.mismatches.slice(0, 5).join('\n')}`)
})

test('the comparison sees key order, -0, NaN and array-ness', async () => {
  const { sameResult } = await import('./stateful-fuzz.js')
  assert.ok(sameResult({ a: 1, b: [2, NaN] }, { a: 1, b: [2, NaN] }))
  assert.not.ok(sameResult({ a: 1, b: 2 }, { b: 2, a: 1 }))
  assert.not.ok(sameResult(-0, 0))
  assert.not.ok(sameResult([1], 1))
  assert.not.ok(sameResult(undefined, null))
})

test.run()
