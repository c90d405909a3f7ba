/**
 * `runPipeline`: executes a compiled task graph on a backend. Every stage runs at once. Streaming
 * (default): until `signal` aborts. `once`: scheduled sources do one run now (honouring `runFor`)
 * while the relay already publishes what is staged and the consumers already store what is
 * published; a reading stage ends when every stage upstream of it in the compiled graph ended and
 * it drained what was there then (the outbox empty, the end offsets read at that moment) — so when
 * it returns every stage was drained.
 * Aborting `signal` is a graceful stop: inputs stop, in-flight batches finish and are acked; after
 * `graceMs` what is still in flight is nacked (redelivered by the next run) and the run returns.
 * The caller owns (and closes) the backend.
 */
import type { Sink, Source, StreamRecord } from '../../core/stream.js'
import { kindOf } from '../../connectors/connector.js'
import type { StageSpec } from '../../dsl/spec.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import { RecordError } from '../../core/errors.js'
import { EventBus } from '../../core/events.js'
import type { ScheduleTriggers } from '../scheduler/triggers.js'
import { Redactor } from '../../core/redact.js'
import { logEvents } from './event-log.js'
import { retry } from '../../core/retry.js'
import type { Backend } from '../../connectors/backend.js'
import { stageInputs, type SourceOverride } from './pipeline-sources.js'
import { compileRecordSteps, dlqTopicOf, stageTargets } from './record-steps.js'
import { newStageStats, runStage, type StageStats } from './stage-runner.js'

export interface RunOptions {
  /** `rtds run --once`: one run of every scheduled source, drain every stage, return. */
  readonly once?: boolean
  /** Abort = graceful shutdown (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal
  /** How long in-flight work may take after `signal` aborted (default 10 s). */
  readonly graceMs?: number
  /** How long a stage's input that fails retriably before its first record is started again (default 120 s). */
  readonly startRetryMs?: number
  /** Progress and event lines. */
  readonly log?: (line: string) => void
  /** Replace `http` sources by `generate`; default: `backend.mode === 'embedded'`. */
  readonly offline?: boolean
  /** Override the `runFor` of every schedule (ms). */
  readonly runFor?: number
  /** Interval of the progress lines in ms (default 5000; 0 = none). */
  readonly progressMs?: number
  /** Called for each listening source, e.g. the ingestion API (tests read its address). */
  readonly onListen?: (source: Source) => void
  /** The run's event seam (core/events.ts): subscribe for metrics; logging is subscribed already. */
  readonly events?: EventBus
  /** "Run now" of scheduled sources (the admin console). */
  readonly triggers?: ScheduleTriggers
  /** Whether event lines (retries, nacks, stage errors) go to `log` (default true; false when the caller logs the events itself). */
  readonly logEvents?: boolean
  /** Replaces pipeline sources' connectors (`rtds test` feeds its inputs this way); see `SourceOverride`. */
  readonly sourceOverride?: SourceOverride
  /** `rtds run --watch`: the engine sets `swap` on it while the run lasts (streaming runs only); see `StageSwap`. */
  readonly swap?: StageSwap
}

/**
 * Restarting some stages of a running pipeline on a new graph with the same stages (`rtds run
 * --watch`): each named stage is stopped gracefully on its own (its inputs stop, in-flight batches
 * finish and are acknowledged; after the grace period the rest is nacked), then started from the new
 * graph's spec; the other stages keep running untouched. Rejects when the run is stopping.
 */
export interface StageSwap {
  swap?: (graph: TaskGraph, stages: readonly string[]) => Promise<void>
}

/** What a run did. */
export interface RunSummary {
  readonly pipeline: string
  readonly mode: 'live' | 'embedded'
  readonly once: boolean
  /** `completed`: drained (once) or stopped gracefully; `stopped`: grace period ran out; `failed`: errors. */
  status: 'completed' | 'stopped' | 'failed'
  durationMs: number
  readonly stages: Record<string, StageStats>
  /** Records that entered the first stages (from pipeline sources). */
  recordsIn: number
  /** Records stored by the last stages (written to their final sinks). */
  recordsStored: number
  deadLettered: number
  /** recordsStored / duration (seconds). */
  recordsPerSecond: number
  errors: string[]
}

/**
 * For every stage of the compiled graph (in its topological order), the stages it waits for in
 * `--once`: those writing a topic or table it reads (graph edges stage → topic/table → stage).
 */
export function upstreamStages(graph: TaskGraph): Map<string, string[]> {
  const into = new Map<string, string[]>()
  for (const e of graph.edges) into.set(e.to, [...(into.get(e.to) ?? []), e.from])
  const stageName = (id: string): string | undefined => graph.nodes.find((n) => n.id === id && n.kind === 'stage')?.name
  const out = new Map<string, string[]>()
  for (const node of graph.nodes) {
    if (node.kind !== 'stage') continue
    const writers = (into.get(node.id) ?? []).flatMap((entity) => into.get(entity) ?? []).map(stageName).filter((n): n is string => n !== undefined)
    out.set(node.name, [...new Set(writers)])
  }
  return out
}

/** See the module comment. */
export async function runPipeline(graph: TaskGraph, backend: Backend, opts: RunOptions = {}): Promise<RunSummary> {
  const spec = graph.spec
  const log = opts.log ?? (() => {})
  const events = opts.events ?? new EventBus()
  const unsubscribeLog = opts.logEvents === false ? () => {} : logEvents(events, log)
  const once = opts.once ?? false
  const started = Date.now()
  const stop = new AbortController()
  const kill = new AbortController()
  const graceMs = opts.graceMs ?? 10_000
  let killTimer: NodeJS.Timeout | undefined
  const onSignal = (): void => {
    if (stop.signal.aborted) return
    log(`stopping: draining in-flight work (grace period ${graceMs} ms)`)
    stop.abort()
    killTimer = setTimeout(() => {
      log('grace period over: in-flight batches are handed back (nacked) for the next run')
      kill.abort()
    }, graceMs)
  }
  if (opts.signal?.aborted) onSignal()
  else opts.signal?.addEventListener('abort', onSignal, { once: true })

  const stages = Object.values(spec.stages)
  const stats: Record<string, StageStats> = Object.fromEntries(stages.map((s) => [s.name, newStageStats()]))
  const dlq = backend.deadLetters()
  const redactor = new Redactor(spec.redact ?? [])
  const summary: RunSummary = {
    pipeline: spec.pipeline, mode: backend.mode, once, status: 'completed', durationMs: 0, stages: stats,
    recordsIn: 0, recordsStored: 0, deadLettered: 0, recordsPerSecond: 0, errors: [],
  }

  const progress = (): string => stages.map((s) => `${s.name}: in ${stats[s.name].in} out ${stats[s.name].out} dlq ${stats[s.name].dlq}`).join(' | ')
  const progressTimer = (opts.progressMs ?? 5000) > 0 ? setInterval(() => log(progress()), opts.progressMs ?? 5000) : undefined
  progressTimer?.unref()

  const onUndecodable = async (stage: StageSpec, raw: StreamRecord, error: Error): Promise<void> => {
    const topic = dlqTopicOf(spec, stage)
    await retry(() => dlq.send(topic, raw, { stage: stage.name, error: new RecordError('decode', error.message, { cause: error }) }), {
      maxAttempts: Infinity,
      signal: kill.signal,
    })
    stats[stage.name].in++
    stats[stage.name].dlq++
    if (events.active) events.emit({ type: 'record.dead_lettered', stage: stage.name, component: topic, dlqTopic: topic, reason: 'decode', error: error.message, origin: raw.origin })
  }

  let live = graph // the graph the latest (re)started stages run on
  const runOne = async (stage: StageSpec, upstreamDone?: Promise<void>, own?: { stop: AbortSignal; kill: AbortSignal }): Promise<void> => {
    const g = live
    const spec = g.spec
    const sinks: Sink[] = stageTargets(spec, stage).map((t) => {
      const entity = t.kind === 'topic' ? t.topic : t.table
      const sink = backend.runtime(kindOf(entity)).sink
      if (!sink) throw new RecordError('config', `stage ${stage.name} writes ${entity.name}, whose connector cannot be written`)
      return sink(entity)
    })
    const { sources: inputs, tinyBatches } = stageInputs(stage, {
      spec, backend, once, offline: opts.offline ?? backend.mode === 'embedded', runFor: opts.runFor, log, onUndecodable, onListen: opts.onListen, sourceOverride: opts.sourceOverride, events, upstreamDone, triggers: opts.triggers,
    })
    try {
      await runStage({
        stage, inputs, sinks, prepare: compileRecordSteps(spec, stage, g.connectors), dlq, dlqTopic: dlqTopicOf(spec, stage),
        stats: stats[stage.name], stop: own ? AbortSignal.any([stop.signal, own.stop]) : stop.signal, kill: own ? AbortSignal.any([kill.signal, own.kill]) : kill.signal, events, redactor, restartInputs: !once,
        ...(opts.startRetryMs !== undefined ? { startRetryMs: opts.startRetryMs } : {}),
        // only request/response sources emit tiny batches worth waiting for (one transaction, many
        // requests) — and only when the sink does not group-commit by itself (a sink with a window does)
        lingerMs: tinyBatches && !sinks.some((s) => s.window) ? stage.batch.timeout : 0,
      })
    } finally {
      await Promise.all([...inputs.map((i) => i.close()), ...sinks.map((s) => s.close())].map((p) => p.catch(() => {})))
    }
  }

  try {
    // walk the compiled graph: every stage starts at once, --once included; in --once a stage's
    // readers learn when every stage upstream of it ended (then they drain what is there and end)
    const upstream = upstreamStages(graph)
    const running = new Map<string, Promise<void>>()
    const owns = new Map<string, { stop: AbortController; kill: AbortController }>()
    const start = (stage: StageSpec, upstreamDone?: Promise<void>): Promise<void> => {
      const own = { stop: new AbortController(), kill: new AbortController() }
      owns.set(stage.name, own)
      const p = runOne(stage, upstreamDone, { stop: own.stop.signal, kill: own.kill.signal })
      p.catch(() => {}) // awaited below; a swapped-in stage may fail before that
      return p
    }
    for (const [name, before] of upstream) {
      const stage = spec.stages[name]!
      const upstreamDone = once ? Promise.allSettled(before.map((b) => running.get(b))).then(() => {}) : undefined
      running.set(name, start(stage, upstreamDone))
    }
    let swaps: Promise<unknown> = Promise.resolve()
    if (opts.swap && !once) {
      opts.swap.swap = (next, names) => {
        const one = (async () => {
          if (stop.signal.aborted) throw new Error('the run is stopping')
          const missing = names.filter((n) => !running.has(n) || !next.spec.stages[n])
          if (missing.length) throw new Error(`no stage ${missing.join(', ')} in both versions`)
          live = next
          await Promise.all(names.map(async (name) => {
            const own = owns.get(name)!
            log(`restarting stage ${name}: draining its in-flight work (grace period ${graceMs} ms)`)
            own.stop.abort()
            const t = setTimeout(() => own.kill.abort(), graceMs)
            try { await running.get(name)!.catch(() => {}) } finally { clearTimeout(t) }
            if (stop.signal.aborted) return // the whole run is stopping meanwhile: nothing to start
            running.set(name, start(next.spec.stages[name]!))
          }))
        })()
        swaps = swaps.then(() => one).catch(() => {})
        return one
      }
    }
    // a swapped stage's promise is replaced: wait until every current one settled
    for (;;) {
      const current = [...running.values()]
      await Promise.all(current)
      await swaps
      if ([...running.values()].every((p, i) => p === current[i])) break
    }
    if (opts.swap) opts.swap.swap = undefined
  } finally {
    if (killTimer) clearTimeout(killTimer)
    if (progressTimer) clearInterval(progressTimer)
    opts.signal?.removeEventListener('abort', onSignal)
    unsubscribeLog()
  }

  const fromSources = stages.filter((s) => s.from.some((n) => spec.sources[n]))
  const last = stages.filter((s) => !stages.some((o) => s.to.some((t) => o.from.includes(t))))
  summary.durationMs = Date.now() - started
  summary.recordsIn = fromSources.reduce((n, s) => n + stats[s.name].in, 0)
  summary.recordsStored = last.reduce((n, s) => n + stats[s.name].out, 0)
  summary.deadLettered = stages.reduce((n, s) => n + stats[s.name].dlq, 0)
  summary.recordsPerSecond = Math.round(summary.recordsStored / Math.max(0.001, summary.durationMs / 1000))
  summary.errors = stages.flatMap((s) => stats[s.name].errors)
  summary.status = kill.signal.aborted ? 'stopped' : summary.errors.length ? 'failed' : 'completed'
  log(`done: ${progress()}`)
  return summary
}
