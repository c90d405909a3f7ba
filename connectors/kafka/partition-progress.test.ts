import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionProgress } from './partition-progress.js'

const test = suite('connectors > kafka > partition-progress')

test('the position moves only over the contiguous prefix of settled units', () => {
  const p = new PartitionProgress()
  const a = p.add('0', '9'), b = p.add('10', '19'), c = p.add('20')
  assert.is(p.settle(b, true), undefined, 'b acked before a: nothing moves')
  assert.is(p.resumeAt, '0')
  assert.is(p.settle(a, true), '19', 'a acked: the prefix a,b moves to 19')
  assert.is(p.resumeAt, '20')
  assert.is(p.settle(c, true), '20')
  assert.is(p.pending, 0)
  assert.is(p.resumeAt, undefined)
  assert.not.ok(p.failed)
})

test('a failed unit freezes the position in front of it; resumeAt is its first offset', () => {
  const p = new PartitionProgress()
  const a = p.add('4'), b = p.add('5', '8'), c = p.add('9')
  assert.is(p.settle(b, false), undefined)
  assert.is(p.settle(c, true), undefined)
  assert.is(p.resumeAt, '4', 'a still pending: delivery resumes at a')
  assert.is(p.settle(a, true), '4', 'a moves, b blocks')
  assert.ok(p.failed)
  assert.is(p.resumeAt, '5', 'everything from b is delivered again')
  assert.is(p.settle(a, true), undefined, 'settling twice is a no-op')
})

test('a long-lived progress drops settled units and keeps the low watermark across many units', () => {
  const p = new PartitionProgress()
  const units = Array.from({ length: 10_000 }, (_, i) => p.add(String(i * 10), String(i * 10 + 9)))
  // settle in a scrambled order: odd indexes first, then even ones
  let last: string | undefined
  for (let i = 1; i < units.length; i += 2) assert.is(p.settle(units[i], true), undefined)
  for (let i = 0; i < units.length; i += 2) {
    const moved = p.settle(units[i], true)
    assert.is(moved, String(i * 10 + 19), `even unit ${i} releases itself and the odd one after it`)
    last = moved
  }
  assert.is(last, '99999')
  assert.is(p.pending, 0)
  assert.ok((p as unknown as { units: unknown[] }).units.length < 100, 'settled units were dropped')
  const next = p.add('100000')
  assert.is(p.resumeAt, '100000')
  assert.is(p.settle(next, true), '100000')
})

test.run()
