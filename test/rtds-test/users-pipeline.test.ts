/**
 * `rtds test` on the repository's own pipelines/users.test.yaml: every case passes, in-process,
 * with no services (the test environment points every server setting at a closed port, so touching
 * one would fail the run), in about a second.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runRtdsTest } from './rtds-test-cli.js'

// Closed ports: if `rtds test` tried to reach a server, it would fail instead of passing.
const NO_SERVICES = {
  KAFKA_BROKERS: '127.0.0.1:9',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:9/rtds',
  CASSANDRA_CONTACT_POINTS: '127.0.0.1:9',
}

test('rtds-test > users.test.yaml: every case passes with no services', () => {
  const started = Date.now()
  const r = runRtdsTest(['pipelines/users.test.yaml'], { env: NO_SERVICES })
  const ms = Date.now() - started
  assert.is(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}`)
  for (const name of ['reference row shape', 'numeric postcodes become text', 'non-ASCII names survive every hop', 'a user missing a required field is dead-lettered', 'duplicate users collapse on the primary key']) {
    assert.ok(r.stdout.includes(`✔ ${name}`), `case "${name}" not reported as passed:\n${r.stdout}`)
  }
  assert.not.match(r.stdout, /✘/)
  assert.match(r.stdout, /^\d+ passed, 0 failed, 0 errors/m)
  console.log(`  rtds test pipelines/users.test.yaml: ${ms} ms wall clock (process start included)`)
})

test('rtds-test > default path is pipelines/ and --json is a parseable report', () => {
  const r = runRtdsTest(['--json'], { env: NO_SERVICES })
  assert.is(r.code, 0, r.stdout + r.stderr)
  const doc = JSON.parse(r.stdout) as { ok: boolean; summary: { passed: number; failed: number; errors: number }; files: { file: string; cases: { name: string; status: string; line: number }[] }[] }
  assert.is(doc.ok, true)
  const users = doc.files.find((f) => f.file.endsWith('users.test.yaml'))
  assert.ok(users, 'pipelines/users.test.yaml was not found under the default path')
  assert.ok(users.cases.length >= 5)
  assert.ok(users.cases.every((c) => c.status === 'pass' && c.line > 0))
  assert.is(doc.summary.failed, 0)
})

test.run()
