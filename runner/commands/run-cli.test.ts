/**
 * `rtds run` as a user runs it: a spawned process, --embedded --once --json, and a streaming
 * embedded run that accepts a POST and exits 0 on SIGTERM after draining.
 * Uses `test/e2e/rtds-dev.ts` (tsx) when it exists, else the built `bin/rtds.js` (rebuilt when stale).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'

const devRunner = existsSync('test/e2e/rtds-dev.ts')
function newest(dir: string): number {
  let t = 0
  for (const n of readdirSync(dir)) { const p = join(dir, n); const s = statSync(p); t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs) }
  return t
}
if (!devRunner) {
  const built = 'dist/runner/commands/run.js'
  if (!existsSync(built) || statSync(built).mtimeMs < Math.max(newest('runner'), newest('connectors'), newest('dsl')))
    spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' })
}
const argvOf = (args: string[]) => (devRunner ? ['--import', 'tsx', 'test/e2e/rtds-dev.ts', ...args] : ['bin/rtds.js', ...args])

const test = suite('runner > commands > run (cli)')

test('rtds run pipelines/users.yaml --embedded --once --run-for 0 --json: exit 0, what was stored', () => {
  const r = spawnSync(process.execPath, argvOf(['run', 'pipelines/users.yaml', '--embedded', '--once', '--run-for', '0', '--json']), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  assert.is(r.status, 0, r.stdout + r.stderr)
  const [summary] = JSON.parse(r.stdout).pipelines
  assert.is(summary.status, 'completed')
  assert.is(summary.mode, 'embedded')
  assert.is(summary.stored.tables.created_users.length, 10)
  assert.equal(summary.stored.dlq, {})
  assert.match(r.stderr, 'replaced by the generate source')
})

test('streaming embedded run: POST accepted, SIGTERM drains and exits 0 with the summary', async () => {
  // users.yaml with the API on a free port (copied with absolute paths so it resolves from a temp dir)
  const dir = mkdtempSync(join(tmpdir(), 'rtds-run-'))
  const root = resolve('.')
  const yaml = readFileSync('pipelines/users.yaml', 'utf8')
    .replace('port: 5000', 'port: 0')
    .replaceAll('../schemas/', `${root}/schemas/`)
    .replace('transforms/created_user.jsonata', `${root}/pipelines/transforms/created_user.jsonata`)
  writeFileSync(join(dir, 'users.yaml'), yaml)
  const child = spawn(process.execPath, argvOf(['run', join(dir, 'users.yaml'), '--embedded', '--grace', '5s', '--progress', '0']), { env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  try {
    let url: string | undefined
    for (let i = 0; i < 300 && !url; i++) {
      url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1]
      if (!url) await new Promise((r) => setTimeout(r, 50))
    }
    assert.ok(url, stderr)
    const user: any = generateUser(8, 0)
    const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) })
    assert.is(res.status, 202)
    await new Promise((r) => setTimeout(r, 500)) // relay and consumer pick it up
    child.kill('SIGTERM')
    const t0 = Date.now()
    const code = await exited
    assert.is(code, 0, stdout + stderr)
    assert.ok(Date.now() - t0 < 5000)
    assert.match(stderr, 'SIGTERM received')
    assert.match(stdout, 'created_users (spark_streams.created_users, embedded): 1 row(s)')
    assert.match(stdout, user.login.uuid)
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
