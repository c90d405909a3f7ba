/**
 * What `rtds status` reports of a pipeline: from its running `rtds run` (the admin endpoint's
 * `/api/stages`, sampled twice for rates) the records per stage; from the servers (the connectors'
 * `observe` with detail) consumer lag, staging backlog, registry subject versions, Cassandra row
 * estimates and each server's health; from Postgres the latest scheduled runs; from the DLQ topics
 * the dead letters by reason; the next fire time of each schedule. Each part is independent: a
 * server that is down is named and the rest is still reported.
 */
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { LiveBackend } from '../../connectors/live-backend.js'
import { kindOf, type ServerHealth } from '../../connectors/connector.js'
import { readDeadLetters } from '../../connectors/kafka/dlq-read.js'
import { within } from '../../connectors/observe.js'
import { consumerGroupOf } from '../engine/pipeline-sources.js'
import { deadLetterTopics } from '../dlq/dead-letters.js'
import { fireTimes } from '../scheduler/schedule.js'

type StageTotals = Record<string, { received: number; sent: number; deadLettered: number }>

export interface StageStatus {
  readonly name: string
  /** Totals of the running process (absent when none was found). */
  received?: number
  sent?: number
  deadLettered?: number
  /** Records per second over the sampling interval. */
  receivedPerSecond?: number
  sentPerSecond?: number
  /** Consumer lag (sum over partitions) of the topic it reads. */
  lag?: number
  /** Unpublished rows of the staging table it relays. */
  backlog?: number
}

export interface PipelineStatus {
  readonly pipeline: string
  readonly file: string
  /** The admin endpoint of a running `rtds run` of this pipeline, or null. */
  running: string | null
  readonly servers: ServerHealth[]
  readonly stages: StageStatus[]
  deadLetters?: { total: number; byReason: Record<string, number> }
  readonly schedules: { source: string; next: string | null; last?: { status: string; trigger: string; startedAt: string; finishedAt: string | null; records: number; deadLettered: number; error?: string } }[]
  readonly subjects: { name: string; version?: number }[]
  readonly tables: { name: string; rowsEstimate?: number }[]
  /** Parts that could not be read, with why. */
  readonly unavailable: string[]
}

async function stageTotals(url: string, pipeline: string): Promise<StageTotals | undefined> {
  const res = await fetch(`${url}/api/stages`, { signal: AbortSignal.timeout(3000) })
  if (!res.ok) return undefined
  const body = (await res.json()) as { pipelines?: Record<string, StageTotals> }
  return body.pipelines?.[pipeline]
}

/** See the module comment. `admins`: admin endpoints to look for a running process (first that knows the pipeline wins). */
export async function pipelineStatus(graph: TaskGraph, backend: LiveBackend, opts: { readonly admins: readonly string[]; readonly sampleMs?: number }): Promise<PipelineStatus> {
  const spec = graph.spec
  const st: PipelineStatus = {
    pipeline: spec.pipeline, file: spec.file, running: null, servers: [], stages: Object.values(spec.stages).map((s) => ({ name: s.name })),
    schedules: [], subjects: [], tables: [], unavailable: [],
  }
  const stage = (name: string): StageStatus => st.stages.find((s) => s.name === name)!

  // the running process
  for (const url of opts.admins) {
    const first = await stageTotals(url, spec.pipeline).catch(() => undefined)
    if (!first) continue
    st.running = url
    const t0 = Date.now()
    await new Promise((r) => setTimeout(r, opts.sampleMs ?? 1000))
    const second = (await stageTotals(url, spec.pipeline).catch(() => undefined)) ?? first
    const secs = Math.max(0.001, (Date.now() - t0) / 1000)
    for (const [name, v] of Object.entries(second)) {
      const s = st.stages.find((x) => x.name === name)
      if (!s) continue
      Object.assign(s, { received: v.received, sent: v.sent, deadLettered: v.deadLettered,
        receivedPerSecond: Math.round(((v.received - (first[name]?.received ?? 0)) / secs) * 10) / 10,
        sentPerSecond: Math.round(((v.sent - (first[name]?.sent ?? 0)) / secs) * 10) / 10 })
    }
    break
  }

  // the servers: lag, backlog, subjects, row estimates, health
  const servers = new Map<string, ServerHealth>()
  const readers = (name: string) => Object.values(spec.stages).filter((s) => s.from.includes(name)).map((s) => s.name)
  for (const entity of [...Object.values(spec.topics), ...Object.values(spec.tables)]) {
    const observe = backend.runtime(kindOf(entity)).observe
    if (!observe) continue
    const names = readers(entity.name)
    const o = await observe(entity, names.map((n) => consumerGroupOf(spec.pipeline, n)), { detail: true })
    for (const h of o.servers) if (!servers.has(h.server) || !h.up) servers.set(h.server, h)
    for (const n of names) {
      const lag = o.lag?.filter((l) => l.group === consumerGroupOf(spec.pipeline, n))
      if (lag?.length) stage(n).lag = lag.reduce((a, l) => a + l.lag, 0)
      if (o.backlog !== undefined) stage(n).backlog = o.backlog
    }
    if (o.subject) st.subjects.push(o.subject)
    if (o.rowsEstimate !== undefined) st.tables.push({ name: entity.name, rowsEstimate: o.rowsEstimate })
  }
  st.servers.push(...servers.values())
  const down = new Set(st.servers.filter((s) => !s.up).map((s) => s.server))

  // dead letters by reason
  if (!down.has('kafka')) {
    try {
      const admin = await within(backend.admin(), 5000, 'kafka')
      const letters = (await Promise.all(deadLetterTopics(graph).map((t) => readDeadLetters(backend.kafka(), admin, t, backend.settings, 20_000)))).flat()
      const byReason: Record<string, number> = {}
      for (const d of letters) byReason[d.headers['rtds.reason'] ?? 'unknown'] = (byReason[d.headers['rtds.reason'] ?? 'unknown'] ?? 0) + 1
      st.deadLetters = { total: letters.length, byReason }
    } catch (err) {
      st.unavailable.push(`dead letters: ${(err as Error).message}`)
    }
  } else st.unavailable.push('dead letters: Kafka is unreachable')

  // schedules: next fire time, last run from the run history
  let recent: Awaited<ReturnType<NonNullable<ReturnType<LiveBackend['runHistory']>['recent']>>> = []
  try {
    recent = (await within(backend.runHistory().recent?.(spec.pipeline, 100) ?? Promise.resolve([]), 5000, 'postgres')) ?? []
  } catch (err) {
    st.unavailable.push(`run history: ${(err as Error).message.split('\n')[0]}`)
  }
  for (const src of Object.values(spec.sources)) {
    if (!src.schedule) continue
    let next: string | null = null
    try {
      next = fireTimes(src.schedule).next(new Date())?.toISOString() ?? null
    } catch {
      next = null
    }
    const last = recent.find((r) => r.source === src.name)
    st.schedules.push({
      source: src.name, next,
      ...(last ? { last: { status: last.status, trigger: last.trigger, startedAt: last.startedAt.toISOString(), finishedAt: last.finishedAt?.toISOString() ?? null, records: last.records, deadLettered: last.deadLettered, ...(last.error ? { error: last.error } : {}) } } : {}),
    })
  }
  return st
}

/** The text form of a status. */
export function formatStatus(s: PipelineStatus): string {
  const lines = [`${s.pipeline} (${s.file}): ${s.running ? `running, admin ${s.running}` : 'no running rtds run found'}`]
  lines.push(`  servers: ${s.servers.map((x) => `${x.server} ${x.up ? 'up' : `DOWN (${x.error ?? 'no answer'})`}`).join(', ') || '(none probed)'}`)
  for (const st of s.stages) {
    const parts = [
      st.received !== undefined ? `in ${st.received} (${st.receivedPerSecond}/s)` : '',
      st.sent !== undefined ? `out ${st.sent} (${st.sentPerSecond}/s)` : '',
      st.deadLettered !== undefined ? `dlq ${st.deadLettered}` : '',
      st.lag !== undefined ? `lag ${st.lag}` : '',
      st.backlog !== undefined ? `backlog ${st.backlog}` : '',
    ].filter(Boolean)
    lines.push(`  stage ${st.name}: ${parts.join(', ') || '-'}`)
  }
  if (s.deadLetters) lines.push(`  dead letters: ${s.deadLetters.total}${s.deadLetters.total ? ` (${Object.entries(s.deadLetters.byReason).map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`)
  for (const sc of s.schedules) {
    lines.push(`  schedule ${sc.source}: next ${sc.next ?? 'never'}${sc.last ? `; last ${sc.last.status} (${sc.last.trigger}) at ${sc.last.startedAt}, ${sc.last.records} record(s), ${sc.last.deadLettered} dead-lettered${sc.last.error ? ` — ${sc.last.error}` : ''}` : '; no run recorded'}`)
  }
  for (const sub of s.subjects) lines.push(`  subject ${sub.name}: ${sub.version !== undefined ? `version ${sub.version}` : 'not registered (or registry down)'}`)
  for (const t of s.tables) lines.push(`  table ${t.name}: ~${t.rowsEstimate} row(s) (estimate)`)
  for (const u of s.unavailable) lines.push(`  unavailable: ${u}`)
  return lines.join('\n') + '\n'
}
