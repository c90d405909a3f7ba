import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import cassandra from 'cassandra-driver'
import { RecordError } from '../../core/errors.js'
import { toCql } from './value-convert.js'

const test = suite('connectors > cassandra > value-convert')
const { types } = cassandra

const rejects = (type: string, value: unknown, why: RegExp): void => {
  try {
    toCql('c', type, value)
    assert.unreachable(`${type} accepted ${JSON.stringify(value)}`)
  } catch (err) {
    assert.instance(err, RecordError)
    assert.is((err as RecordError).reason, 'conversion')
    assert.match((err as Error).message, why)
  }
}

test('uuid from a string; anything else is a conversion failure', () => {
  const u = toCql('id', 'uuid', '6f1b8a1e-3c1f-4d0e-9b6a-0c1d2e3f4a5b')
  assert.instance(u, types.Uuid)
  assert.is(String(u), '6f1b8a1e-3c1f-4d0e-9b6a-0c1d2e3f4a5b')
  rejects('uuid', 'not-a-uuid', /column c \(uuid\).*not a UUID/)
  rejects('uuid', 42, /not a UUID/)
})

test('text takes strings and scalars, not objects; ascii only ASCII', () => {
  assert.is(toCql('c', 'text', 'Zoë Ørsted'), 'Zoë Ørsted')
  assert.is(toCql('c', 'text', 12345), '12345')
  rejects('text', { a: 1 }, /not a string/)
  rejects('ascii', 'Zoë', /not ASCII/)
})

test('integers are range-checked; bigint becomes a Long', () => {
  assert.is(toCql('c', 'int', '42'), 42)
  rejects('int', 2 ** 31, /32-bit/)
  rejects('int', 1.5, /32-bit/)
  rejects('smallint', 40000, /16-bit/)
  const l = toCql('c', 'bigint', '9223372036854775807') as InstanceType<typeof types.Long>
  assert.is(l.toString(), '9223372036854775807')
  rejects('bigint', '9223372036854775808', /64-bit/)
})

test('timestamp from ISO-8601 or epoch ms; garbage rejected', () => {
  const d = toCql('c', 'timestamp', '1993-07-20T09:44:18.674Z') as Date
  assert.is(d.toISOString(), '1993-07-20T09:44:18.674Z')
  assert.is((toCql('c', 'timestamp', 0) as Date).getTime(), 0)
  rejects('timestamp', 'yesterday', /ISO-8601/)
})

test('collections convert their elements; undefined is unset, null stays null', () => {
  const l = toCql('c', 'list<int>', ['1', 2]) as number[]
  assert.equal(l, [1, 2])
  rejects('list<int>', ['x'], /c\[0\] \(int\)/)
  assert.is(toCql('c', 'text', undefined), types.unset)
  assert.is(toCql('c', 'text', null), null)
  assert.is(toCql('c', 'boolean', 'true'), true)
  rejects('double', 'NaN', /not a number/)
})

test.run()
