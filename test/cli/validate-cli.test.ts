/**
 * `rtds validate` and `rtds graph` as a user runs them: spawned processes, exit codes, --json.
 * Uses `test/e2e/rtds-dev.ts` (tsx, no build) when it exists, else the built `bin/rtds.js` (rebuilt
 * with tsc first when dist/ is older than the DSL sources).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { REPO_ROOT } from '../helpers/golden.js'

process.chdir(REPO_ROOT)
const CASES = 'test/golden/validate/cases'

function newest(dir: string): number {
  let t = 0
  for (const n of readdirSync(dir)) { const p = join(dir, n); const s = statSync(p); t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs) }
  return t
}

const devRunner = existsSync('test/e2e/rtds-dev.ts')
if (!devRunner) {
  const built = 'dist/runner/commands/validate.js'
  const srcTime = Math.max(newest('dsl'), newest('runner/commands'), newest('connectors'))
  if (!existsSync(built) || statSync(built).mtimeMs < srcTime) {
    // emits even when another part of the tree has type errors; the check below says whether it worked
    spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' })
  }
}

function rtds(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const argv = devRunner ? ['--import', 'tsx', 'test/e2e/rtds-dev.ts', ...args] : ['bin/rtds.js', ...args]
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('cli > validate: pipelines/ is clean, exit 0, summary line', () => {
  const r = rtds('validate', 'pipelines/')
  assert.is(r.code, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /^1 file checked: 0 errors, 0 warnings$/m)
})

test('cli > validate: default path is pipelines/', () => {
  const r = rtds('validate')
  assert.is(r.code, 0, r.stdout + r.stderr)
  assert.match(r.stdout, '1 file checked')
})

test('cli > validate: unknown top-level key, YAML indentation error and dangling reference exit 1 at file:line:col', () => {
  for (const [c, where] of [['05-unknown-top-level-key', ':10:1 error RTDS020'], ['01-yaml-bad-indent', ':7:6 error RTDS001'], ['21-dangling-from', ':13:18 error RTDS031']]) {
    const r = rtds('validate', `${CASES}/${c}.yaml`)
    assert.is(r.code, 1, `${c}: ${r.stdout}${r.stderr}`)
    assert.ok(r.stdout.includes(`${CASES}/${c}.yaml${where}`), `${c}: ${r.stdout}`)
    assert.match(r.stdout, /1 file checked: \d+ errors?/)
  }
})

test('cli > validate --json: a parseable array of per-file results', () => {
  const r = rtds('validate', '--json', CASES, 'pipelines/users.yaml')
  assert.is(r.code, 1)
  const results = JSON.parse(r.stdout).files as Array<{ file: string; ok: boolean; errors: number; diagnostics: Array<{ code: string; line: number; col: number }> }>
  assert.ok(results.length >= 31)
  const users = results.find((x) => x.file === 'pipelines/users.yaml')!
  assert.equal([users.ok, users.errors, users.diagnostics], [true, 0, []])
  const bad = results.find((x) => x.file.endsWith('05-unknown-top-level-key.yaml'))!
  assert.equal(bad.diagnostics.map((d) => [d.code, d.line, d.col]), [['RTDS020', 10, 1]])
})

test('cli > validate: a missing path exits 2 and says which', () => {
  const r = rtds('validate', 'pipelines/users.yaml', 'no/such/file.yaml')
  assert.is(r.code, 2)
  assert.match(r.stderr, 'no/such/file.yaml')
})

test('cli > validate: an unknown flag is a usage error (exit 2)', () => {
  assert.is(rtds('validate', '--no-such-flag').code, 2)
})

test('cli > graph: mermaid and json of users.yaml; an invalid file exits 1', () => {
  const m = rtds('graph', 'pipelines/users.yaml', '--format', 'mermaid')
  assert.is(m.code, 0, m.stderr)
  assert.match(m.stdout, /^flowchart LR\n/)
  const j = rtds('graph', 'pipelines/users.yaml', '--json')
  assert.is(j.code, 0, j.stderr)
  assert.is((JSON.parse(j.stdout) as { nodes: unknown[] }).nodes.length, 8)
  const bad = rtds('graph', `${CASES}/26-cycle.yaml`)
  assert.is(bad.code, 1)
  assert.match(bad.stderr, 'RTDS033')
  assert.is(rtds('graph', 'no/such.yaml').code, 2)
})

test.run()
