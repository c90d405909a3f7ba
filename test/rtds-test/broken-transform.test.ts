/**
 * A copy of users.yaml (in a temp folder) whose JSONata puts `login.username` into `email`:
 * `rtds test` exits 1 with a per-field diff naming `email` and the case's file:line:col;
 * `--update` rewrites the golden files to the new output (and only them), and the JUnit report of
 * the failing run is well-formed XML holding the failure.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { expectGolden } from '../helpers/golden.js'
import { copyUsersPipeline } from './fixture-copy.js'
import { runRtdsTest } from './rtds-test-cli.js'
import { findAll, parseXml } from './xml-parse.js'

const copy = copyUsersPipeline()
copy.edit('pipelines/transforms/created_user.jsonata', '"email": email', '"email": login.username')
const TEST_FILE = 'pipelines/users.test.yaml'
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1

test('rtds-test > broken JSONata: exit 1 with a diff naming the field and the case position', () => {
  const r = runRtdsTest([TEST_FILE], { cwd: copy.dir })
  assert.is(r.code, 1, `exit ${r.code}\n${r.stdout}\n${r.stderr}`)
  const yaml = copy.read(TEST_FILE)
  const caseLine = lineOf(yaml, '- name: reference row shape')
  assert.ok(r.stdout.includes(`✘ reference row shape — ${TEST_FILE}:${caseLine}:5`), r.stdout)
  // the inline expectation of the reference row names the field, expected and actual values
  assert.ok(r.stdout.includes('rows[id=7a0eed16-9430-4d68-901f-c0d4c1c3bf00].email: expected "jennie.nichols@example.com" got "yellowpeacock117"'), r.stdout)
  // the golden expectation too, with its own position
  const goldenLine = lineOf(yaml, 'golden: users.test/golden/postcodes.json')
  assert.ok(r.stdout.includes(`${TEST_FILE}:${goldenLine - 1}:9 expect table created_users (golden users.test/golden/postcodes.json)`), r.stdout)
  assert.ok(r.stdout.includes('rows[id=0b1a5a52-43a4-4a4e-9d63-3b3c1f3f2d01].email: expected "lukas.becker@example.com" got "bigswan402"'), r.stdout)
  assert.match(r.stdout, /\d+ passed, [1-9]\d* failed, 0 errors/)
  // the whole report, timings masked, is pinned (re-record with UPDATE_GOLDEN=1 after review)
  expectGolden('test/rtds-test/golden/broken-email.txt', r.stdout.replace(/\(\d+ ms\)/g, '(N ms)').replace(/\(\d+\.\ds\)$/m, '(N s)'))
})

test('rtds-test > broken JSONata: the JUnit report is well-formed and holds the failure', () => {
  const r = runRtdsTest([TEST_FILE, '--reporter', 'junit', '--output', 'rtds-test.xml'], { cwd: copy.dir })
  assert.is(r.code, 1, r.stdout + r.stderr)
  assert.ok(r.stdout.includes('✘ reference row shape'), 'the text report still goes to stdout')
  const root = parseXml(readFileSync(copy.path('rtds-test.xml'), 'utf8'))
  assert.is(root.name, 'testsuites')
  const suites = findAll(root, 'testsuite')
  assert.is(suites.length, 1)
  const cases = findAll(root, 'testcase')
  assert.is(String(cases.length), suites[0]!.attrs.tests)
  const failed = cases.filter((c) => c.children.some((x) => x.name === 'failure'))
  assert.is(String(failed.length), root.attrs.failures)
  const ref = cases.find((c) => c.attrs.name === 'reference row shape')
  assert.ok(ref, 'testcase "reference row shape" missing')
  const failure = ref.children.find((x) => x.name === 'failure')
  assert.ok(failure, 'reference row shape has no <failure>')
  assert.match(failure.text, /\.email: expected "jennie\.nichols@example\.com" got "yellowpeacock117"/)
  assert.is(ref.attrs.file, TEST_FILE)
  assert.ok(Number(ref.attrs.line) > 0)
  assert.is(String(failed.length), String((r.stdout.match(/✘ /g) ?? []).length), 'one <failure> per failed case')
})

test('rtds-test > --update rewrites the golden files to the new output, never inline expectations', () => {
  const before = copy.read('pipelines/users.test/golden/postcodes.json')
  const yamlBefore = copy.read(TEST_FILE)
  const r = runRtdsTest([TEST_FILE, '--update'], { cwd: copy.dir })
  // inline expectations still fail (exit 1); the golden files were rewritten and listed
  assert.is(r.code, 1, r.stdout + r.stderr)
  assert.match(r.stdout, /updated golden file users\.test\/golden\/postcodes\.json/)
  assert.match(r.stdout, /updated golden file users\.test\/golden\/non-ascii\.json/)
  assert.not.match(r.stdout, /updated golden file users\.test\/golden\/missing-email\.dlq\.json/) // unchanged content
  const after = copy.read('pipelines/users.test/golden/postcodes.json')
  assert.is.not(after, before)
  const rows = JSON.parse(after) as { id: string; email: string; username: string }[]
  assert.is(rows.length, 3)
  for (const row of rows) assert.is(row.email, row.username)
  assert.is(copy.read(TEST_FILE), yamlBefore, 'the test file (inline expectations) must not change')
  // a second run: golden expectations now hold, inline ones still fail
  const again = runRtdsTest([TEST_FILE, '--json'], { cwd: copy.dir })
  assert.is(again.code, 1)
  const doc = JSON.parse(again.stdout) as { files: { cases: { name: string; status: string; failures: { golden?: string }[] }[] }[] }
  const cases = doc.files[0]!.cases
  assert.ok(cases.every((c) => c.failures.every((f) => f.golden === undefined)), 'a golden expectation still fails after --update')
  assert.is(cases.find((c) => c.name === 'non-ASCII names survive every hop')?.status, 'pass')
})

test.after(() => copy.cleanup())
test.run()
