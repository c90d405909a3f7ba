#!/usr/bin/env node
// The real servers for development and tests, without Docker:
//
//   node services/rtds-services.mjs up     [--only kafka,registry,cassandra,postgres]
//   node services/rtds-services.mjs down   [--only ...]
//   node services/rtds-services.mjs status [--only ...] [--json]
//
// `up` is idempotent: healthy servers are left alone; missing jars are fetched through Maven; the
// others start in parallel and `up` waits until each answers a real request. Pids, configs, data
// and logs live in services/.data/<server>/ (git-ignored). `down` signals exactly the pids `up`
// recorded. Exit 0 ok, 1 a server failed, 2 usage error.
import { join, relative } from 'node:path'
import { DATA_DIR, SERVICES_DIR, dataDir, fileSize, rssMiB, runningPid, sleep, stopPid, tailFile, withLock } from './scripts/process-control.mjs'
import { isFetched } from './scripts/maven-fetch.mjs'
import { postgres } from './scripts/postgres-service.mjs'
import { kafka } from './scripts/kafka-service.mjs'
import { registry } from './scripts/registry-service.mjs'
import { cassandra } from './scripts/cassandra-service.mjs'

/** Every server, in dependency order. */
const ALL = [postgres, kafka, registry, cassandra]
const USAGE = 'usage: node services/rtds-services.mjs up|down|status [--only kafka,registry,cassandra,postgres] [--json]'

const rel = (p) => (p.startsWith(process.cwd()) ? relative(process.cwd(), p) || p : p)
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`
const withTimeout = (p, ms, what) => Promise.race([p, sleep(ms).then(() => { throw new Error(`${what} timed out after ${ms} ms`) })])

function parseArgs(argv) {
  const [cmd, ...rest] = argv
  let only = ALL.map((s) => s.name)
  let json = false
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    if (a === '--json') json = true
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : rest[++i]
      only = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    } else return { error: `unknown argument ${a}` }
  }
  const unknown = only.filter((n) => !ALL.some((s) => s.name === n))
  if (unknown.length) return { error: `unknown server(s): ${unknown.join(', ')} (known: ${ALL.map((s) => s.name).join(', ')})` }
  if (!['up', 'down', 'status'].includes(cmd)) return { error: cmd ? `unknown command ${cmd}` : 'missing command' }
  if (cmd === 'up') { // a server's dependencies come up with it (the registry stores its schemas in Postgres)
    for (const s of ALL.filter((x) => only.includes(x.name))) for (const d of s.dependsOn ?? []) if (!only.includes(d)) only.push(d)
  }
  return { cmd, services: ALL.filter((s) => only.includes(s.name)), json }
}

/** One probe with a hard time limit; resolves { ok, detail }. */
async function check(svc) {
  try {
    return { ok: true, detail: await withTimeout(svc.probe(), 8000, `${svc.name} probe`) }
  } catch (e) {
    return { ok: false, detail: e?.message || String(e) }
  }
}

/** Waits until `svc` is healthy, its process dies, or the deadline passes. */
async function waitHealthy(svc, pid, started) {
  let last = ''
  while (Date.now() - started < svc.deadlineMs) {
    const r = await check(svc)
    if (r.ok) return r.detail
    last = r.detail
    if (pid && !runningPid(svc.name)) throw new Error(`${svc.name} exited during start-up (last probe: ${last})`)
    await sleep(1000)
  }
  throw new Error(`${svc.name} did not become healthy at ${svc.address} within ${secs(svc.deadlineMs)} (last probe: ${last})`)
}

/** Where each log of `svc` stood before a start, so a failure shows only what this start wrote. */
const logMarks = new Map()

function failureMessage(svc, err) {
  const logs = [svc.logFile, svc.stdoutFile].filter(Boolean)
  const marks = logMarks.get(svc.name) ?? {}
  const tails = logs.map((f) => {
    const t = tailFile(f, 25, marks[f] ?? 0).trim()
    return t ? `--- last lines of ${rel(f)}:\n${t}` : `--- ${rel(f)}: nothing new`
  })
  return `FAILED ${svc.name} (${svc.address}): ${err.message}\n${tails.join('\n')}`
}

/**
 * Brings one server up given its first probe; `ready` maps names to promises of servers started in
 * this run, `fetches` names to jar fetches already under way.
 */
async function upOne(svc, first, ready, fetches, t0) {
  const pid = svc.external ? undefined : runningPid(svc.name)
  if (first.ok) {
    const whose = svc.external || pid ? 'already running' : 'already running (not started from this checkout: left alone by down)'
    return { svc, action: whose, pid, detail: first.detail, ms: Date.now() - t0 }
  }
  if (pid) { // our process exists but does not answer yet (starting, or another `up` started it)
    const detail = await waitHealthy(svc, pid, t0)
    return { svc, action: 'was starting, now healthy', pid, detail, ms: Date.now() - t0 }
  }
  const fetched = svc.install ? await (fetches.get(svc.name) ?? svc.install()) : false
  const fetchMs = Date.now() - t0
  for (const dep of svc.dependsOn ?? []) if (ready.has(dep)) await ready.get(dep)
  const t1 = Date.now()
  if (!svc.external) logMarks.set(svc.name, Object.fromEntries([svc.logFile, svc.stdoutFile].filter(Boolean).map((f) => [f, fileSize(f)])))
  const newPid = await svc.start()
  const detail = await waitHealthy(svc, newPid, t1)
  return { svc, action: 'started', pid: newPid, detail, ms: Date.now() - t0, startMs: Date.now() - t1, fetchMs: fetched ? fetchMs : 0 }
}

async function up(services) {
  const t0 = Date.now()
  dataDir('.')
  const results = await withLock(join(DATA_DIR, 'up.lock'), async () => {
    const firstChecks = new Map(await Promise.all(services.map(async (s) => [s.name, await check(s)])))
    // Missing jars of servers that are down: fetch at once, slowest starter first (one Maven at a time).
    const fetches = new Map()
    for (const svc of [...services].sort((a, b) => b.deadlineMs - a.deadlineMs)) {
      if (!svc.install || isFetched(svc.name) || firstChecks.get(svc.name).ok) continue
      console.log(`${svc.name.padEnd(9)} fetching its jars through Maven into ${rel(join(SERVICES_DIR, svc.name, 'lib'))} (first start)…`)
      const job = svc.install()
      job.catch(() => {}) // reported by upOne
      fetches.set(svc.name, job)
    }
    const ready = new Map()
    for (const svc of services) ready.set(svc.name, upOne(svc, firstChecks.get(svc.name), ready, fetches, t0))
    return Promise.all(services.map((s) => ready.get(s.name).then((r) => r, (error) => ({ svc: s, error }))))
  })
  let failed = 0
  for (const r of results) {
    const s = r.svc
    if (r.error) { failed++; console.log(failureMessage(s, r.error)); continue }
    const timing = r.action === 'started'
      ? `${secs(r.ms)}${r.fetchMs ? ` (jars fetched in ${secs(r.fetchMs)}, start ${secs(r.startMs)})` : ''}`
      : secs(r.ms)
    const rss = r.pid ? `, rss ${rssMiB(r.pid)} MiB` : ''
    console.log(`${s.name.padEnd(9)} ${r.action}${r.pid ? ` (pid ${r.pid}${rss})` : ''} at ${s.address} in ${timing} — ${r.detail}`)
    console.log(`${''.padEnd(9)} log: ${rel(s.logFile)}`)
  }
  console.log(failed ? `${failed} server(s) did not come up (${secs(Date.now() - t0)})` : `all up in ${secs(Date.now() - t0)}`)
  return failed ? 1 : 0
}

async function down(services) {
  return withLock(join(DATA_DIR, 'up.lock'), async () => {
    const results = await Promise.all(services.map(async (s) => {
      try {
        return `${s.name.padEnd(9)} ${s.stop ? await s.stop() : await stopPid(s.name)}`
      } catch (e) {
        return `${s.name.padEnd(9)} stop failed: ${e.message}`
      }
    }))
    for (const line of results) console.log(line)
    return results.some((l) => l.includes('stop failed')) ? 1 : 0
  })
}

async function status(services, json) {
  const rows = await Promise.all(services.map(async (s) => {
    const pid = s.external ? undefined : runningPid(s.name)
    const r = await check(s)
    return { name: s.name, address: s.address, state: r.ok ? 'healthy' : pid ? 'running' : 'down', pid: pid ?? null, rssMiB: pid ? rssMiB(pid) ?? null : null, detail: r.detail, log: s.logFile }
  }))
  if (json) console.log(JSON.stringify(rows, null, 2))
  else for (const r of rows) console.log(`${r.name.padEnd(9)} ${r.state.padEnd(8)} ${r.address}${r.pid ? ` pid ${r.pid} rss ${r.rssMiB} MiB` : ''} — ${r.state === 'down' ? r.detail : r.detail}`)
  return rows.every((r) => r.state === 'healthy') ? 0 : 1
}

if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  console.log(`${USAGE}\n  up      start what is down (fetching jars on first use), wait until healthy; exit 1 if a server fails\n  down    stop the processes up started (TERM, then KILL after 20 s)\n  status  healthy / running / down per server; exit 0 only when all are healthy`)
  process.exit(0)
}
const args = parseArgs(process.argv.slice(2))
if (args.error) {
  console.error(`${args.error}\n${USAGE}`)
  process.exit(2)
}
process.chdir(join(SERVICES_DIR, '..'))
let code
try {
  if (args.cmd === 'up') code = await up(args.services)
  else if (args.cmd === 'down') code = await down(args.services)
  else code = await status(args.services, args.json)
} catch (e) {
  console.error(`rtds-services ${args.cmd}: ${e?.stack || e}`)
  code = 1
}
process.exit(code)
