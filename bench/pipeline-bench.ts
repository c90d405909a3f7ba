/**
 * The benchmark itself (`npm run bench`, `bench/run.ts` is its command line): in ONE run, against
 * the servers of `npm run services:up`, the raw ceilings of this machine and rtds on the same kind
 * of records (seeded randomuser users):
 *
 * - raw: cassandra-driver prepared INSERTs of `created_users` rows (best of 64…1024 in flight),
 *   kafkajs idempotent produce + no-op consume of the Avro values, multi-row Postgres inserts of
 *   staging rows;
 * - rtds `run --once` on a copy of pipelines/users.yaml whose pull is a `generate` source of N users:
 *   end to end, and per stage (ingest, relay = publish, consumer = store) from the run's stage timing;
 *   peak RSS of the process;
 * - rtds `run` (streaming) of the same copy fed by its ingestion API only: accepted users/s with
 *   p50/p99 at 64 and 256 keep-alive connections (one user per request) and with arrays of 100, a
 *   lone request's latency, and the latency from a 202 to the row being readable in Cassandra at half
 *   the sustainable rate.
 *
 * Everything the bench creates (pipeline copy: topic, staging schema, keyspace, subject) is dropped
 * at the end. Speeds are reported as ratios to the raw ceilings measured in the same run.
 */
import { sleep } from '../core/retry.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { generateUser } from '../connectors/generate/randomuser-generate.js'
import { kafka } from '../connectors/kafka/client.js'
import { stagingTableDdl } from '../connectors/postgres/ddl.js'
import { settings } from '../test/integration/connectors-support.js'
import { applyLiveCopy, rtds, startRtds, type LiveCopy } from '../test/e2e/e2e-support.js'
import { cassandraWriteRate, createdUserParams, createdUsersDdl } from './raw/cassandra-ceiling.js'
import { kafkaCeiling, userType, wireValue } from './raw/kafka-ceiling.js'
import { postgresInsertRate } from './raw/postgres-ceiling.js'
import { httpCeiling } from './raw/http-ceiling.js'
import { buildForBench } from './build.js'
import { httpLoad, percentile, type LoadResult } from './load/http-load.js'

export interface BenchOptions {
  /** Users of the `run --once` and of the raw Kafka / Postgres ceilings (default 200,000). */
  readonly users: number
  /** Longest a load phase of the API sends (ms), default 10 s. */
  readonly phaseMs: number
  /** Progress lines (stderr). */
  readonly progress: (line: string) => void
}

export interface ApiFigure {
  readonly connections: number
  readonly usersPerRequest: number
  readonly acceptedUsersPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly failed: number
  /** Why requests failed (reason → count). */
  readonly failures: Record<string, number>
}

export interface BenchResult {
  readonly at: string
  readonly host: string
  readonly cores: number
  readonly users: number
  readonly raw: {
    readonly cassandra: { readonly rowsPerSec: number; readonly bestConcurrency: number; readonly byConcurrency: Record<string, number>; readonly sampleRows: number }
    readonly kafkaProduceRowsPerSec: number
    readonly kafkaConsumeRowsPerSec: number
    readonly postgresInsertRowsPerSec: number
    /** node:http alone (parse the JSON body, answer 202) under the same load generator, one user per request: the best of 64 and 256 connections. */
    readonly http: { readonly requestsPerSec: number; readonly p50Ms: number; readonly p99Ms: number }
  }
  readonly rtds: {
    /** End to end (every stage at once) over N more users; `slowestStageSeconds`: the slowest stage run alone. */
    readonly once: { readonly users: number; readonly stored: number; readonly seconds: number; readonly usersPerSec: number; readonly slowestStageSeconds: number; readonly peakRssMb: number; readonly dlq: number }
    /** The consumer stage run alone over the N users: its process' peak RSS and what it stored. */
    readonly consumerPeakRssMb: number
    readonly consumerStored: number
    readonly ingestRowsPerSec: number
    readonly relayRowsPerSec: number
    readonly consumerRowsPerSec: number
    /** The API with the ingest stage alone (64 and 256 connections one user per request, 64 with arrays of 100). */
    readonly api: readonly ApiFigure[]
    /** The API at 64 connections, one user per request, while the relay and the consumer run in the same process. */
    readonly apiWithEveryStage: ApiFigure
    /** What the API alone accepted and what it staged (the same, or a 202 lied). */
    readonly apiAloneStaged: { readonly accepted: number; readonly staged: number }
    readonly loneRequestP50Ms: number
    readonly apiStored: { readonly accepted: number; readonly stored: number }
    readonly latency: { readonly ratePerSec: number; readonly samples: number; readonly p50Ms: number; readonly p99Ms: number }
  }
}

const mb = (kb: number) => Math.round(kb / 1024)

/** Peak RSS (VmHWM, kB) of a live process, 0 when it is gone. */
function peakRssKb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** The copy's YAML with its pull replaced: `generate` of `count` users (no schedule), or no pull at all (API only). */
function variant(yaml: string, pull: { seed: number; count: number } | undefined): string {
  const replaced = yaml.replace(/^ {2}randomuser:\n(?: {4}.*\n)+/m, pull ? `  randomuser:\n    generate: { seed: ${pull.seed}, count: ${pull.count} }\n` : '')
  return pull ? replaced : replaced.replace(/from: \[randomuser, api\]/, 'from: [api]')
}

/** Runs the benchmark; see the module comment. */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const { users: N, progress } = opts
  const seed = Math.floor(Math.random() * 1e9)
  progress(`building rtds (tsc) into bench/.out: the bench measures the compiled CLI users run …`)
  const entry = buildForBench()
  progress(`setting up a copy of pipelines/users.yaml (rtds apply) …`)
  const live: LiveCopy = await applyLiveCopy({ batch: 500 })
  const { copy, cass, pool } = live
  const base = readFileSync(copy.file, 'utf8')
  const onceFile = copy.file.replace(/\.yaml$/, '.once.yaml')
  const apiFile = copy.file.replace(/\.yaml$/, '.api.yaml')
  writeFileSync(onceFile, variant(base, { seed, count: N }))
  writeFileSync(apiFile, variant(base, undefined))
  try {
    // ---------------------------------------------------------------- raw ceilings
    const sample = Math.min(N, 40_000)
    progress(`raw Cassandra: prepared INSERTs of ${sample} rows at 64…1024 in flight …`)
    await cass.execute(createdUsersDdl(copy.keyspace, 'raw_created_users'))
    const rawRows = Array.from({ length: sample }, (_, i) => createdUserParams(generateUser(seed + 1, i)))
    const byConcurrency: Record<string, number> = {}
    for (const c of [64, 128, 256, 512, 1024]) {
      byConcurrency[c] = Math.round(await cassandraWriteRate(cass, copy.keyspace, 'raw_created_users', rawRows, c))
      progress(`  raw Cassandra at ${c} in flight: ${byConcurrency[c]} rows/s`)
    }
    const [bestC, bestRate] = Object.entries(byConcurrency).sort((a, b) => b[1] - a[1])[0]

    progress(`raw Kafka: produce + no-op consume of ${N} Avro values …`)
    const type = userType()
    const messages = Array.from({ length: N }, (_, i) => {
      const u = generateUser(seed + 2, i) as { login: { uuid: string } }
      return { key: u.login.uuid, value: wireValue(type, u) }
    })
    const k = await kafkaCeiling(kafka(settings, { clientId: 'rtds-bench' }), `${copy.topic}_raw`, messages)
    messages.length = 0
    progress(`  raw Kafka: produce ${Math.round(k.produceRowsPerSec)}/s, consume ${Math.round(k.consumeRowsPerSec)}/s`)

    progress(`raw Postgres: multi-row inserts of ${N} staging rows …`)
    for (const ddl of stagingTableDdl(copy.stagingSchema, 'raw_staging')) await pool.query(ddl)
    const pgRows = Array.from({ length: N }, (_, i): [string, string, string] => {
      const u = generateUser(seed + 3, i) as { login: { uuid: string } }
      return [u.login.uuid, JSON.stringify(u), `bench index=${i}`]
    })
    const pgRate = await postgresInsertRate(pool, copy.stagingSchema, 'raw_staging', pgRows)
    pgRows.length = 0
    progress(`  raw Postgres: ${Math.round(pgRate)} rows/s`)

    progress(`raw HTTP: node:http alone, one user per request, the best of 64 and 256 connections …`)
    const httpBodies = Array.from({ length: Math.max(512, Math.min(N, 40 * opts.phaseMs)) }, (_, i) => JSON.stringify(generateUser(seed + 6, i)))
    const httpRuns: LoadResult[] = []
    for (const connections of [64, 256]) {
      const r = await httpCeiling(httpBodies, connections, opts.phaseMs)
      httpRuns.push(r)
      progress(`  raw HTTP at ${connections} connections: ${Math.round(r.requests / r.seconds)} requests/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms`)
    }
    const [httpRaw] = httpRuns.sort((a, b) => b.requests / b.seconds - a.requests / a.seconds)
    httpBodies.length = 0

    // ---------------------------------------------------------------- rtds run --once: each stage alone, then end to end
    type Summary = { durationMs: number; recordsStored: number; deadLettered: number; stages: Record<string, { in: number; out: number; ms: number }> }
    const rate = (s: { in: number; ms: number }) => s.in / Math.max(0.001, s.ms / 1000)
    const runOnce = async (file: string, what: string): Promise<{ summary: Summary; peakKb: number }> => {
      progress(`rtds run --once: ${what} …`)
      const once = startRtds(['run', file, '--once', '--progress', '0', '--json'], {}, entry)
      let peakKb = 0
      const rss = setInterval(() => (peakKb = Math.max(peakKb, peakRssKb(once.child.pid))), 250)
      const ticker = setInterval(() => progress(`  … ${Math.round(peakKb / 1024)} MB peak RSS so far`), 10_000)
      const r = await once.done
      clearInterval(rss)
      clearInterval(ticker)
      if (r.code !== 0) throw new Error(`rtds run --once (${what}) failed (exit ${r.code}):\n${r.stderr.slice(-4000)}`)
      const [summary] = (JSON.parse(r.stdout) as { pipelines: Summary[] }).pipelines
      return { summary, peakKb }
    }
    // the stages alone: ingest into staging, then the relay over it, then the consumer over the topic
    const stageFile = (keep: string, pull: { seed: number; count: number } | undefined): string => {
      let y = variant(base, pull)
      for (const st of ['ingest', 'publish', 'store'].filter((x) => x !== keep)) y = y.replace(new RegExp(`^ {2}${st}:\\n(?: {4}.*\\n)+`, 'm'), '')
      if (!pull) y = y.replace(/^ {2}randomuser:\n(?: {4}.*\n)+/m, '')
      const f = copy.file.replace(/\.yaml$/, `.${keep}.yaml`)
      writeFileSync(f, y)
      return f
    }
    const ingestAlone = (await runOnce(stageFile('ingest', { seed, count: N }), `ingest alone (${N} generated users → staging)`)).summary.stages.ingest
    progress(`  ingest alone: ${Math.round(rate(ingestAlone))}/s`)
    const relayAlone = (await runOnce(stageFile('publish', undefined), 'relay alone (staging → Kafka)')).summary.stages.publish
    progress(`  relay alone: ${Math.round(rate(relayAlone))}/s`)
    const consumer = await runOnce(stageFile('store', undefined), 'consumer stage alone (Kafka → JSONata → Cassandra)')
    const consumerAlone = consumer.summary.stages.store
    progress(`  consumer alone: ${Math.round(rate(consumerAlone))}/s, peak RSS ${mb(consumer.peakKb)} MB`)
    const slowestAloneMs = Math.max(ingestAlone.ms, relayAlone.ms, consumerAlone.ms)
    // end to end on fresh users (another seed), every stage at once
    writeFileSync(onceFile, variant(base, { seed: seed + 5, count: N }))
    const e2e = await runOnce(onceFile, `end to end (${N} more users)`)
    const summary = e2e.summary
    const st = { ingest: ingestAlone, publish: relayAlone, store: consumerAlone }
    progress(`  end to end: ${summary.recordsStored} stored in ${(summary.durationMs / 1000).toFixed(1)} s (${(summary.durationMs / slowestAloneMs).toFixed(2)} × the slowest stage alone), peak RSS ${mb(e2e.peakKb)} MB; in/out per stage ${Object.entries(summary.stages).map(([k, v]) => `${k} ${v.in}/${v.out}`).join(', ')}`)
    const peakKb = consumer.peakKb

    // ---------------------------------------------------------------- rtds run (streaming), the API
    const api = `http://127.0.0.1:${copy.apiPort}/api/data`
    /** Starts a streaming `rtds run` of `file` and waits for its ingestion API. */
    const streamingRun = async (file: string): Promise<ReturnType<typeof startRtds>> => {
      const run = startRtds(['run', file, '--progress', '0'], {}, entry)
      for (let i = 0; ; i++) {
        const up = await fetch(`http://127.0.0.1:${copy.apiPort}/healthz`).then((r) => r.ok, () => false)
        if (up) return run
        if (i > 240 || run.child.exitCode !== null) {
          run.child.kill('SIGKILL')
          throw new Error(`the ingestion API did not come up:\n${run.output().slice(-4000)}`)
        }
        await sleep(250)
      }
    }
    const stopRun = async (run: ReturnType<typeof startRtds>): Promise<void> => {
      run.child.kill('SIGTERM')
      await Promise.race([run.done, sleep(15_000)])
      run.child.kill('SIGKILL')
      await run.done
    }
    let seq = 0
    let accepted = 0
    const acceptedIds: string[] = []
    const apiUser = () => generateUser(seed + 4, seq++) as { login: { uuid: string } }
    const phase = async (run: ReturnType<typeof startRtds>, connections: number, per: number, keep: string[] | undefined): Promise<ApiFigure> => {
      // as many bodies as can be sent in the phase at 40,000 users/s, at most N users
      const count = Math.max(connections * 2, Math.min(Math.ceil(N / per), Math.ceil((40 * opts.phaseMs) / per)))
      const users = Array.from({ length: count }, () => Array.from({ length: per }, apiUser))
      const bodies = users.map((u) => JSON.stringify(per === 1 ? u[0] : u))
      progress(`  API: ${connections} connections, ${per} user(s) per request, up to ${count} requests or ${opts.phaseMs / 1000} s …`)
      const r = await httpLoad({ url: api, connections, bodies, maxMs: opts.phaseMs, onAccepted: (i) => keep?.push(...users[i].map((u) => u.login.uuid)) })
      accepted += r.users
      progress(`    ${Math.round(r.users / r.seconds)} users/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.failed} failed`)
      if (r.failed) progress(`    failed requests: ${JSON.stringify(r.failures)}; the run's output so far ends:\n${run.output().slice(-3000)}`)
      return { connections, usersPerRequest: per, acceptedUsersPerSec: Math.round(r.users / r.seconds), p50Ms: r.p50Ms, p99Ms: r.p99Ms, failed: r.failed, failures: r.failures }
    }

    // the API alone: the ingest stage only (like the stages alone above); what it stages is set aside after
    progress(`rtds run (streaming), the ingest stage alone behind the ingestion API …`)
    const figures: ApiFigure[] = []
    const lone: number[] = []
    let acceptedAlone = 0
    const alone = await streamingRun(stageFile('ingest', undefined))
    try {
      const before = accepted
      figures.push(await phase(alone, 64, 1, undefined))
      figures.push(await phase(alone, 256, 1, undefined))
      figures.push(await phase(alone, 64, 100, undefined))
      for (let i = 0; i < 20; i++) {
        const r = await httpLoad({ url: api, connections: 1, bodies: [JSON.stringify(apiUser())], maxMs: 10_000 })
        lone.push(r.p50Ms)
        accepted += r.users
        await sleep(20)
      }
      lone.sort((a, b) => a - b)
      progress(`  lone request: p50 ${percentile(lone, 50).toFixed(1)} ms`)
      acceptedAlone = accepted - before
    } finally {
      await stopRun(alone)
    }
    // every user the API alone accepted is a staged row (nothing else is unpublished now); they are
    // marked published so the streaming run below starts without a backlog
    const stagedAlone = Number((await pool.query(`SELECT count(*) AS n FROM "${copy.stagingSchema}".staging_users WHERE published_at IS NULL`)).rows[0].n)
    await pool.query(`UPDATE "${copy.stagingSchema}".staging_users SET published_at = now() WHERE published_at IS NULL`)
    progress(`  the API alone accepted ${acceptedAlone} users, ${stagedAlone} staged`)

    progress(`rtds run (streaming), every stage, fed by the ingestion API …`)
    const streaming = await streamingRun(apiFile)
    try {
      accepted = 0
      const full = await phase(streaming, 64, 1, acceptedIds)
      // how many accepted users are readable in Cassandra (looked up by id: a count(*) of a big table times out)
      const found = new Set<string>()
      const drain = async (what: string): Promise<number> => {
        progress(`  waiting for the pipeline to store ${what} …`)
        for (let i = 0, last = -1, still = 0; i < 600 && found.size < acceptedIds.length; i++) {
          const missing = acceptedIds.filter((id) => !found.has(id))
          for (let k = 0; k < missing.length; k += 100) {
            const rows = (await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users WHERE id IN ?`, [missing.slice(k, k + 100)], { prepare: true })).rows
            for (const r of rows) found.add(r.get('id').toString())
          }
          if (found.size === last && ++still > 20) break // no progress for ~20 s: what is missing is lost (the test fails on it)
          if (found.size !== last) still = 0
          last = found.size
          if (found.size < acceptedIds.length) await sleep(1000)
        }
        return found.size
      }
      await drain('what the API accepted')

      // 202 → readable at half the sustainable rate (every stage running)
      const sustainable = Math.min(full.acceptedUsersPerSec, rate(st.publish), rate(st.store))
      const target = Math.max(1, Math.floor(sustainable / 2))
      const latencyMs = Math.min(opts.phaseMs, 10_000)
      const latencyUsers = Array.from({ length: Math.max(10, Math.ceil((target * latencyMs) / 1000)) }, apiUser)
      progress(`  202 → row readable: ${target} users/s (half of ${Math.round(sustainable)}/s) for ${latencyMs / 1000} s …`)
      const pending = new Map<string, number>()
      const seen: number[] = []
      let polling = true
      const poller = (async () => {
        const giveUp = performance.now() + latencyMs + 60_000
        while ((polling || pending.size > 0) && performance.now() < giveUp) {
          const ids = [...pending.keys()].slice(0, 100)
          if (ids.length > 0) {
            const rows = (await cass.execute(`SELECT id FROM "${copy.keyspace}".created_users WHERE id IN ?`, [ids], { prepare: true })).rows
            const now = performance.now()
            for (const r of rows) {
              const id = r.get('id').toString()
              const at = pending.get(id)
              if (at !== undefined) (seen.push(now - at), pending.delete(id))
            }
          }
          await sleep(2)
        }
      })()
      const load = await httpLoad({
        url: api, connections: 64, bodies: latencyUsers.map((u) => JSON.stringify(u)), maxMs: latencyMs, ratePerSec: target,
        onAccepted: (index, at) => (pending.set(latencyUsers[index].login.uuid, at), acceptedIds.push(latencyUsers[index].login.uuid)),
      })
      accepted += load.users
      polling = false
      await poller
      seen.sort((a, b) => a - b)
      progress(`    ${seen.length} of ${load.users} rows seen: p50 ${percentile(seen, 50).toFixed(1)} ms, p99 ${percentile(seen, 99).toFixed(1)} ms`)
      const apiStored = await drain('the rest')

      const res: BenchResult = {
        at: new Date().toISOString(), host: (await import('node:os')).hostname(), cores: (await import('node:os')).cpus().length, users: N,
        raw: {
          cassandra: { rowsPerSec: bestRate, bestConcurrency: Number(bestC), byConcurrency, sampleRows: sample },
          kafkaProduceRowsPerSec: Math.round(k.produceRowsPerSec), kafkaConsumeRowsPerSec: Math.round(k.consumeRowsPerSec), postgresInsertRowsPerSec: Math.round(pgRate),
          http: { requestsPerSec: Math.round(httpRaw.requests / httpRaw.seconds), p50Ms: httpRaw.p50Ms, p99Ms: httpRaw.p99Ms },
        },
        rtds: {
          once: { users: N, stored: summary.recordsStored, seconds: summary.durationMs / 1000, usersPerSec: Math.round(summary.recordsStored / (summary.durationMs / 1000)),
            slowestStageSeconds: slowestAloneMs / 1000, peakRssMb: mb(e2e.peakKb), dlq: summary.deadLettered },
          consumerPeakRssMb: mb(peakKb), consumerStored: consumerAlone.out,
          ingestRowsPerSec: Math.round(rate(st.ingest)), relayRowsPerSec: Math.round(rate(st.publish)), consumerRowsPerSec: Math.round(rate(st.store)),
          api: figures, apiWithEveryStage: full, apiAloneStaged: { accepted: acceptedAlone, staged: stagedAlone }, loneRequestP50Ms: percentile(lone, 50),
          apiStored: { accepted, stored: apiStored },
          latency: { ratePerSec: target, samples: seen.length, p50Ms: percentile(seen, 50), p99Ms: percentile(seen, 99) },
        },
      }
      return res
    } finally {
      await stopRun(streaming)
    }
  } finally {
    progress('dropping what the bench created …')
    await live.close()
  }
}
