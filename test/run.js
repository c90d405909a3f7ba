#!/usr/bin/env node
// The test command (`npm test`): starts the real services when they are not up (idempotent), then runs
// every `*.test.ts` file of the repository in its own Node process (uvu + tsx) and prints per-file
// results and a final plain line `N passed, N failed` computed from uvu's own counts.
//
//   npm test                     all tests (starts Kafka, the registry, Cassandra, Postgres if needed)
//   npm test -- dsl runner/x     only files whose path contains one of the words
//   RTDS_TEST_JOBS=1 npm test    files run one at a time (default 2)
//   RTDS_SERVICES=external       do not start services (they are managed elsewhere)
//   *.solo.test.ts files (outage tests that stop servers) run last, alone
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filters = process.argv.slice(2)
const jobs = Number(process.env.RTDS_TEST_JOBS || 2)
const fileTimeoutMs = Number(process.env.RTDS_TEST_FILE_TIMEOUT_MS || 15 * 60_000)
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.data', 'lib', '.rtds'])

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) findTests(p, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, p))
  }
  return out
}

const files = findTests(root)
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()

/** Integration and end-to-end tests talk to the real servers. */
function needsServers(file) {
  return file.startsWith('test/integration/') || file.startsWith('test/e2e/')
}

if (process.env.RTDS_SERVICES !== 'external' && files.some(needsServers)) {
  const up = spawnSync(process.execPath, [join(root, 'services/rtds-services.mjs'), 'up'], { stdio: 'inherit', cwd: root })
  if (up.status !== 0) {
    console.error('services did not come up: integration tests cannot run (see the message above)')
    console.log(`0 passed, ${files.length} failed`)
    process.exit(1)
  }
}

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => { out += `\n[test/run] ${file} exceeded ${fileTimeoutMs} ms: killed\n`; child.kill('SIGKILL') }, fileTimeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const num = (label) => { const m = out.match(new RegExp(`${label}:\\s+(\\d+)`)); return m ? Number(m[1]) : undefined }
      const total = num('Total'), passed = num('Passed'), skipped = num('Skipped') ?? 0
      let result
      if (total === undefined || passed === undefined) result = { passed: 0, failed: 1, skipped: 0 } // crashed before uvu reported
      else result = { passed, failed: total - passed - skipped + (code !== 0 && total === passed + skipped ? 1 : 0), skipped }
      resolve({ file, code, out, ms: Date.now() - started, ...result })
    })
  })
}

// `.solo.` files stop shared servers (outage tests): they run after all the others, one at a time
const parallel = files.filter((f) => !f.includes('.solo.'))
const solo = files.filter((f) => f.includes('.solo.'))
const results = []
let queue = parallel
let next = 0
async function worker() {
  while (next < queue.length) {
    const file = queue[next++]
    const r = await runFile(file)
    results.push(r)
    const status = r.failed ? 'FAIL' : 'ok  '
    console.log(`${status} ${file}  (${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}, ${(r.ms / 1000).toFixed(1)}s)`)
    if (r.failed || process.env.RTDS_TEST_VERBOSE) console.log(r.out.split('\n').map((l) => `    ${l}`).join('\n'))
  }
}
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker))
queue = solo
next = 0
await worker()

const passed = results.reduce((s, r) => s + r.passed, 0)
const failed = results.reduce((s, r) => s + r.failed, 0)
const skipped = results.reduce((s, r) => s + r.skipped, 0)
if (skipped) console.log(`${skipped} skipped (a skipped test is not a pass)`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed || files.length === 0 ? 1 : 0)
