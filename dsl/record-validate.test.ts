import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CassandraTableSpec } from './spec.js'
import { generateUser } from '../connectors/generate/randomuser-generate.js'
import { avroValidator, jsonSchemaValidator, rowValidator } from './record-validate.js'

const userSchema = JSON.parse(readFileSync('schemas/randomuser_user.avsc', 'utf8'))
const rowSchema = JSON.parse(readFileSync('schemas/created_user.avsc', 'utf8'))
const test = suite('runner > validate-record')

test('a generated user is valid (numeric and string postcodes, optional fields absent)', () => {
  const v = avroValidator(userSchema)
  for (let i = 0; i < 50; i++) assert.equal(v.validate(generateUser(5, i)), [])
  const u: any = generateUser(5, 0)
  delete u.cell
  delete u.nat
  u.name.title = null
  assert.equal(v.validate(u), [])
})

test('every reason with its field path', () => {
  const u: any = generateUser(5, 1)
  delete u.email
  u.location.postcode = true
  u.login.uuid = 'not-a-uuid'
  u.dob = 'yesterday'
  const reasons = avroValidator(userSchema).validate(u)
  assert.equal(reasons.sort(), [
    'dob: expected record DateOfBirth, got string',
    'email: missing',
    'location.postcode: expected string or long, got boolean',
    'login.uuid: expected uuid, got string',
  ])
})

test('JSON Schema: every reason, missing properties by path', () => {
  const v = jsonSchemaValidator({
    type: 'object', required: ['email', 'location'],
    properties: { email: { type: 'string' }, location: { type: 'object', required: ['city'], properties: { postcode: { type: ['string', 'integer'] } } } },
  })
  assert.equal(v.validate({ email: 'a@b' , location: { city: 'x', postcode: 1 } }), [])
  assert.equal(v.validate({ location: { postcode: false } }).sort(), ['email: missing', 'location.city: missing', 'location.postcode: must be string,integer'])
})

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
