import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generateUser } from '../connectors/generate/randomuser-generate.js'
import { avroValidator, jsonSchemaValidator } from './record-validate.js'

const userSchema = JSON.parse(readFileSync('schemas/randomuser_user.avsc', 'utf8'))
const test = suite('dsl > record-validate')

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

test.run()
