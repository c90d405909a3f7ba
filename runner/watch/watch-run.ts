/**
 * `rtds run --watch`: runs one pipeline and reloads it when its file or a transform/schema file it
 * references changes (fs.watch on their folders, so editors that save by rename are seen; debounced).
 * Each change is decided by `decideReload`; a `reload` applies the plan's changes (non-destructive
 * ones only) and then restarts the stages that changed when only stages changed (a transform edit:
 * the ingestion API stays up), else EVERY stage: the running version is stopped gracefully (inputs stop,
 * in-flight batches finish and are acked: Kafka offsets committed, the outbox keeps what is not yet
 * published), then the new graph starts on the same backend. Refused or invalid edits change nothing.
 * Reloads are serialised: an edit made during a reload is decided after it.
 */
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { Backend } from '../../connectors/backend.js'
import { runPipeline, type RunOptions, type RunSummary, type StageSwap } from '../engine/run-pipeline.js'
import { changedStages, decideReload, describeDecision, fingerprint, referencedFiles, type DecideOptions, type ReloadDecision } from './reload-decision.js'

/** Watches files through their folders; calls `onChange` once per burst of changes (`debounceMs`). */
export class FileWatch {
  private watchers = new Map<string, FSWatcher>()
  private names = new Set<string>()
  private timer?: NodeJS.Timeout
  constructor(private readonly onChange: () => void, private readonly debounceMs = 300) {}

  /** Watches exactly `files` from now on. */
  set(files: readonly string[]): void {
    this.names = new Set(files)
    const dirs = new Set(files.map(dirname))
    for (const [d, w] of this.watchers) if (!dirs.has(d)) { w.close(); this.watchers.delete(d) }
    for (const d of dirs) {
      if (this.watchers.has(d)) continue
      try {
        const w = watch(d, { persistent: false }, (_event, name) => {
          if (name && ![...this.names].some((f) => dirname(f) === d && basename(f) === String(name))) return
          clearTimeout(this.timer)
          this.timer = setTimeout(this.onChange, this.debounceMs)
        })
        w.on('error', () => {})
        this.watchers.set(d, w)
      } catch { /* folder gone: its files count as missing when the pipeline is reloaded */ }
    }
  }

  close(): void {
    clearTimeout(this.timer)
    for (const w of this.watchers.values()) w.close()
    this.watchers.clear()
  }
}

export interface WatchOptions {
  readonly file: string
  readonly load: DecideOptions['load']
  readonly plan?: DecideOptions['plan']
  /** Applies a plan the decision accepted (live servers); throws to refuse (e.g. the plan moved). */
  readonly apply?: (graph: TaskGraph) => Promise<void>
  readonly log: (line: string) => void
  readonly debounceMs?: number
  /** Called after each decision (tests, metrics). */
  readonly onDecision?: (d: ReloadDecision) => void
}

/** Adds up the summaries of the versions one watched run went through. */
export function mergeSummaries(list: readonly RunSummary[]): RunSummary {
  const last = list[list.length - 1]!
  if (list.length === 1) return last
  const stages: RunSummary['stages'] = {}
  for (const s of list) {
    for (const [name, st] of Object.entries(s.stages)) {
      const into = stages[name]
      if (!into) stages[name] = { ...st, errors: [...st.errors] }
      else {
        for (const k of Object.keys(st) as (keyof typeof st)[]) {
          if (typeof st[k] !== 'number' || typeof into[k] !== 'number') continue
          const a = into[k] as number, b = st[k] as number
          ;(into as unknown as Record<string, number>)[k] = k.endsWith('HighWater') ? Math.max(a, b) : a + b
        }
        into.errors.push(...st.errors)
      }
    }
  }
  const sum = (k: 'recordsIn' | 'recordsStored' | 'deadLettered' | 'durationMs'): number => list.reduce((n, s) => n + s[k], 0)
  const durationMs = sum('durationMs')
  const recordsStored = sum('recordsStored')
  return {
    ...last, stages, durationMs, recordsIn: sum('recordsIn'), recordsStored, deadLettered: sum('deadLettered'),
    recordsPerSecond: Math.round(recordsStored / Math.max(0.001, durationMs / 1000)),
    errors: list.flatMap((s) => s.errors),
    status: list.some((s) => s.status === 'failed') ? 'failed' : last.status,
  }
}

/**
 * Runs `graph` until `run.signal` aborts (or a version fails on its own), reloading on edits; see
 * the module comment. Returns the summed summary of every version.
 */
export async function runWatched(graph: TaskGraph, backend: Backend, run: RunOptions, w: WatchOptions): Promise<RunSummary> {
  const outer = run.signal
  let current = graph
  let files = referencedFiles(w.file, graph.spec)
  let fp = fingerprint(files)
  let pending: TaskGraph | undefined
  let version: AbortController | undefined
  let chain = Promise.resolve()
  let queued = false

  const reload = async (): Promise<void> => {
    let d: ReloadDecision
    try {
      d = await decideReload({ file: w.file, current, currentFingerprint: fp, currentFiles: files, load: w.load, plan: w.plan })
    } catch (err) {
      w.log(`reload refused: could not plan against the servers: ${(err as Error).message}; the running version continues`)
      return
    }
    files = d.files
    watcher.set(files)
    for (const line of describeDecision(w.file, d)) w.log(line)
    if (d.kind === 'invalid' || d.kind === 'refused') fp = d.fingerprint // the same broken content is not re-reported
    if (d.kind === 'reload') {
      if (d.apply && w.apply) {
        try {
          await w.apply(d.graph)
          w.log('reload: plan applied')
        } catch (err) {
          w.log(`reload refused: apply failed: ${(err as Error).message}; the running version continues`)
          w.onDecision?.({ kind: 'refused', reason: (err as Error).message, plan: d.plan, files: d.files, fingerprint: d.fingerprint })
          fp = d.fingerprint
          return
        }
      }
      fp = d.fingerprint
      const names = changedStages(current.spec, d.graph.spec)
      if (names && names.length === 0) {
        current = d.graph
        w.log('reload: no stage changed; nothing restarted')
      } else if (names && swap.swap) {
        w.log(`reload: only stage(s) ${names.join(', ')} changed: restarting them (the other stages keep running)`)
        try {
          await swap.swap(d.graph, names)
          current = d.graph
          w.log(`reload: stage(s) ${names.join(', ')} restarted on the new version`)
          w.onDecision?.(d)
          return
        } catch (err) {
          w.log(`reload: restarting ${names.join(', ')} failed (${(err as Error).message}): restarting every stage`)
        }
      }
      if (current !== d.graph) {
        pending = d.graph
        w.log('reload: stopping every stage of the running version gracefully (in-flight batches finish and are acknowledged)')
        version?.abort()
      }
    }
    w.onDecision?.(d)
  }
  const watcher = new FileWatch(() => {
    if (queued) return
    queued = true
    chain = chain.then(() => { queued = false; return reload() }).catch((err) => w.log(`reload failed: ${(err as Error).message}`))
  }, w.debounceMs ?? 300)
  watcher.set(files)
  w.log(`watching ${files.length} file(s) for changes: ${files.join(', ')}`)

  const swap: StageSwap = {}
  const summaries: RunSummary[] = []
  try {
    for (;;) {
      const ctl = new AbortController()
      version = ctl
      const onOuter = (): void => ctl.abort()
      if (outer?.aborted) ctl.abort()
      else outer?.addEventListener('abort', onOuter, { once: true })
      try {
        summaries.push(await runPipeline(current, backend, { ...run, signal: ctl.signal, swap }))
      } finally {
        outer?.removeEventListener('abort', onOuter)
      }
      if (outer?.aborted || !pending) break
      current = pending
      pending = undefined
      w.log(`reload: the new version starts (every stage: ${Object.keys(current.spec.stages).join(', ')})`)
    }
  } finally {
    watcher.close()
    await chain.catch(() => {})
  }
  return mergeSummaries(summaries)
}
