/**
 * Soak test of faults (`npm run soak`; a short form runs in the suite, test/e2e/soak.e2e.test.ts).
 *
 * Phase 1 — kill and restart: a stream of users is POSTed to the ingestion API of one streaming
 * `rtds run` (arrays of `--per-request` users; a request that got no 202 is sent again, as any
 * client of the API does), while the process is SIGKILLed at `--kills` random moments and restarted
 * at once. Phase 2 — a group: `--processes` runs of the same pipeline (one consumer group, one
 * outbox, each its own API port) take the stream, and one of them is SIGKILLed mid-stream and not
 * restarted. After each phase the Cassandra table must equal the users sent, field by field:
 * nothing lost, nothing twice (extra upserts of the same key are fine, extra keys are not).
 * The report gives the time to recover: from a restart to the API's first 202, and from the last
 * user accepted to the table being complete.
 *
 *   npm run soak                                  100,000 users, 10 kills, then 3 processes
 *   npm run soak -- --users 20000 --kills 5 --processes 3 --json
 *
 * Needs the services (`npm run services:up`).
 */
import { writeFileSync, readFileSync } from 'node:fs'
import { request, Agent } from 'node:http'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { applyLiveCopy, expectedRow, freePort, randomUser, servePages, startRtds, type LiveCopy, type PageServer } from '../e2e/e2e-support.js'
import { mulberry32 } from '../../core/prng.js'
import { sleep } from '../../core/retry.js'
import { percentile } from '../../bench/load/http-load.js'

export interface SoakOptions {
  readonly users: number
  readonly kills: number
  readonly processes: number
  readonly perRequest?: number
  readonly seed?: number
  readonly log?: (line: string) => void
}

export interface PhaseReport {
  readonly phase: 'kill-restart' | 'group'
  readonly users: number
  readonly kills: number
  readonly processes: number
  /** Time from each restart (or the group kill) to the API's next 202, ms. */
  readonly recoverMs: number[]
  /** From the last user accepted to the table holding every user, ms. */
  readonly drainMs: number
  /** Requests sent again because the process died under them. */
  readonly resent: number
  readonly seconds: number
  /** Rows in the table, distinct ids, rows differing from the expected row, users missing, ids not sent. */
  readonly rows: number
  readonly mismatched: number
  readonly missing: number
  readonly extra: number
  readonly ok: boolean
}

interface Runner {
  readonly port: number
  child: ReturnType<typeof startRtds>
  alive: boolean
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/** POSTs `body` to the API on `port`; resolves with the status, or 0 when the connection failed. */
function post(port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/data', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.on('error', () => resolve(0))
    })
    req.on('error', () => resolve(0))
    req.on('timeout', () => req.destroy())
    req.end(body)
  })
}

/** Sets the copy's API port from the environment, so several processes of one pipeline can run. */
function portFromEnv(file: string): void {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/port: \d+/, 'port: "{{env.RTDS_SOAK_PORT}}"'))
}

async function tableRows(live: LiveCopy): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>()
  const res = await live.cass.execute(`SELECT * FROM "${live.copy.keyspace}".created_users`, [], { fetchSize: 5000, autoPage: true })
  for (const r of res.rows) {
    const o: Record<string, unknown> = {}
    for (const k of Object.keys(r)) o[k] = r[k] === null || r[k] === undefined ? r[k] : String(r[k])
    rows.set(String(r.id), o)
  }
  return rows
}

async function storedCount(live: LiveCopy): Promise<number> {
  const r = await live.cass.execute(`SELECT count(*) AS n FROM "${live.copy.keyspace}".created_users`, [], { readTimeout: 60_000 })
  return Number(r.rows[0].n)
}

/** Compares the table with the users sent, field by field. */
async function verify(live: LiveCopy, users: readonly Record<string, any>[]): Promise<Pick<PhaseReport, 'rows' | 'mismatched' | 'missing' | 'extra' | 'ok'>> {
  const rows = await tableRows(live)
  let mismatched = 0, missing = 0
  const sent = new Set<string>()
  for (const u of users) {
    const id = u.login.uuid as string
    sent.add(id)
    const row = rows.get(id)
    if (!row) { missing++; continue }
    const want = expectedRow(u)
    if (Object.entries(want).some(([k, v]) => row[k] !== v)) mismatched++
  }
  const extra = [...rows.keys()].filter((id) => !sent.has(id)).length
  return { rows: rows.size, mismatched, missing, extra, ok: mismatched === 0 && missing === 0 && extra === 0 && rows.size === users.length }
}

/** Runs one phase; see the module comment. */
async function phase(kind: PhaseReport['phase'], opts: SoakOptions, firstUser: number): Promise<PhaseReport> {
  const log = opts.log ?? (() => {})
  const t0 = Date.now()
  const random = mulberry32(opts.seed ?? 1)
  const per = opts.perRequest ?? 50
  const live = await applyLiveCopy({ batch: 100 })
  let pages: PageServer | undefined
  const runners: Runner[] = []
  try {
    portFromEnv(live.copy.file)
    pages = await servePages([]) // the scheduled randomuser source finds nothing: the API carries the stream
    const start = (port: number): ReturnType<typeof startRtds> =>
      startRtds(['run', live.copy.file, '--progress', '0'], { RANDOMUSER_URL: pages!.url, RTDS_SOAK_PORT: String(port) })
    const n = kind === 'kill-restart' ? 1 : opts.processes
    for (let i = 0; i < n; i++) { const port = await freePort(); runners.push({ port, child: start(port), alive: true }) }

    const users = Array.from({ length: opts.users }, (_, i) => randomUser(firstUser + i, live.copy.tag))
    const bodies: string[] = []
    for (let i = 0; i < users.length; i += per) bodies.push(JSON.stringify(users.slice(i, i + per)))
    // the moments of the kills: after these many accepted requests
    const killAt = kind === 'kill-restart'
      ? Array.from({ length: opts.kills }, () => 1 + Math.floor(random() * Math.max(1, bodies.length - 2))).sort((a, b) => a - b)
      : [Math.floor(bodies.length / 2)]
    const recoverMs: number[] = []
    let resent = 0
    let accepted = 0
    let next = 0
    let pendingRecovery: number | undefined
    let killing: Promise<void> | undefined

    const kill = async (): Promise<void> => {
      if (kind === 'kill-restart') {
        const r = runners[0]!
        r.child.child.kill('SIGKILL')
        await r.child.done
        r.child = start(r.port)
        log(`  killed and restarted at ${accepted}/${bodies.length} requests`)
      } else {
        const r = runners[runners.length - 1]!
        r.child.child.kill('SIGKILL')
        r.alive = false
        await r.child.done
        log(`  killed 1 of ${runners.length} processes at ${accepted}/${bodies.length} requests`)
      }
      pendingRecovery = Date.now()
    }

    // workers: each takes the next body and sends it until a 202 (another status is a failure)
    const worker = async (w: number): Promise<void> => {
      for (;;) {
        const i = next++
        if (i >= bodies.length) return
        for (let attempt = 0; ; attempt++) {
          if (killing) await killing
          const alive = runners.filter((r) => r.alive)
          const port = alive[(i + attempt + w) % alive.length]!.port
          const status = await post(port, bodies[i]!)
          if (status === 202) {
            // the first 202 after a kill: the time to recover (a kill before that 202 restarts the clock)
            if (pendingRecovery !== undefined && !killing) { recoverMs.push(Date.now() - pendingRecovery); pendingRecovery = undefined }
            break
          }
          if (status !== 0 && status !== 503) throw new Error(`the API answered ${status} to a valid request`)
          if (attempt > 0 || status === 0) resent++
          if (attempt > 3000) throw new Error('the API did not come back within 5 minutes')
          await sleep(100)
        }
        accepted++
        while (killAt.length && accepted >= killAt[0]!) {
          killAt.shift()
          if (!killing) killing = kill().finally(() => { killing = undefined })
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))
    if (killing) await killing
    const lastAccepted = Date.now()
    // wait for the table to hold every user
    for (let waited = 0; ; waited += 1000) {
      const n = await storedCount(live)
      if (n >= users.length) break
      if (waited > 300_000) { log(`  table stuck at ${n}/${users.length}`); break }
      await sleep(1000)
    }
    const drainMs = Date.now() - lastAccepted
    for (const r of runners.filter((x) => x.alive)) r.child.child.kill('SIGTERM')
    const exits = await Promise.all(runners.filter((x) => x.alive).map((r) => r.child.done))
    for (const e of exits) if (e.code !== 0) log(`  a runner exited ${e.code} ${e.signal ?? ''}:\n${e.stderr.slice(-2000)}`)
    const check = await verify(live, users)
    return { phase: kind, users: users.length, kills: kind === 'kill-restart' ? opts.kills : 1, processes: n, recoverMs, drainMs, resent, seconds: Math.round((Date.now() - t0) / 100) / 10, ...check }
  } finally {
    for (const r of runners) if (r.alive) r.child.child.kill('SIGKILL')
    await Promise.all(runners.map((r) => r.child.done))
    await pages?.close()
    await live.close()
  }
}

/** Both phases; see the module comment. */
export async function soak(opts: SoakOptions): Promise<PhaseReport[]> {
  const one = await phase('kill-restart', opts, 0)
  const two = await phase('group', opts, opts.users)
  return [one, two]
}

const pct = (xs: number[], p: number): number => (xs.length ? percentile([...xs].sort((a, b) => a - b), p) : 0)

/** The markdown table of a soak. */
export function formatReport(reports: readonly PhaseReport[]): string {
  const lines = ['| phase | users | kills | processes | recover p50 / max (ms) | drain (ms) | resent | rows | mismatched | missing | extra | result |', '|---|---|---|---|---|---|---|---|---|---|---|---|']
  for (const r of reports) {
    lines.push(`| ${r.phase} | ${r.users} | ${r.kills} | ${r.processes} | ${pct(r.recoverMs, 50)} / ${Math.max(0, ...r.recoverMs)} | ${r.drainMs} | ${r.resent} | ${r.rows} | ${r.mismatched} | ${r.missing} | ${r.extra} | ${r.ok ? 'ok' : 'FAILED'} |`)
  }
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: {
    users: { type: 'string', default: '100000' }, kills: { type: 'string', default: '10' }, processes: { type: 'string', default: '3' },
    'per-request': { type: 'string', default: '50' }, seed: { type: 'string' }, json: { type: 'boolean', default: false },
  } })
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000
  const opts = { users: Number(values.users), kills: Number(values.kills), processes: Number(values.processes), perRequest: Number(values['per-request']), seed, log: (l: string) => process.stderr.write(l + '\n') }
  process.stderr.write(`soak: ${opts.users} users, ${opts.kills} kills, then ${opts.processes} processes (seed ${seed})\n`)
  const reports = await soak(opts)
  process.stdout.write((values.json ? JSON.stringify({ seed, reports }, null, 2) : formatReport(reports)) + '\n')
  process.exit(reports.every((r) => r.ok) ? 0 : 1)
}
