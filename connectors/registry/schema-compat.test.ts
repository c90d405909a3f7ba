import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { avroFieldBreaks, breaksForLevel, canonicalSchemaText, formatBreak } from './schema-compat.js'

const test = suite('runner > reconcile > schema-compat')

const rec = (fields: unknown[]) => ({ type: 'record', name: 'U', fields })

test('normal form ignores key order and the primitive shorthand, keeps field order and defaults', () => {
  const a = rec([{ name: 'id', type: 'string' }, { name: 'n', type: ['null', 'int'], default: null }])
  const b = { fields: [{ type: { type: 'string' }, name: 'id' }, { default: null, type: ['null', { type: 'int' }], name: 'n' }], name: 'U', type: 'record' }
  assert.is(canonicalSchemaText(a), canonicalSchemaText(b))
  const swapped = rec([{ name: 'n', type: ['null', 'int'], default: null }, { name: 'id', type: 'string' }])
  assert.is.not(canonicalSchemaText(a), canonicalSchemaText(swapped), 'field order is part of an Avro schema')
  const otherDefault = rec([{ name: 'id', type: 'string' }, { name: 'n', type: ['null', 'int'], default: { type: 'x' } }])
  assert.match(canonicalSchemaText(otherDefault), /"default":\{"type":"x"\}/, 'default values are data, not schemas')
})

test('removed field without default, added field without default, type changes, nested records', () => {
  const v1 = rec([
    { name: 'id', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'nick', type: ['null', 'string'], default: null },
    { name: 'age', type: 'int' },
    { name: 'name', type: rec([{ name: 'first', type: 'string' }]) },
  ])
  const v2 = rec([
    { name: 'id', type: 'long' },
    { name: 'age', type: 'long' },
    { name: 'country', type: 'string' },
    { name: 'name', type: rec([{ name: 'first', type: 'string' }, { name: 'last', type: 'string' }]) },
  ])
  const breaks = avroFieldBreaks(v1, v2)
  assert.equal(breaks.map(formatBreak), [
    'email: removed (it had no default)',
    'id: type changed from string to long',
    'age: type changed from int to long',
    'country: added without a default',
    'name.last: added without a default',
  ])
  assert.equal(breaksForLevel(breaks, 'BACKWARD').map((b) => b.field), ['id', 'country', 'name.last'])
  assert.equal(breaksForLevel(breaks, 'FORWARD_TRANSITIVE').map((b) => b.field), ['email', 'id', 'age'])
  assert.is(breaksForLevel(breaks, 'FULL').length, 5)
  assert.is(breaksForLevel(breaks, 'NONE').length, 0)
})

test('compatible evolution has no breaks', () => {
  const v1 = rec([{ name: 'id', type: 'string' }])
  const v2 = rec([{ name: 'id', type: 'string' }, { name: 'nick', type: ['null', 'string'], default: null }])
  assert.equal(avroFieldBreaks(v1, v2), [])
})

test.run()
