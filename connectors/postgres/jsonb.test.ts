import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RecordError } from '../../core/errors.js'
import { toJsonb } from './jsonb.js'
import { MemoryStagingTable } from '../memory/memory-staging.js'
import type { PostgresTableSpec } from './spec.js'

const test = suite('postgres > jsonb')

const reason = (v: unknown): string => {
  const r = toJsonb(v)
  return r instanceof RecordError ? r.message : 'ok'
}

test('what jsonb refuses is a record error with its reason; what it takes passes as JSON text', () => {
  assert.match(reason({ a: 'x\u0000' }), /NUL character/)
  assert.match(reason({ ['k\u0000']: 1 }), /NUL character/, 'in a key too')
  assert.match(reason({ a: 'x\ud800' }), /lone UTF-16 surrogate \(\\ud800\)/)
  assert.match(reason(['\udfff']), /lone UTF-16 surrogate \(\\udfff\)/)
  assert.match(reason({ a: '\\\u0000' }), /NUL character/, 'an escaped backslash, then a real NUL')
  assert.match(reason(undefined), /undefined/)
  const circular: Record<string, unknown> = {}
  circular.self = circular
  assert.match(reason(circular), /cannot be serialised as JSON/)
  assert.is(toJsonb({ a: 'paired \ud83d\ude00' }), '{"a":"paired 😀"}')
  assert.is(toJsonb({ a: 'text \\u0000 and \\ud800' }), '{"a":"text \\\\u0000 and \\\\ud800"}', 'a backslash followed by the text u0000 is text')
  assert.is(toJsonb({ a: '\\\\u0000' }), '{"a":"\\\\\\\\u0000"}')
})

test('the embedded staging table fails the same records the same way', async () => {
  const spec = { name: 'staging', postgres: { schema: 's', table: 't' } } as unknown as PostgresTableSpec
  const table = new MemoryStagingTable(spec)
  const failures = await table.sink().write([
    { key: 'a', value: { n: 'x\ud800' }, origin: 'o1' },
    { key: 'b', value: { n: 'fine \\ud800' }, origin: 'o2' },
  ])
  assert.equal(failures.map((f) => [f.record.key, f.error.message]), [['a', reason({ n: 'x\ud800' })]])
  assert.equal(table.rows.map((r) => r.value), [{ n: 'fine \\ud800' }])
})

test.run()
