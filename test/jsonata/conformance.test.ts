/**
 * Conformance: every case of JSONata's official suite through `compileTransform`, on whichever path
 * the compiler picks, asserting the expected result / undefined / error code like the official harness.
 * Cases with `timelimit`/`depth` get those limits; the harness' own U1001 is jsonata's D1011 (depth)
 * or D1012 (timeout) here. Prints how many cases took the fast path.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { compileTransform } from '../../transform/index.js'
import { deepEqual, loadSuite, suiteDir } from './suite-loader.js'

const cases = loadSuite()
const stats = { all: 0, fast: 0, nonError: 0, nonErrorFast: 0 }
const fallbacks: string[] = []

function codeMatches(expected: string, actual: unknown): boolean {
  if (expected === 'U1001') return actual === 'U1001' || actual === 'D1011' || actual === 'D1012'
  return actual === expected
}

for (const c of cases) {
  test(c.name, async () => {
    const expectError = c.code !== undefined || c.error !== undefined
    const expectedCode = c.code ?? (c.error?.code as string | undefined)
    const limited = c.timelimit !== undefined || c.depth !== undefined
    const opts = limited ? { timeoutMs: c.timelimit ?? 60_000, maxDepth: c.depth ?? 100_000 } : { timeoutMs: 60_000, maxDepth: 100_000 }
    stats.all++
    if (!expectError) stats.nonError++
    let result: unknown
    try {
      const t = compileTransform(c.expr, opts)
      if (t.fast) {
        stats.fast++
        if (!expectError) stats.nonErrorFast++
      } else fallbacks.push(c.name)
      result = t.evaluate(c.data, c.bindings)
      if (t.fast) assert.ok(!(result instanceof Promise), 'the fast path returned a Promise')
      result = await result
    } catch (e) {
      const err = e as Record<string, unknown>
      if (!expectError) assert.unreachable(`unexpected error ${String(err?.code)}: ${String(err?.message)} for ${c.expr}`)
      assert.ok(codeMatches(expectedCode!, err?.code), `expected code ${expectedCode}, got ${String(err?.code)} (${String(err?.message)}) for ${c.expr}`)
      const token = c.token ?? (c.error?.token as string | undefined)
      if (token !== undefined) assert.is(err.token, token, `token of ${expectedCode}`)
      if (typeof c.error?.message === 'string') assert.is(err.message, c.error.message)
      return
    }
    if (expectError) assert.unreachable(`expected error ${expectedCode} but got ${JSON.stringify(result)} for ${c.expr}`)
    if (c.undefinedResult) assert.is(result, undefined, `expected undefined for ${c.expr}`)
    else if (c.hasResult) assert.ok(deepEqual(result, c.result), `expected ${JSON.stringify(c.result)}, got ${JSON.stringify(result)} for ${c.expr}`)
  })
}

test.after(() => {
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0')
  console.log(`\njsonata suite (${suiteDir()}): ${stats.all} cases`)
  console.log(`fast path: ${stats.fast}/${stats.all} of all cases (${pct(stats.fast, stats.all)}%), ${stats.nonErrorFast}/${stats.nonError} of non-error cases (${pct(stats.nonErrorFast, stats.nonError)}%)`)
  if (process.env.RTDS_LIST_FALLBACKS) console.log(fallbacks.join('\n'))
})

test.run()
