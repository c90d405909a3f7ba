import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectionError, RecordError, RtdsError } from './errors.js'
import { backoffDelay, retry } from './retry.js'

const test = suite('runner > retry')

test('full jitter: delays are random below an exponentially growing cap', () => {
  assert.is(backoffDelay(1, { initialDelayMs: 100, random: () => 0.999 }), 99)
  assert.is(backoffDelay(3, { initialDelayMs: 100, random: () => 0.999 }), 399)
  assert.is(backoffDelay(20, { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 }), 500)
  assert.is(backoffDelay(2, { initialDelayMs: 100, random: () => 0 }), 0)
})

test('retries retriable errors until success', async () => {
  const delays: number[] = []
  let n = 0
  const out = await retry(async () => { if (++n < 4) throw new ConnectionError('down'); return 'ok' }, { initialDelayMs: 4, onRetry: (_e, _a, ms) => delays.push(ms) })
  assert.is(out, 'ok')
  assert.is(n, 4)
  assert.is(delays.length, 3)
  delays.forEach((d, i) => assert.ok(d < 4 * 2 ** i, `delay ${d} of attempt ${i + 1}`))
})

test('bails at once on a non-retriable error', async () => {
  let n = 0
  const err = await retry(async () => { n++; throw new RecordError('validation', 'bad') }).catch((e) => e)
  assert.instance(err, RecordError)
  assert.is(n, 1)
  const plain = await retry(async () => { n++; throw new TypeError('bug') }).catch((e) => e)
  assert.instance(plain, TypeError)
})

test('stops after maxAttempts and after maxTimeMs, rethrowing the last error', async () => {
  let n = 0
  const err = await retry(async () => { n++; throw new ConnectionError(`down ${n}`) }, { maxAttempts: 3, initialDelayMs: 1 }).catch((e) => e)
  assert.is(n, 3)
  assert.is(err.message, 'down 3')
  const t0 = Date.now()
  await retry(async () => { throw new RtdsError('slow', { retriable: true }) }, { maxAttempts: Infinity, maxTimeMs: 60, initialDelayMs: 20 }).catch(() => {})
  assert.ok(Date.now() - t0 < 500)
})

test('an aborted signal ends the waiting', async () => {
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 30)
  const t0 = Date.now()
  const err = await retry(async () => { throw new ConnectionError('down') }, { maxAttempts: Infinity, initialDelayMs: 10_000, random: () => 0.99, signal: ac.signal }).catch((e) => e)
  assert.instance(err, ConnectionError)
  assert.ok(Date.now() - t0 < 1000)
})

test.run()
