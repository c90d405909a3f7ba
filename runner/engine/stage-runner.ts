/**
 * One stage as a loop of small named steps. Its inputs (sources) push batches into a bounded
 * queue (back-pressure: `emit` waits while the queue is full); `parallelism` workers each run
 *
 *   read (take a group of queued batches up to `batch.size`, waiting up to `lingerMs` for more)
 *   → prepare (decode happened in the source; validate + transform per record: `prepare`)
 *   → write (every target in chunks of `batch.size`; retriable failures retried with backoff while
 *     the source waits)
 *   → dead-letter (the records that failed, with their reason)
 *   → ack (only then; a group whose writes cannot complete is nacked — never acked with records missing).
 *
 * A stage whose sinks declare no window writes its groups one after another, in the order it read
 * them, but hands a written group's dead-letter → ack steps to the background (at most a few), so an
 * ack that is a round trip of its own (the outbox's UPDATE + COMMIT) does not hold the next write.
 *
 * A stage whose sinks declare a `window` (records worth keeping in flight, e.g. the Cassandra sink's
 * shared window of prepared writes) is pipelined: a worker hands the prepared group's write → dead-letter
 * → ack to the background and reads the next group while fewer than `window` records are in flight.
 * Groups then settle out of order; sources move their position only over the contiguous acked prefix
 * (Kafka: `PartitionProgress`, the low watermark), so nothing is committed past an unacknowledged write.
 *
 * Each step is an exported function testable alone. Everything worth observing is emitted on the
 * stage's `EventBus` (core/events.ts); logging is one subscriber (`logEvents`).
 */
import type { DeadLetterSink, Sink, Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { StageSpec } from '../../dsl/spec.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { EventBus } from '../../core/events.js'
import { backoffDelay, isRetriable, retry, sleep, type RetryOptions } from '../../core/retry.js'
import type { ObservedBatch } from '../scheduler/scheduled-source.js'
import { BoundedQueue } from './bounded-queue.js'
import type { Redactor } from '../../core/redact.js'
import type { Prepared } from './record-steps.js'
import { messageOf } from './record-steps.js'

/** Counters of one stage (the progress lines and the summary). */
export interface StageStats {
  in: number
  out: number
  dlq: number
  batches: number
  nacked: number
  retries: number
  /** Largest number of batches waiting in the stage's queue. */
  queueHighWater: number
  /** Most records being written at once (pipelined stages: sinks with a window). */
  inFlightHighWater: number
  /** Wall-clock time the stage ran (ms). */
  ms: number
  /** Records being written right now (sinks not yet acknowledged). */
  inFlight: number
  errors: string[]
}

export function newStageStats(): StageStats {
  return { in: 0, out: 0, dlq: 0, batches: 0, nacked: 0, retries: 0, queueHighWater: 0, inFlightHighWater: 0, ms: 0, inFlight: 0, errors: [] }
}

export interface StageRunOptions {
  readonly stage: StageSpec
  readonly inputs: readonly Source[]
  /** One sink per entry of `stage.to`, same order. */
  readonly sinks: readonly Sink[]
  readonly prepare: (record: StreamRecord) => Promise<Prepared>
  readonly dlq: DeadLetterSink
  readonly dlqTopic: string
  readonly stats: StageStats
  /** Aborting stops the inputs (graceful stop: in-flight work still completes). */
  readonly stop: AbortSignal
  /** Aborting gives up on in-flight work (grace period over): retries end, batches are nacked. */
  readonly kill: AbortSignal
  /** Where the stage's events go (logging, metrics). */
  readonly events: EventBus
  /** Masks the pipeline's `redact:` fields in dead letters and in the messages about them. */
  readonly redactor?: Redactor
  /** Queue capacity in batches (default 2 × parallelism). */
  readonly queueCapacity?: number
  /**
   * Streaming mode: an input whose `run` throws a retriable error (server down) is started again
   * after a backoff with jitter, until `stop` aborts. Otherwise (`--once`) its error is recorded.
   */
  readonly restartInputs?: boolean
  /**
   * An input whose `run` throws a retriable error before it emitted anything (a server that is
   * down or still starting) is started again with backoff in every mode; without `restartInputs`
   * only for this long after its first start (default 120 s), then the error is recorded.
   */
  readonly startRetryMs?: number
  /**
   * How long a worker waits for more batches to fill `batch.size` (default `batch.timeout`). Queued
   * batches are always merged; waiting only pays off for sources that emit tiny batches
   * (`http_server`: one per request), not for those already batching by `batch.size`.
   */
  readonly lingerMs?: number
}

/** Records of a group, prepared: the outputs per target (in `to` order) and the records that failed. */
export interface PreparedGroup {
  readonly perTarget: { readonly out: StreamRecord; readonly src: StreamRecord }[][]
  readonly failed: Map<StreamRecord, Error>
}

/**
 * Step "read": the next group of batches — the first queued one, topped up with queued batches to
 * `size` records, waiting at most `lingerMs` for more. Undefined when the queue is closed and empty.
 */
export async function readGroup(queue: BoundedQueue<SourceBatch>, size: number, lingerMs: number, kill: AbortSignal): Promise<SourceBatch[] | undefined> {
  const first = await queue.pop()
  if (!first) return undefined
  const group = [first]
  let n = first.records.length
  const deadline = Date.now() + lingerMs
  while (n < size && !kill.aborted) {
    const more = await queue.popWithin(deadline - Date.now())
    if (!more) break
    group.push(more)
    n += more.records.length
  }
  return group
}

/** Step "prepare": validate and transform every record of the group (`prepare`), per target. */
export async function prepareGroup(group: readonly SourceBatch[], prepare: (record: StreamRecord) => Promise<Prepared>, targets: number): Promise<PreparedGroup> {
  const perTarget: PreparedGroup['perTarget'] = Array.from({ length: targets }, () => [])
  const failed = new Map<StreamRecord, Error>()
  for (const batch of group)
    for (const record of batch.records) {
      const p = await prepare(record)
      if ('error' in p) failed.set(record, p.error)
      else p.outputs.forEach((out, i) => perTarget[i].push({ out, src: record }))
    }
  return { perTarget, failed }
}

/**
 * Step "write": every target's outputs (of records that did not fail before) in chunks of `size`,
 * each chunk retried by `retryWrite` while retriable; a record the sink refuses joins `failed`.
 * Chunks go one after another, or all at once to a sink with a `window` (it bounds its own writes).
 */
export async function writeTargets(
  sinks: readonly Sink[], prepared: PreparedGroup, size: number,
  retryWrite: <T>(sink: Sink, fn: () => Promise<T>) => Promise<T>,
  written: (sink: Sink, records: number, ms: number) => void = () => {},
): Promise<void> {
  const { perTarget, failed } = prepared
  for (const [i, sink] of sinks.entries()) {
    const items = perTarget[i].filter((it) => !failed.has(it.src))
    const writeChunk = async (chunk: typeof items): Promise<void> => {
      const back = new Map(chunk.map((it) => [it.out, it.src]))
      const began = Date.now()
      const failures = await retryWrite(sink, () => sink.write(chunk.map((it) => it.out)))
      written(sink, chunk.length - failures.length, Date.now() - began)
      for (const f of failures) {
        const src = back.get(f.record) ?? f.record
        failed.set(src, f.error instanceof RecordError ? f.error : new RecordError('sink', `${sink.name}: ${f.error.message}`, { cause: f.error }))
      }
    }
    const chunks: (typeof items)[] = []
    for (let s = 0; s < items.length; s += size) chunks.push(items.slice(s, s + size))
    if (!sink.window) {
      for (const chunk of chunks) await writeChunk(chunk)
      continue
    }
    // a sink with a window (shared in-flight writes, group commit) takes every chunk at once
    const outcomes = await Promise.allSettled(chunks.map(writeChunk))
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    if (rejected) throw rejected.reason
  }
}

/** Step "dead-letter": sends each failed record of each batch; returns the count per batch. */
export async function deadLetterFailed(group: readonly SourceBatch[], failed: ReadonlyMap<StreamRecord, Error>, send: (record: StreamRecord, error: Error) => Promise<void>): Promise<number[]> {
  const counts: number[] = []
  for (const batch of group) {
    let dead = 0
    for (const record of batch.records) {
      const error = failed.get(record)
      if (!error) continue
      await send(record, error)
      dead++
    }
    counts.push(dead)
  }
  return counts
}

/**
 * Step "ack": acks every batch of the group, or nacks them with `error`. A source failing to take
 * the ack or nack back is reported (`onFailure`); the batch is then delivered again by its source.
 */
export async function settleGroup(group: readonly SourceBatch[], error: Error | undefined, onFailure: (what: 'ack' | 'nack', err: unknown) => void): Promise<void> {
  for (const batch of group) {
    try {
      if (error) await batch.nack(error)
      else await batch.ack()
    } catch (err) {
      onFailure(error ? 'nack' : 'ack', err)
    }
  }
}

/** Size of one value: raw bytes as they are, anything else as JSON. */
function sizeOf(v: unknown): number {
  if (v instanceof Uint8Array) return v.byteLength
  if (typeof v === 'string') return Buffer.byteLength(v)
  try {
    return Buffer.byteLength(JSON.stringify(v) ?? '')
  } catch {
    return 0 // unserialisable: not counted
  }
}

/**
 * Size of the records' values (metrics only): exact up to 8 records, else 8 records spread over the
 * batch scaled to its length, so measuring never costs more than 8 serialisations per batch.
 */
export function bytesOf(records: readonly StreamRecord[]): number {
  const n = records.length
  if (n <= 8) return records.reduce((sum, r) => sum + sizeOf(r.value), 0)
  let sampled = 0
  for (let i = 0; i < 8; i++) sampled += sizeOf(records[Math.floor((i * n) / 8)].value)
  return Math.round((sampled * n) / 8)
}

/** Written groups of a stage without a window whose dead-letter and ack steps may run while the next group is written. */
const SETTLING_GROUPS = 4

/** Runs the stage until its inputs end (or stop) and every taken batch is settled. */
export async function runStage(opts: StageRunOptions): Promise<void> {
  const { stage, stats, events } = opts
  const began = Date.now()
  const queue = new BoundedQueue<SourceBatch>(opts.queueCapacity ?? Math.max(2, stage.parallelism * 2))
  const component = (name: string) => ({ stage: stage.name, component: name })
  const stageError = (name: string, message: string): void => {
    stats.errors.push(`${stage.name}: ${message}`)
    events.emit({ type: 'stage.error', ...component(name), error: message })
  }
  const retryOpts = (name: string, what: 'write' | 'dead-letter'): RetryOptions => ({
    maxAttempts: Infinity, signal: opts.kill, initialDelayMs: 100, maxDelayMs: 5000,
    onRetry: (err, attempt, delayMs) => {
      stats.retries++
      const hint = err instanceof RtdsError ? err.hint : undefined
      events.emit({ type: 'retry', ...component(name), what, attempt, delayMs, error: messageOf(err), ...(hint ? { hint } : {}) })
    },
  })
  const retryWrite = <T>(sink: Sink, fn: () => Promise<T>): Promise<T> => retry(() => {
    if (opts.kill.aborted) throw new RtdsError('stopped before the write completed (grace period over)')
    return fn()
  }, retryOpts(sink.name, 'write'))
  const deadLetter = async (original: StreamRecord, failure: Error): Promise<void> => {
    const r = opts.redactor
    const record = r?.active ? { ...original, value: r.value(original.value) } : original
    const error = r?.active ? r.error(failure, original.value) : failure
    await retry(() => opts.dlq.send(opts.dlqTopic, record, { stage: stage.name, error }), retryOpts(opts.dlqTopic, 'dead-letter'))
    stats.dlq++
    if (events.active) {
      const reason = error instanceof RecordError ? error.reason : 'sink'
      events.emit({ type: 'record.dead_lettered', ...component(opts.dlqTopic), dlqTopic: opts.dlqTopic, reason, error: error.message, origin: record.origin })
    }
  }
  const settle = (group: readonly SourceBatch[], error?: Error): Promise<void> => {
    if (error) {
      stats.nacked += group.length
      events.emit({ type: 'batch.nacked', ...component(stage.name), records: group.reduce((n, b) => n + b.records.length, 0), error: error.message })
    }
    return settleGroup(group, error, (what, err) => stageError(stage.name, `${what} failed: ${messageOf(err)} (the batch will be delivered again)`))
  }

  // sinks with a shared window of in-flight writes (Cassandra, the group-committing staging
  // table): keep dispatching groups while fewer records than the largest window are in flight;
  // otherwise a worker waits for its group
  const window = Math.max(0, ...opts.sinks.map((sk) => sk.window ?? 0))
  for (const sk of opts.sinks) sk.observe?.((fact) => {
    if (events.active) events.emit({ type: 'sink.committed', ...component(sk.name), ...fact })
  })
  const tasks = new Set<Promise<void>>()
  const roomWaiters: (() => void)[] = []
  const writing = (delta: number): void => {
    stats.inFlight += delta
    if (delta > 0) stats.inFlightHighWater = Math.max(stats.inFlightHighWater, stats.inFlight)
    if (events.active) events.emit({ type: 'writes.in_flight', ...component(stage.name), records: stats.inFlight, ...(window ? { window } : {}) })
    if (delta < 0) for (const w of roomWaiters.splice(0)) w()
  }
  /**
   * Steps write → dead-letter → ack of one prepared group (run in the background); `written` is
   * called once the write step ended (done or failed).
   */
  const finishGroup = async (group: readonly SourceBatch[], prepared: PreparedGroup, n: number, taken: number, written: () => void): Promise<void> => {
    let inFlight = n
    writing(n)
    try {
      try {
        await writeTargets(opts.sinks, prepared, stage.batch.size, retryWrite, (sink, records, ms) => {
          if (events.active) events.emit({ type: 'records.written', ...component(sink.name), records, ms })
        })
      } finally {
        written()
      }
      writing(-inFlight)
      inFlight = 0
      const dead = await deadLetterFailed(group, prepared.failed, deadLetter)
      group.forEach((batch, i) => {
        stats.out += batch.records.length - dead[i]
        ;(batch as ObservedBatch).deadLettered?.(dead[i])
      })
      const acking = Date.now()
      await settle(group)
      if (events.active) events.emit({ type: 'batch.settled', ...component(stage.name), records: n, ms: Date.now() - taken, ackMs: Date.now() - acking, ok: true })
    } catch (err) {
      if (inFlight) writing(-inFlight)
      const e = err instanceof Error ? err : new Error(String(err))
      stats.errors.push(`${stage.name}: ${e.message}`)
      const acking = Date.now()
      await settle(group, e)
      if (events.active) events.emit({ type: 'batch.settled', ...component(stage.name), records: n, ms: Date.now() - taken, ackMs: Date.now() - acking, ok: false })
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const group = await readGroup(queue, stage.batch.size, opts.lingerMs ?? stage.batch.timeout, opts.kill)
      if (!group) return
      if (opts.kill.aborted) {
        await settle(group, new RtdsError('stopped before the batch was processed (grace period over)'))
        continue
      }
      const n = group.reduce((sum, b) => sum + b.records.length, 0)
      const taken = Date.now()
      stats.batches += group.length
      stats.in += n
      let prepared: PreparedGroup
      try {
        prepared = await prepareGroup(group, opts.prepare, opts.sinks.length)
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        stats.errors.push(`${stage.name}: ${e.message}`)
        await settle(group, e)
        if (events.active) events.emit({ type: 'batch.settled', ...component(stage.name), records: n, ms: Date.now() - taken, ackMs: 0, ok: false })
        continue
      }
      // the group is written, dead-lettered and acked in the background; sources move their position
      // only over acked groups (low watermark), so settling out of order is safe
      let written!: () => void
      const writeEnded = new Promise<void>((r) => (written = r))
      const task = finishGroup(group, prepared, n, taken, written).finally(() => tasks.delete(task))
      tasks.add(task)
      if (window === 0) {
        // no window: groups are written one after another (in read order); only the dead-letter and
        // ack steps overlap the next group's write (an outbox ack is a COMMIT), at most SETTLING_GROUPS
        await writeEnded
        while (tasks.size > SETTLING_GROUPS) await Promise.race(tasks)
        continue
      }
      // pipelined: the next group is read while fewer than `window` records are being written
      while (stats.inFlight >= window) await new Promise<void>((r) => roomWaiters.push(r))
    }
  }

  const onKill = (): void => {
    // grace period over: hand queued batches back, stop waiting pushes
    void settle(queue.drain(), new RtdsError('stopped before the batch was processed (grace period over)'))
    queue.close()
  }
  opts.kill.addEventListener('abort', onKill, { once: true })

  const emit = async (batch: SourceBatch): Promise<void> => {
    if (!(await queue.push(batch))) await batch.nack(new RtdsError('the stage stopped before taking the batch'))
    stats.queueHighWater = Math.max(stats.queueHighWater, queue.highWater)
  }
  const startRetryMs = opts.startRetryMs ?? 120_000
  const runInput = async (src: Source): Promise<void> => {
    const firstStart = Date.now()
    for (let attempt = 1; ; attempt++) {
      const started = Date.now()
      let emitted = false
      try {
        await src.run((batch) => {
          emitted = true
          if (events.active) events.emit({ type: 'batch.read', ...component(src.name), records: batch.records.length, bytes: batch.bytes ?? bytesOf(batch.records) })
          return emit(batch)
        }, opts.stop)
        return
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        // at start (nothing emitted yet) a retriable failure is retried in every mode: a broker
        // that just started answers NOT_COORDINATOR for a while; `--once` bounds it by startRetryMs
        const starting = !emitted && Date.now() - firstStart < startRetryMs
        if ((opts.restartInputs || starting) && isRetriable(e) && !opts.stop.aborted) {
          if (Date.now() - started > 60_000) attempt = 1 // it ran fine for a while: start the backoff over
          const delayMs = backoffDelay(attempt, { initialDelayMs: 500, maxDelayMs: 30_000 })
          stats.retries++
          const hint = e instanceof RtdsError ? e.hint : undefined
          events.emit({ type: 'retry', ...component(src.name), what: 'input', attempt, delayMs, error: `${emitted ? '' : 'at start: '}${e.message}`, ...(hint ? { hint } : {}) })
          await sleep(delayMs, opts.stop)
          if (!opts.stop.aborted) continue
          return
        }
        stageError(src.name, `input ${src.name}: ${e.message}`)
        return
      }
    }
  }
  const inputs = Promise.all(opts.inputs.map(runInput)).finally(() => queue.close())
  const workers = Array.from({ length: Math.max(1, stage.parallelism) }, () => worker())
  await Promise.all([inputs, ...workers])
  while (tasks.size > 0) await Promise.all([...tasks])
  opts.kill.removeEventListener('abort', onKill)
  stats.queueHighWater = Math.max(stats.queueHighWater, queue.highWater)
  stats.ms = Date.now() - began
}
