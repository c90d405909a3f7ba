import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CassandraTableSpec } from './spec.js'
import { rowValidator } from './row-validate.js'

const rowSchema = JSON.parse(readFileSync('schemas/created_user.avsc', 'utf8'))
const test = suite('connectors > cassandra > row-validate')

test('row validator: every column required (the reference Spark schema), types checked', () => {
  const table: CassandraTableSpec = {
    kind: 'cassandra', name: 'created_users', pos: { file: 'x', line: 1, col: 1 },
    cassandra: { keyspace: 'k', table: 'created_users', replication: {}, primaryKey: ['id'], clusteringKey: [], columns: { id: 'uuid', first_name: 'text', post_code: 'text' } },
  }
  const v = rowValidator(table)
  assert.equal(v.validate({ id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427', first_name: 'Ø', post_code: '1' }), [])
  assert.equal(v.validate({ id: 'x', post_code: 5, extra: 1 }), ['id: expected uuid, got string', 'first_name: missing', 'post_code: expected text, got number', 'extra: not a column of k.created_users'])
  const withSchema = rowValidator({ ...table, cassandra: { ...table.cassandra, schema: { file: 'x', path: 'x', type: 'AVRO', schema: rowSchema, subject: 's' } } })
  assert.ok(withSchema.validate({ id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427', first_name: 'a', post_code: '1' }).includes('email: missing'))
})

test.run()
