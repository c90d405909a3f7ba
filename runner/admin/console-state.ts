/**
 * What the web console shows live of one running pipeline, from its event seam (core/events.ts):
 * totals per stage (received, sent, dead-lettered, errors), the latest consumer lag and staging
 * backlog, the time of the last dead letter and error, the last run of each scheduled source, and a
 * ring buffer of per-second samples of those totals over the last minutes (rates are differences of
 * neighbouring samples).
 */
import type { EventBus } from '../../core/events.js'
import type { TaskGraph } from '../../dsl/graph-types.js'

export interface StageLive {
  received: number
  sent: number
  deadLettered: number
  errors: number
  lag: number | null
  backlog: number | null
  lastDeadLetterAt: number | null
  lastErrorAt: number | null
}

export interface Sample {
  /** ms since the epoch */
  readonly t: number
  /** per stage: [received, sent, deadLettered, lag, backlog] */
  readonly stages: Record<string, readonly [number, number, number, number, number]>
  /** per source: records its stages received from it */
  readonly sources: Record<string, number>
}

export interface SourceLive {
  running: boolean
  lastRun: { trigger: string; status: string; records: number; at: number; error?: string } | null
  next: number | null
}

export type Health = 'ok' | 'warn' | 'error'

/** Samples kept: 5 minutes at one a second. */
export const SAMPLES = 300

export class ConsoleState {
  readonly stages: Record<string, StageLive> = {}
  readonly sources: Record<string, SourceLive> = {}
  private readonly lagByPartition = new Map<string, number>()
  private readonly fromSource: Record<string, number> = {}
  private readonly ring: Sample[] = []
  private readonly timer: NodeJS.Timeout
  private readonly unsubscribe: () => void

  constructor(readonly graph: TaskGraph, bus: EventBus, private readonly now: () => number = Date.now) {
    for (const s of Object.keys(graph.spec.stages)) this.stages[s] = { received: 0, sent: 0, deadLettered: 0, errors: 0, lag: null, backlog: null, lastDeadLetterAt: null, lastErrorAt: null }
    this.unsubscribe = bus.on((e) => {
      if (e.type === 'server.health') return
      const st = this.stages[e.stage]
      switch (e.type) {
        case 'batch.read':
          if (st) st.received += e.records
          if (Object.hasOwn(graph.spec.sources, e.component)) this.fromSource[e.component] = (this.fromSource[e.component] ?? 0) + e.records
          break
        case 'records.written':
          if (st) st.sent += e.records
          break
        case 'record.dead_lettered':
          if (st) {
            st.deadLettered++
            st.lastDeadLetterAt = this.now()
          }
          break
        case 'stage.error':
          if (st) {
            st.errors++
            st.lastErrorAt = this.now()
          }
          break
        case 'lag': {
          this.lagByPartition.set(`${e.stage}\u0000${e.topic}\u0000${e.partition}`, e.lag)
          if (st) st.lag = [...this.lagByPartition].filter(([k]) => k.startsWith(`${e.stage}\u0000`)).reduce((a, [, v]) => a + v, 0)
          break
        }
        case 'staging.backlog':
          if (st) st.backlog = e.rows
          break
        case 'schedule.next':
          this.source(e.component).next = e.at
          break
        case 'schedule.started':
          this.source(e.component).running = true
          break
        case 'schedule.finished': {
          const s = this.source(e.component)
          s.running = false
          s.lastRun = { trigger: e.trigger, status: e.status, records: e.records, at: e.at, ...(e.error ? { error: e.error } : {}) }
          break
        }
      }
    })
    this.sample()
    this.timer = setInterval(() => this.sample(), 1000)
    this.timer.unref()
  }

  private source(name: string): SourceLive {
    return (this.sources[name] ??= { running: false, lastRun: null, next: null })
  }

  /** Takes one sample (every second). */
  sample(): void {
    const stages: Record<string, readonly [number, number, number, number, number]> = {}
    for (const [n, s] of Object.entries(this.stages)) stages[n] = [s.received, s.sent, s.deadLettered, s.lag ?? 0, s.backlog ?? 0]
    this.ring.push({ t: this.now(), stages, sources: { ...this.fromSource } })
    if (this.ring.length > SAMPLES) this.ring.shift()
  }

  /** The samples of the last `seconds` (oldest first). */
  samples(seconds = SAMPLES): Sample[] {
    return this.ring.slice(-Math.max(1, Math.min(SAMPLES, seconds)))
  }

  /** Records per second a stage received and sent over the last `seconds` samples. */
  rate(stage: string, seconds = 5): { received: number; sent: number } {
    const r = this.ring
    if (r.length < 2) return { received: 0, sent: 0 }
    const a = r[Math.max(0, r.length - 1 - seconds)], b = r[r.length - 1]
    const dt = Math.max(0.001, (b.t - a.t) / 1000)
    const x = a.stages[stage], y = b.stages[stage]
    if (!x || !y) return { received: 0, sent: 0 }
    return { received: Math.round(((y[0] - x[0]) / dt) * 10) / 10, sent: Math.round(((y[1] - x[1]) / dt) * 10) / 10 }
  }

  /** Records per second taken from a source over the last `seconds` samples. */
  sourceRate(source: string, seconds = 5): number {
    const r = this.ring
    if (r.length < 2) return 0
    const a = r[Math.max(0, r.length - 1 - seconds)], b = r[r.length - 1]
    const dt = Math.max(0.001, (b.t - a.t) / 1000)
    return Math.round((((b.sources[source] ?? 0) - (a.sources[source] ?? 0)) / dt) * 10) / 10
  }

  /** error: a stage error in the last 30 s; warn: a dead letter in the last 60 s, or lag/backlog over 1,000; else ok. */
  health(stage: string): Health {
    const s = this.stages[stage]
    if (!s) return 'ok'
    const t = this.now()
    if (s.lastErrorAt !== null && t - s.lastErrorAt < 30_000) return 'error'
    if ((s.lastDeadLetterAt !== null && t - s.lastDeadLetterAt < 60_000) || (s.lag ?? 0) > 1000 || (s.backlog ?? 0) > 1000) return 'warn'
    return 'ok'
  }

  /** The task graph with live figures on each node (`GET /api/graph`). */
  graphView(): unknown {
    const spec = this.graph.spec
    const readers = (name: string): string[] => Object.values(spec.stages).filter((s) => s.from.includes(name)).map((s) => s.name)
    const writers = (name: string): string[] => Object.values(spec.stages).filter((s) => s.to.includes(name)).map((s) => s.name)
    const worst = (hs: Health[]): Health => (hs.includes('error') ? 'error' : hs.includes('warn') ? 'warn' : 'ok')
    const nodes = this.graph.nodes.map((n) => {
      const base = { id: n.id, kind: n.kind, name: n.name, connector: n.connector }
      if (n.kind === 'stage') {
        const s = this.stages[n.name]
        return { ...base, health: this.health(n.name), ...s, rate: this.rate(n.name) }
      }
      if (n.kind === 'source') {
        const src = this.sources[n.name]
        const rs = readers(n.name)
        const rate = this.sourceRate(n.name)
        return { ...base, received: this.fromSource[n.name] ?? 0, health: src?.lastRun?.status === 'failed' ? 'error' : worst(rs.map((r) => this.health(r))), rate: { received: rate, sent: rate }, schedule: src ?? null }
      }
      // topic or table: what its writers send, and the lag/backlog of its readers
      const ws = writers(n.name), rs = readers(n.name)
      const lag = rs.map((r) => this.stages[r]?.lag).filter((x): x is number => x !== null && x !== undefined)
      const backlog = rs.map((r) => this.stages[r]?.backlog).filter((x): x is number => x !== null && x !== undefined)
      return {
        ...base, health: worst(rs.map((r) => this.health(r))),
        rate: { received: ws.reduce((a, w) => a + this.rate(w).sent, 0), sent: rs.reduce((a, r) => a + this.rate(r).received, 0) },
        lag: lag.length ? lag.reduce((a, b) => a + b, 0) : null, backlog: backlog.length ? Math.max(...backlog) : null,
      }
    })
    return { pipeline: this.graph.pipeline, nodes, edges: this.graph.edges }
  }

  close(): void {
    clearInterval(this.timer)
    this.unsubscribe()
  }
}
