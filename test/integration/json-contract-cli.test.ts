/**
 * `--json` is a contract (schemas/cli-output.schema.json): every command, in every outcome —
 * success, findings, a path that does not exist, a bad flag (oclif's own parse error), servers down
 * (pointed at closed ports: the shared servers are never stopped), the apply lock held — prints
 * exactly one JSON document on stdout with status, exitCode and, unless ok, error.code and
 * error.message.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { connectionSettings } from '../../core/settings.js'
import { acquireApplyLock } from '../../runner/reconcile/apply-lock.js'
import { REPO_ROOT } from '../helpers/golden.js'
import { requireServices } from './plan-apply-fixtures.js'

process.chdir(REPO_ROOT)
const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync('schemas/cli-output.schema.json', 'utf8')))
const INVALID = 'test/golden/validate/cases/21-dangling-from.yaml'
const EMPTY = mkdtempSync(join(tmpdir(), 'rtds-json-empty-'))
/** Every server at a closed port (nothing listens on port 1). */
const SERVERS_DOWN = {
  KAFKA_BROKERS: '127.0.0.1:1',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/rtds',
  CASSANDRA_CONTACT_POINTS: '127.0.0.1:1',
}

function rtdsJson(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; doc: Record<string, any>; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/e2e/rtds-dev.ts', ...args, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 })
  let doc: Record<string, any>
  try { doc = JSON.parse(r.stdout) } catch { assert.unreachable(`rtds ${args.join(' ')} --json: stdout is not one JSON document (exit ${r.status}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`); throw new Error() }
  return { code: r.status, doc, stdout: r.stdout }
}

/** Runs one case: one valid document, the expected status and error code, exit code = exitCode. */
function expectJson(args: string[], status: 'ok' | 'findings' | 'error', errorCode: string | undefined, env: NodeJS.ProcessEnv = {}): Record<string, any> {
  const { code, doc } = rtdsJson(args, env)
  assert.ok(validate(doc), `rtds ${args.join(' ')}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(doc).slice(0, 500)}`)
  assert.equal([doc.status, doc.exitCode, code, doc.error?.code], [status, doc.exitCode, doc.exitCode, errorCode], `rtds ${args.join(' ')}: ${JSON.stringify(doc.error)}`)
  return doc
}

const cases: Array<[string, string[], 'ok' | 'findings' | 'error', string | undefined, NodeJS.ProcessEnv?]> = [
  ['validate ok', ['validate', 'pipelines/users.yaml'], 'ok', undefined],
  ['validate findings', ['validate', INVALID], 'findings', 'INVALID_PIPELINE'],
  ['validate empty folder', ['validate', EMPTY], 'findings', 'NO_PIPELINE_FILES'],
  ['validate missing path', ['validate', 'no/such.yaml'], 'error', 'USAGE'],
  ['validate bad flag', ['validate', '--no-such-flag'], 'error', 'USAGE'],
  ['graph ok', ['graph', 'pipelines/users.yaml'], 'ok', undefined],
  ['graph findings', ['graph', INVALID], 'findings', 'INVALID_PIPELINE'],
  ['graph missing file', ['graph', 'no/such.yaml'], 'error', 'USAGE'],
  ['graph bad flag value', ['graph', 'pipelines/users.yaml', '--format', 'png'], 'error', 'USAGE'],
  ['plan findings', ['plan', INVALID], 'findings', 'INVALID_PIPELINE'],
  ['plan servers down', ['plan', 'pipelines/users.yaml'], 'error', 'SERVER_UNAVAILABLE', SERVERS_DOWN],
  ['plan bad flag', ['plan', '--no-such-flag'], 'error', 'USAGE'],
  ['apply findings', ['apply', INVALID], 'findings', 'INVALID_PIPELINE'],
  ['apply servers down', ['apply', 'pipelines/users.yaml'], 'error', 'SERVER_UNAVAILABLE', SERVERS_DOWN],
  ['apply bad flag value', ['apply', 'pipelines/users.yaml', '--lock-timeout', 'soon'], 'error', 'USAGE'],
  ['run ok (embedded)', ['run', 'pipelines/users.yaml', '--embedded', '--once', '--run-for', '0'], 'ok', undefined],
  ['run findings', ['run', INVALID, '--embedded', '--once'], 'findings', 'INVALID_PIPELINE'],
  ['run bad flag', ['run', '--no-such-flag'], 'error', 'USAGE'],
  ['run servers down', ['run', 'pipelines/users.yaml', '--once', '--run-for', '0', '--start-retry', '1s', '--admin', 'off'], 'findings', 'RUN_FAILED', SERVERS_DOWN],
  ['test ok', ['test', 'pipelines/'], 'ok', undefined],
  ['test empty folder', ['test', EMPTY], 'findings', 'NO_PIPELINE_FILES'],
  ['test missing path', ['test', 'no/such.test.yaml'], 'error', 'TEST_ERROR'],
  ['test bad flag', ['test', '--reporter', 'xml'], 'error', 'USAGE'],
  ['dlq list ok', ['dlq', 'list', 'pipelines/users.yaml'], 'ok', undefined],
  ['dlq findings', ['dlq', 'list', INVALID], 'findings', 'INVALID_PIPELINE'],
  ['dlq servers down', ['dlq', 'list', 'pipelines/users.yaml'], 'error', 'SERVER_UNAVAILABLE', SERVERS_DOWN],
  ['dlq bad action', ['dlq', 'purge', 'pipelines/users.yaml'], 'error', 'USAGE'],
  ['status ok', ['status', 'pipelines/users.yaml', '--admin', '127.0.0.1:1'], 'ok', undefined],
  ['status findings', ['status', INVALID, '--admin', '127.0.0.1:1'], 'findings', 'INVALID_PIPELINE'],
  ['status servers down', ['status', 'pipelines/users.yaml', '--admin', '127.0.0.1:1'], 'findings', 'SERVER_UNAVAILABLE', SERVERS_DOWN],
  ['status bad flag', ['status', '--no-such-flag'], 'error', 'USAGE'],
]

for (const [name, args, status, code, env] of cases) test(`cli > --json contract: ${name}`, () => { expectJson(args, status, code, env) })

test('cli > --json contract: plan against the real servers is ok and carries the plan', async () => {
  await requireServices(connectionSettings(), ['postgres', 'kafka', 'registry', 'cassandra'])
  const doc = expectJson(['plan', 'pipelines/users.yaml'], 'ok', undefined)
  assert.ok(Array.isArray(doc.files) && doc.files.length === 1, JSON.stringify(doc).slice(0, 300))
})

test('cli > --json contract: apply while another apply holds the lock: findings, CONFLICT, nothing applied', async () => {
  await requireServices(connectionSettings(), ['postgres'])
  const held = await acquireApplyLock(connectionSettings())
  try {
    const doc = expectJson(['apply', 'pipelines/users.yaml', '--lock-timeout', '500ms'], 'findings', 'CONFLICT')
    assert.match(doc.error.message, 'another apply holds the rtds apply lock')
  } finally {
    await held.release()
  }
})

test.run()
