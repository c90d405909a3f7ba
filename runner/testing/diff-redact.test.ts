import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor } from '../../core/redact.js'
import { formatMismatch } from './diff-printer.js'
import { redactMismatch } from './diff-redact.js'

const test = suite('runner > testing > diff-redact')
const r = new Redactor(['login.password', 'login.salt'])

test('field diffs on a listed path print *** on both sides; others unchanged', () => {
  const m = redactMismatch({ kind: 'field', diff: { path: 'rows[id=1].login.password', expected: 'a-secret', actual: 'b-secret' } }, r)
  assert.is(formatMismatch(m), 'rows[id=1].login.password: expected "***" got "***"')
  const other = { kind: 'field' as const, diff: { path: 'rows[id=1].login.username', expected: 'x', actual: 'y' } }
  assert.equal(redactMismatch(other, r), other)
  const absent = redactMismatch({ kind: 'field', diff: { path: 'login.password', expected: undefined, actual: 'c-secret' } }, r)
  assert.is(formatMismatch(absent), 'login.password: unexpected field, got "***"')
})

test('whole records (missing, extra, nested objects) are masked at any depth', () => {
  const rec = { stage: 'ingest', value: { login: { uuid: 'u', password: 'p-secret', salt: 's-secret' } } }
  const extra = redactMismatch({ kind: 'extra', path: 'records[0]', actual: rec }, r)
  assert.not.match(formatMismatch(extra), /secret/)
  assert.match(formatMismatch(extra), /"uuid":"u","password":"\*\*\*","salt":"\*\*\*"/)
  const missing = redactMismatch({ kind: 'missing', path: 'records[1]', expected: [rec] }, r)
  assert.not.match(formatMismatch(missing), /secret/)
  const nested = redactMismatch({ kind: 'field', diff: { path: 'records[0].value.login', expected: { password: 'p-secret' }, actual: undefined } }, r)
  assert.is(formatMismatch(nested), 'records[0].value.login: missing, expected {"password":"***"}')
  assert.is(redactMismatch({ kind: 'extra', path: 'x', actual: rec }, new Redactor([])).kind, 'extra')
})

test.run()
