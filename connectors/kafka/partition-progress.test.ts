import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PartitionProgress } from './partition-progress.js'

const test = suite('connectors > kafka > partition-progress')

test('the position moves only over the contiguous prefix of settled units', () => {
  const p = new PartitionProgress()
  const a = p.add('9'), b = p.add('19'), c = p.add('20')
  assert.is(p.settle(b, true), undefined, 'b acked before a: nothing moves')
  assert.is(p.settle(a, true), '19', 'a acked: the prefix a,b moves to 19')
  assert.is(p.settle(c, true), '20')
  assert.is(p.pending, 0)
  assert.not.ok(p.failed)
})

test('a failed unit freezes the position in front of it', () => {
  const p = new PartitionProgress()
  const a = p.add('4'), b = p.add('5'), c = p.add('9')
  assert.is(p.settle(b, false), undefined)
  assert.is(p.settle(c, true), undefined)
  assert.is(p.settle(a, true), '4', 'a moves, b blocks')
  assert.ok(p.failed)
  assert.is(p.settle(a, true), undefined, 'settling twice is a no-op')
})

test.run()
