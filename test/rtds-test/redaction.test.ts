/**
 * `rtds test` diffs never show the fields users.yaml lists under `redact:`: a failing dead-letter
 * expectation on a user carrying randomuser's login secrets prints `***` for each of them — in a
 * field diff, in an unexpected record, in the JSON reporter — and the secrets appear nowhere in
 * the output.
 */
import { writeFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { copyUsersPipeline } from './fixture-copy.js'
import { runRtdsTest } from './rtds-test-cli.js'

const copy = copyUsersPipeline()
const SECRETS = { password: 'pw-Secret-1', salt: 'salt-Secret-2', md5: 'md5-Secret-3', sha1: 'sha1-Secret-4', sha256: 'sha256-Secret-5' }
const user = {
  gender: 'female', name: { title: 'Ms', first: 'Nora', last: 'Vik' },
  location: { street: { number: 5, name: 'Storgata' }, city: 'Oslo', state: 'Oslo', country: 'Norway', postcode: '0155' },
  // no email: dead-lettered by ingest
  login: { uuid: '9c3e2b1a-0000-4000-8000-00000000beef', username: 'noemail', ...SECRETS },
  dob: { date: '1990-01-01T00:00:00.000Z', age: 35 }, registered: { date: '2010-01-01T00:00:00.000Z', age: 15 },
  phone: '1', cell: '2', picture: { large: 'l', medium: 'm', thumbnail: 't' }, nat: 'NO',
}
writeFileSync(copy.path('pipelines/redact.test.yaml'), `pipeline: users.yaml
env: { RANDOMUSER_URL: http://randomuser.invalid/api/ }
cases:
  - name: secrets in a failing dead-letter diff
    inputs:
      - source: api
        records: [${JSON.stringify(user)}]
    expect:
      - dlq: users_created
        match: subset
        records:
          - value: { login: { password: not-the-password, username: someone-else } }
      - dlq: users_created
        records: []
`)

test('rtds-test > redact: diffs print *** for the listed fields, the secrets nowhere', () => {
  for (const reporter of [[], ['--reporter', 'json']]) {
    const r = runRtdsTest(['pipelines/redact.test.yaml', ...reporter], { cwd: copy.dir })
    const out = r.stdout + r.stderr
    assert.is(r.code, 1, out)
    for (const s of Object.values(SECRETS)) assert.not.ok(out.includes(s), `${s} printed:\n${out}`)
    if (!reporter.length) {
      assert.match(out, /value\.login\.password: expected "\*\*\*" got "\*\*\*"/)
      assert.match(out, /value\.login\.username: expected "someone-else" got "noemail"/, 'other fields still diffed')
      assert.match(out, /records\[0\]: unexpected record \{/)
    } else assert.match(out, /"password": ?"\*\*\*"/, 'the unexpected record, whole, in the JSON report')
  }
})

test.after(() => copy.cleanup())
test.run()
