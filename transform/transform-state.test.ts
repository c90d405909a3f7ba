/**
 * Compiled transforms must not share state: what one evaluation did (in this transform or any other
 * of the process) never changes the result of a later one. Each case runs the calls in one process,
 * in order, and compares every result with the jsonata interpreter's.
 */
import { readdirSync, readFileSync } from 'node:fs'
import jsonata from 'jsonata'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compileTransform } from './index.js'

const t = suite('transform > state between evaluations')

type Outcome = { value: unknown } | { code: unknown }

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: await run() }
  } catch (e) {
    return { code: (e as { code?: unknown })?.code ?? String(e) }
  }
}

/** Evaluates `expr` compiled once on each input in turn (bindings per call), against jsonata. */
async function sequence(expr: string, calls: { input: unknown; bindings?: Record<string, unknown> }[]): Promise<void> {
  const compiled = compileTransform(expr)
  assert.ok(compiled.fast, `expected the fast path for ${expr}`)
  for (const [i, { input, bindings }] of calls.entries()) {
    const got = await outcome(() => compiled.evaluate(structuredClone(input), bindings))
    const want = await outcome(() => jsonata(expr).evaluate(structuredClone(input), bindings))
    assert.equal(got, want, `call ${i} of ${expr} on ${JSON.stringify(input)}`)
  }
}

t('$string() on no input does not empty later $string() calls (issue 11)', async () => {
  const first = compileTransform('$string()')
  assert.is(first.evaluate(undefined), undefined)
  assert.is(first.evaluate([4, true]), '[4,true]')
  assert.is(first.evaluate('abc'), 'abc')
  // another transform, compiled later, calling the same builtin on its context
  const other = compileTransform('{"s": $string(), "n": 1}')
  assert.equal({ ...(other.evaluate(5) as object) }, { s: '5', n: 1 })
})

t('every context-defaulting builtin, first on undefined, then on values', async () => {
  const exprs = ['$uppercase()', '$lowercase()', '$length()', '$trim()', '$number()', '$boolean()', '$string()', '$keys()', '$base64encode()', '$substringBefore("b")', '$substring(1)', '$contains("b")', '$split("b")']
  for (const expr of exprs) await sequence(expr, [{ input: undefined }, { input: 'abc' }, { input: [4, true] }, { input: undefined }, { input: '12' }, { input: { a: 1 } }, { input: null }, { input: 3 }])
})

t('a record lacking a field does not empty that field for later records', async () => {
  // a group-by over a missing field evaluates its values once with no context (jsonata does too)
  const expr = '{"post_code": location.postcode{"v": $string()}, "city": location.city ~> $uppercase(), "pc": $string(location.postcode)}'
  const record = (postcode?: unknown) => ({ location: postcode === undefined ? { city: 'Lyon' } : { city: 'Lyon', postcode } })
  await sequence(expr, [{ input: record() }, { input: record(69001) }, { input: record('AB 1') }, { input: record() }, { input: record(-0) }])
})

t('x ~> $f() calls the binding that shadows a builtin name, with x as its first argument', async () => {
  const shout = (s: string) => `${s}!`
  await sequence('"abc" ~> $uppercase()', [{ input: null }, { input: null, bindings: { uppercase: shout } }, { input: null }])
  await sequence('name ~> $string()', [{ input: { name: 'a' } }, { input: { name: 'a' }, bindings: { string: shout } }, { input: { name: 'b' } }])
  await sequence('($f := $uppercase; "x" ~> $f())', [{ input: null }, { input: 1 }])
})

t('$eval code is compiled per transform and honours the bindings of its caller', async () => {
  // the same $eval string in two transforms; in the second, $string is shadowed by a let-binding
  await sequence('$eval("$string(1)")', [{ input: null }])
  await sequence('($string := function($x) { "shadowed" }; $eval("$string(1)"))', [{ input: null }, { input: 2 }])
  await sequence('$eval("$string(1)")', [{ input: null }])
})

t('an $eval string the compiler cannot run goes to the interpreter for that evaluation only', async () => {
  await sequence('$type($eval($))', [{ input: '1+1' }, { input: '$eval' }, { input: '$map([1,2], $eval)' }, { input: '"a"' }])
  await sequence('$eval($)', [{ input: '$string()' }, { input: '$map(["1+1"], $eval)' }, { input: '$uppercase("x")' }])
})

t('a variable bound by $eval at the root does not survive into the next evaluation', async () => {
  await sequence('$x & "|" & $eval("$x := 1")', [{ input: null }, { input: null }, { input: 5 }])
  await sequence('$string($y) & "|" & $eval("$y := $")', [{ input: 3 }, { input: 4 }])
})

t('every module-level mutable declaration of transform/ says why it cannot change a result', () => {
  const dir = new URL('./', import.meta.url)
  const undocumented: string[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n')
    lines.forEach((line, i) => {
      const mutable = /^(export )?let /.test(line) || /^(export )?const \w+(: [^=]+)? = new (Map|WeakMap|Set|WeakSet|Frame)\b/.test(line)
      if (!mutable) return
      // the doc comment right above (or a comment on the line itself)
      let j = i - 1
      const doc: string[] = [line]
      while (j >= 0 && /^\s*(\/\*\*|\*|\/\/)/.test(lines[j])) doc.push(lines[j--])
      if (!/Outlives evaluations:|\(constant\)|at load|at compile time only/.test(doc.join('\n'))) undocumented.push(`${file}:${i + 1}: ${line}`)
    })
  }
  assert.equal(undocumented, [], `state without a note on why it cannot change a result:\n${undocumented.join('\n')}`)
})

t.run()
