import { readFileSync } from 'node:fs'
import jsonata from 'jsonata'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compileTransform } from './index.js'

const t = suite('runner > transform > compileTransform')

const user = {
  gender: 'female',
  name: { title: 'Ms', first: 'Emma', last: 'Smith' },
  location: { street: { number: 12, name: 'Rue X' }, city: 'Lyon', state: 'Rhône', country: 'France', postcode: 69001 },
  email: 'emma@example.com',
  login: { uuid: 'b1c2', username: 'emma1' },
  dob: { date: '1990-01-01T00:00:00.000Z' },
  registered: { date: '2010-01-01T00:00:00.000Z' },
  phone: '01-23',
  picture: { medium: 'm.jpg' },
}

async function both(expr: string, input: unknown, bindings?: Record<string, unknown>): Promise<[unknown, unknown]> {
  const fast = compileTransform(expr)
  assert.ok(fast.fast, `expected the fast path for ${expr}`)
  process.env.RTDS_TRANSFORM_INTERPRETER = '1'
  const slow = compileTransform(expr)
  delete process.env.RTDS_TRANSFORM_INTERPRETER
  assert.not.ok(slow.fast)
  return [fast.evaluate(input, bindings), await slow.evaluate(input, bindings)]
}

async function errorOf(run: () => unknown): Promise<Record<string, unknown>> {
  try {
    await run()
  } catch (e) {
    return e as Record<string, unknown>
  }
  throw new Error('expected an error')
}

t('the reference mapping takes the fast path and equals the interpreter', async () => {
  const expr = readFileSync(new URL('../pipelines/transforms/created_user.jsonata', import.meta.url), 'utf8')
  const [fast, slow] = await both(expr, user)
  assert.equal(JSON.parse(JSON.stringify(fast)), JSON.parse(JSON.stringify(slow)))
  assert.is((fast as Record<string, unknown>).address, '12 Rue X, Lyon, Rhône, France')
  assert.is((fast as Record<string, unknown>).post_code, '69001')
})

t('fast evaluate is synchronous, fallback returns a Promise', () => {
  const fast = compileTransform('a + 1')
  assert.ok(fast.fast)
  assert.is(fast.evaluate({ a: 1 }), 2)
  const slow = compileTransform('$map(["1 + 1"], $eval)')
  assert.not.ok(slow.fast)
  assert.instance(slow.evaluate({}), Promise)
})

t('falls back only for $eval used as a value; everything else is compiled', () => {
  assert.not.ok(compileTransform('$map(["1"], $eval)').fast)
  for (const e of ['$eval("1")', 'a@$x.b', 'a#$i.b', 'a.b.%.c', '$substring(?, 1)', '$ ~> |a|{"b": 1}|']) assert.ok(compileTransform(e).fast, e)
})

t('partial application of lambdas and jsonata functions', async () => {
  const [a, b] = await both('($first := $substring(?, 0, ?); $first("Hello", 2) & $map([1, 2], function($x, $y) { $x + $y }(?, 10)))', {})
  assert.is(a, 'He[11,12]')
  assert.is(a, b)
})

t('parse errors are jsonata parse errors', () => {
  try {
    compileTransform('a.(b')
    assert.unreachable('no error')
  } catch (e) {
    const err = e as Record<string, unknown>
    assert.is(err.code, 'S0203')
    assert.type(err.position, 'number')
    assert.ok(typeof err.message === 'string' && err.message.length > 0)
  }
})

t('runtime errors carry jsonata codes and messages on the fast path', async () => {
  const err = await errorOf(() => compileTransform('a + "x"').evaluate({ a: 1 }))
  assert.is(err.code, 'T2002')
  assert.is(err.token, '+')
  assert.is(err.message, 'The right side of the "+" operator must evaluate to a number')
  const slow = await errorOf(() => jsonata('a + "x"').evaluate({ a: 1 }))
  assert.is(err.message, slow.message)
  assert.is(err.position, slow.position)
  const dup = await errorOf(() => compileTransform('{"a": 1, "a": 2}').evaluate({}))
  assert.is(dup.code, 'D1009')
})

t('bindings are variables and shadow jsonata functions on both paths', async () => {
  const [a, b] = await both('$string($x) & $y', {}, { x: 1.5, y: '!' })
  assert.is(a, '1.5!')
  assert.is(b, '1.5!')
  const [c, d] = await both('$string(1)', {}, { string: () => 'mine' })
  assert.is(c, 'mine')
  assert.is(d, 'mine')
})

t('non-tail runaway recursion fails with D1011 on both paths', async () => {
  const expr = '($f := function($n) { 1 + $f($n + 1) }; $f(0))'
  assert.ok(compileTransform(expr).fast)
  const fast = await errorOf(() => compileTransform(expr, { maxDepth: 200 }).evaluate({}))
  assert.is(fast.code, 'D1011')
  process.env.RTDS_TRANSFORM_INTERPRETER = '1'
  const slow = await errorOf(() => compileTransform(expr, { maxDepth: 200 }).evaluate({}))
  delete process.env.RTDS_TRANSFORM_INTERPRETER
  assert.is(slow.code, 'D1011')
})

t('an endless tail-recursive loop fails with D1012 within the time limit', async () => {
  const expr = '($f := function($n) { $f($n + 1) }; $f(0))'
  const started = Date.now()
  const err = await errorOf(() => compileTransform(expr, { timeoutMs: 150 }).evaluate({}))
  assert.is(err.code, 'D1012')
  assert.ok(Date.now() - started < 2000, 'took too long')
})

t('huge nested ranges fail instead of exhausting memory', async () => {
  const err = await errorOf(() => compileTransform('[1..10000000].[1..10000000]', { timeoutMs: 5000 }).evaluate({}))
  assert.ok(err.code === 'D2014' || err.code === 'D1012', String(err.code))
})

t('recursion deeper than the JavaScript stack fails with D1011, not a RangeError', async () => {
  const expr = '($f := function($n) { 1 + $f($n + 1) }; $f(0))'
  const err = await errorOf(() => compileTransform(expr, { maxDepth: 10_000_000, timeoutMs: 10_000 }).evaluate({}))
  assert.is(err.code, 'D1011')
})

t('legitimate recursion within the depth limit succeeds', () => {
  const t1 = compileTransform('($f := function($n) { $n = 0 ? 1 : $n * $f($n - 1) }; $f(20))', { maxDepth: 500 })
  assert.is(t1.evaluate({}), 2432902008176640000)
})

t('top-level arrays and keep-array behave as in jsonata', async () => {
  const [a, b] = await both('$[0]', [1, 2])
  assert.is(a, b)
  const [c, d] = await both('x[]', { x: 1 })
  assert.equal(c, d)
  assert.equal(c, [1])
})

t.run()
