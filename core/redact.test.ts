import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { REDACTED, Redactor } from './redact.js'

const test = suite('core > redact')
const LOGIN = ['login.password', 'login.salt', 'login.md5', 'login.sha1', 'login.sha256']
const user = () => ({ name: 'x', login: { uuid: 'u-1', username: 'bob', password: 'hunter22', salt: 'NaCl1234', md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64) } })

test('value: masks every listed field, leaves the rest and the input untouched', () => {
  const u = user()
  const r = new Redactor(LOGIN)
  const out = r.value(u)
  assert.equal(out, { name: 'x', login: { uuid: 'u-1', username: 'bob', password: REDACTED, salt: REDACTED, md5: REDACTED, sha1: REDACTED, sha256: REDACTED } })
  assert.is(u.login.password, 'hunter22', 'input not mutated')
  const plain = { name: 'y' }
  assert.is(r.value(plain), plain, 'nothing to mask: same object')
})

test('value: arrays walked, * wildcard, numeric index, absent or null fields left alone', () => {
  const r = new Redactor(['login.password', 'cards.*.number', 'tokens.0'])
  assert.equal(r.value([user(), { login: { password: null } }]).map((u: any) => u.login.password), [REDACTED, null])
  assert.equal(r.value({ cards: [{ number: '4111' }, { number: '5500' }] }), { cards: [{ number: REDACTED }, { number: REDACTED }] })
  assert.equal(r.value({ tokens: ['first', 'second'] }), { tokens: [REDACTED, 'second'] })
  assert.equal(r.value({ login: 'flat' }), { login: 'flat' })
  const buf = Buffer.from('raw')
  assert.is(r.value(buf), buf)
})

test('text: the values of listed fields are masked inside messages, longest first', () => {
  const r = new Redactor(LOGIN)
  const u = user()
  assert.is(r.text('transform failed: "hunter22" is not a number (salt NaCl1234)', u), 'transform failed: "***" is not a number (salt ***)')
  assert.is(r.text('no secrets here', u), 'no secrets here')
  assert.is(new Redactor([]).text('hunter22', u), 'hunter22')
  assert.is(r.text('short: ab', { login: { password: 'ab' } }), 'short: ab', 'values under 4 characters are not masked in text')
})

test('matchesPath: diff paths ending in a listed path', () => {
  const r = new Redactor(['login.password', 'cards.*.number'])
  assert.ok(r.matchesPath('login.password'))
  assert.ok(r.matchesPath('rows[3].login.password'))
  assert.ok(r.matchesPath('records[id=5].cards[1].number'))
  assert.not.ok(r.matchesPath('login.username'))
  assert.not.ok(r.matchesPath('password'))
})

test.run()
