/**
 * `npm run fuzz:transform -- --minutes N [--seed S]`: the long stateful differential fuzz run of
 * compiled transforms against the jsonata interpreter (test/jsonata/stateful-fuzz.ts). Prints
 * progress every ~10 s and, at the end, the seed, how many expression×input pairs it checked and
 * every mismatch; exits 1 when there was one.
 */
import { fuzz } from './stateful-fuzz.js'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i === -1) return fallback
  const v = Number(process.argv[i + 1])
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} needs a number, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return v
}

// jsonata builds an Error (and a source-mapped stack under tsx) for every error it throws: the
// fuzzer compares codes only, so stacks are not captured (about 5% of the run's time)
Error.stackTraceLimit = 0
const minutes = arg('minutes', 1)
const seed = arg('seed', Date.now() % 2 ** 31)
const started = Date.now()
let lastReport = started
console.log(`fuzz:transform — seed ${seed}, ${minutes} min`)
const stats = await fuzz({
  seed,
  deadline: started + minutes * 60_000,
  stopOnMismatch: false,
  onRound: (s) => {
    if (Date.now() - lastReport < 10_000) return
    lastReport = Date.now()
    console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${s.pairs} pairs (${s.errors} errors, ${s.undefinedResults} undefined), ${s.transforms} transforms, ${s.mismatches.length} mismatches`)
  },
})
for (const m of stats.mismatches.slice(0, 20)) console.log(m)
const secs = (Date.now() - started) / 1000
console.log(`fuzz:transform — seed ${seed}: ${stats.pairs} expression×input pairs checked (${Math.round(stats.pairs / secs)}/s) over ${stats.transforms} compiled transforms in ${stats.rounds} rounds (suite expressions: ${stats.suiteCovered}/${stats.suiteTotal}) (jsonata's result: ${stats.errors} errors, ${stats.undefinedResults} undefined, ${stats.pairs - stats.errors - stats.undefinedResults} values); ${stats.mismatches.length} mismatches, ${stats.ambiguous} different errors among concurrent ones, ${stats.timedOut} timed out`)
process.exit(stats.mismatches.length === 0 ? 0 : 1)
