import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { avroValidator } from '../../dsl/record-validate.js'
import { GenerateSource } from './generate-source.js'
import { generateUser, generateUsers } from './randomuser-generate.js'

const test = suite('connectors > generate')
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('deterministic: the same seed and index give the same user, whatever the page size', () => {
  assert.equal(generateUsers(42, 20), generateUsers(42, 20))
  assert.equal(generateUsers(42, 10, 10), generateUsers(42, 20).slice(10))
  assert.not.equal(generateUser(42, 0), generateUser(43, 0))
})

test('randomuser-shaped, valid against randomuser_user.avsc, realistic variety', () => {
  const v = avroValidator(JSON.parse(readFileSync('schemas/randomuser_user.avsc', 'utf8')))
  const users = generateUsers(1, 500) as any[]
  const uuids = new Set<string>()
  for (const u of users) {
    assert.equal(v.validate(u), [], JSON.stringify(u))
    assert.match(u.login.uuid, UUID_V4)
    uuids.add(u.login.uuid)
    assert.ok(!isNaN(Date.parse(u.dob.date)) && !isNaN(Date.parse(u.registered.date)))
    assert.match(u.picture.medium, /^https:\/\/randomuser\.me\/api\/portraits\/med\/(men|women)\/\d+\.jpg$/)
    assert.match(u.email, /^[a-z.]+[a-z0-9]*@example\.com$/)
  }
  assert.is(uuids.size, 500, 'uuids are unique')
  assert.ok(users.some((u) => typeof u.location.postcode === 'number'), 'numeric postcodes')
  assert.ok(users.some((u) => typeof u.location.postcode === 'string'), 'string postcodes')
  assert.ok(users.some((u) => /[^\x00-\x7f]/.test(u.name.first + u.name.last)), 'non-ASCII names')
  assert.ok(users.some((u) => u.gender === 'male') && users.some((u) => u.gender === 'female'))
})

test('login.uuid is unique per (seed, index) even when the 32-bit PRNG seeds of two users collide', () => {
  const ids = new Set<string>()
  for (let i = 0; i < 10000; i++) ids.add((generateUser(778, i) as any).login.uuid)
  assert.is(ids.size, 10000) // users 4153 and 8383 of seed 778 share a PRNG seed
})

test('the source emits the next users on each pull, with origins', async () => {
  const s = new GenerateSource({ name: 'gen', seed: 3, count: 4 })
  const a = await s.pull()
  const b = await s.pull()
  assert.equal([...a, ...b].map((r) => r.value), generateUsers(3, 8))
  assert.is(b[0].origin, 'generate:gen seed=3 index=4')
  assert.is(a[0].key, null)
})

test.run()
