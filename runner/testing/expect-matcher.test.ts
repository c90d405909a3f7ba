import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatMismatch } from './diff-printer.js'
import { canonicalOutput, matchCount, matchRecords, type ActualOutput } from './expect-matcher.js'

const table = (records: unknown[]): ActualOutput => ({ target: { kind: 'table', name: 't' }, records, primaryKey: ['id'] })
const topic = (records: unknown[], keys: (string | null)[]): ActualOutput => ({ target: { kind: 'topic', name: 'users' }, records, keys })
const lines = (ms: ReturnType<typeof matchRecords>): string[] => ms.map(formatMismatch)

test('runner > testing > matcher: table rows upsert by primary key, later values win', () => {
  const out = canonicalOutput(table([{ id: 'b', v: 1 }, { id: 'a', v: 2 }, { id: 'b', v: 3 }]))
  assert.equal(out.records, [{ id: 'a', v: 2 }, { id: 'b', v: 3 }])
  assert.equal(matchCount(2, table([{ id: 'b' }, { id: 'b' }, { id: 'a' }])), [])
  assert.equal(matchCount(3, table([{ id: 'b' }, { id: 'b' }, { id: 'a' }])), [{ kind: 'count', expected: 3, actual: 2 }])
})

test('runner > testing > matcher: a changed field prints rows[id=…].field: expected … got …', () => {
  const ms = matchRecords([{ id: 'x1', email: 'a@example.com', post_code: '4000' }], table([{ id: 'x1', email: 'bob', post_code: 4000 }]), 'exact')
  assert.equal(lines(ms), ['rows[id=x1].email: expected "a@example.com" got "bob"', 'rows[id=x1].post_code: expected "4000" got 4000'])
})

test('runner > testing > matcher: exact reports extra fields and rows, subset ignores extra fields, contains ignores extra rows', () => {
  const actual = table([{ id: 'a', x: 1, y: 2 }, { id: 'b', x: 1 }])
  assert.equal(lines(matchRecords([{ id: 'a', x: 1 }], actual, 'exact')), ['rows[id=a].y: unexpected field, got 2', 'rows[id=b]: unexpected record {"id":"b","x":1}'])
  assert.equal(lines(matchRecords([{ id: 'a', x: 1 }], actual, 'subset')), ['rows[id=b]: unexpected record {"id":"b","x":1}'])
  assert.equal(matchRecords([{ id: 'a', x: 1 }], actual, 'contains'), [])
  assert.equal(lines(matchRecords([{ id: 'c' }], actual, 'contains')), ['rows[id=c]: missing record, expected {"id":"c"}'])
})

test('runner > testing > matcher: rows without their key are paired with the closest row', () => {
  const actual = table([{ id: 'a', first: 'Øyvind', last: 'Bråten' }, { id: 'b', first: 'Sébastien', last: 'Lefèvre' }])
  assert.equal(lines(matchRecords([{ first: 'Sébastien', last: 'Lefevre' }], actual, 'contains')), ['rows[id=b].last: expected "Lefevre" got "Lefèvre"'])
})

test('runner > testing > matcher: topics compare in order per key, any interleaving across keys', () => {
  const actual = topic([{ k: 'a', n: 1 }, { k: 'b', n: 1 }, { k: 'a', n: 2 }], ['a', 'b', 'a'])
  assert.equal(matchRecords([{ k: 'b', n: 1 }, { k: 'a', n: 1 }, { k: 'a', n: 2 }], actual, 'exact'), [])
  const swapped = matchRecords([{ k: 'a', n: 2 }, { k: 'a', n: 1 }, { k: 'b', n: 1 }], actual, 'exact')
  assert.equal(swapped.length, 1)
  assert.is(swapped[0]!.kind, 'order')
  assert.match(formatMismatch(swapped[0]!), /records\[key=a\]: out of order/)
})

test('runner > testing > matcher: dead letters match error as a substring', () => {
  const dlq: ActualOutput = { target: { kind: 'dlq', name: 'users' }, records: [{ stage: 'ingest', reason: 'validation', error: 'missing field email', key: 'k', value: {} }], keys: ['k'] }
  assert.equal(matchRecords([{ stage: 'ingest', error: 'email' }], dlq, 'subset'), [])
  assert.equal(lines(matchRecords([{ error: 'phone' }], dlq, 'subset')), ['records[key=k].error: expected to contain "phone" got "missing field email"'])
})

test('runner > testing > matcher: missing and extra records on a topic', () => {
  assert.equal(lines(matchRecords([{ a: 1 }], topic([], []), 'exact')), ['expected[0]: missing record, expected {"a":1}'])
  assert.equal(lines(matchRecords([], topic([{ a: 1 }], [null]), 'exact')), ['records[0]: unexpected record {"a":1}'])
})

test.run()
