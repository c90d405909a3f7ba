/**
 * One stage as a loop: its inputs (sources) push batches into a bounded queue (back-pressure:
 * `emit` waits while the queue is full); `parallelism` workers each take a batch, top it up with
 * queued batches to `batch.size` (waiting up to `lingerMs` for more), run the per-record steps, write every
 * target in chunks of `batch.size` (retriable sink failures retried with backoff + jitter while
 * the source waits), dead-letter the records that failed, and only then ack the source batches.
 * A batch whose writes cannot complete (a non-retriable error, or the grace period ran out) is
 * nacked — never acked with records missing.
 */
import type { DeadLetterSink, Sink, Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { StageSpec } from '../../dsl/spec.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { backoffDelay, isRetriable, retry, sleep } from '../../core/retry.js'
import type { ObservedBatch } from '../scheduler/scheduled-source.js'
import { BoundedQueue } from './bounded-queue.js'
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
  /** Wall-clock time the stage ran (ms). */
  ms: number
  errors: string[]
}

export function newStageStats(): StageStats {
  return { in: 0, out: 0, dlq: 0, batches: 0, nacked: 0, retries: 0, queueHighWater: 0, ms: 0, errors: [] }
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
  readonly log: (line: string) => void
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

/** Runs the stage until its inputs end (or stop) and every taken batch is settled. */
export async function runStage(o: StageRunOptions): Promise<void> {
  const { stage, stats } = o
  const began = Date.now()
  const queue = new BoundedQueue<SourceBatch>(o.queueCapacity ?? Math.max(2, stage.parallelism * 2))
  const retryOpts = {
    maxAttempts: Infinity,
    signal: o.kill,
    initialDelayMs: 100,
    maxDelayMs: 5000,
    onRetry: (err: unknown, n: number, ms: number) => {
      stats.retries++
      const hint = n === 1 && err instanceof RtdsError && err.hint ? ` (Try this: ${err.hint})` : ''
      o.log(`${stage.name}: ${messageOf(err)} — retry ${n} in ${ms} ms, consumption paused${hint}`)
    },
  }

  const deadLetter = (record: StreamRecord, error: Error): Promise<void> =>
    retry(() => o.dlq.send(o.dlqTopic, record, { stage: stage.name, error }), retryOpts).then(() => {
      stats.dlq++
    })

  async function processGroup(group: SourceBatch[]): Promise<void> {
    const perTarget: { out: StreamRecord; src: StreamRecord }[][] = o.sinks.map(() => [])
    const failed = new Map<StreamRecord, Error>()
    for (const batch of group)
      for (const record of batch.records) {
        const p = await o.prepare(record)
        if ('error' in p) failed.set(record, p.error)
        else p.outputs.forEach((out, i) => perTarget[i].push({ out, src: record }))
      }
    for (const [i, sink] of o.sinks.entries()) {
      const items = perTarget[i].filter((it) => !failed.has(it.src))
      for (let s = 0; s < items.length; s += stage.batch.size) {
        const chunk = items.slice(s, s + stage.batch.size)
        const back = new Map(chunk.map((it) => [it.out, it.src]))
        const failures = await retry(() => {
          if (o.kill.aborted) throw new RtdsError('stopped before the write completed (grace period over)')
          return sink.write(chunk.map((it) => it.out))
        }, retryOpts)
        for (const f of failures) {
          const src = back.get(f.record) ?? f.record
          failed.set(src, f.error instanceof RecordError ? f.error : new RecordError('sink', `${sink.name}: ${f.error.message}`, { cause: f.error }))
        }
      }
    }
    for (const batch of group) {
      let dead = 0
      for (const record of batch.records) {
        const error = failed.get(record)
        if (!error) continue
        await deadLetter(record, error)
        dead++
      }
      stats.out += batch.records.length - dead
      ;(batch as ObservedBatch).deadLettered?.(dead)
    }
  }

  async function settle(group: SourceBatch[], error?: Error): Promise<void> {
    for (const batch of group) {
      try {
        if (error) {
          stats.nacked++
          await batch.nack(error)
        } else await batch.ack()
      } catch (err) {
        stats.errors.push(`${stage.name}: ${error ? 'nack' : 'ack'} failed: ${messageOf(err)}`)
        o.log(`${stage.name}: ${error ? 'nack' : 'ack'} failed: ${messageOf(err)} (the batch will be delivered again)`)
      }
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const first = await queue.pop()
      if (!first) return
      const group = [first]
      let n = first.records.length
      const deadline = Date.now() + (o.lingerMs ?? stage.batch.timeout)
      while (n < stage.batch.size && !o.kill.aborted) {
        const more = await queue.popWithin(deadline - Date.now())
        if (!more) break
        group.push(more)
        n += more.records.length
      }
      if (o.kill.aborted) {
        await settle(group, new RtdsError('stopped before the batch was processed (grace period over)'))
        continue
      }
      stats.batches += group.length
      stats.in += n
      try {
        await processGroup(group)
        await settle(group)
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        stats.errors.push(`${stage.name}: ${e.message}`)
        o.log(`${stage.name}: batch of ${n} record(s) not completed: ${e.message} (nacked)`)
        await settle(group, e)
      }
    }
  }

  const onKill = (): void => {
    // grace period over: hand queued batches back, stop waiting pushes
    void settle(queue.drain(), new RtdsError('stopped before the batch was processed (grace period over)'))
    queue.close()
  }
  o.kill.addEventListener('abort', onKill, { once: true })

  const emit = async (batch: SourceBatch): Promise<void> => {
    if (!(await queue.push(batch))) await batch.nack(new RtdsError('the stage stopped before taking the batch'))
    stats.queueHighWater = Math.max(stats.queueHighWater, queue.highWater)
  }
  const startRetryMs = o.startRetryMs ?? 120_000
  const runInput = async (src: Source): Promise<void> => {
    const firstStart = Date.now()
    for (let attempt = 1; ; attempt++) {
      const began = Date.now()
      let emitted = false
      try {
        await src.run((batch) => { emitted = true; return emit(batch) }, o.stop)
        return
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        // at start (nothing emitted yet) a retriable failure is retried in every mode: a broker
        // that just started answers NOT_COORDINATOR for a while; `--once` bounds it by startRetryMs
        const starting = !emitted && Date.now() - firstStart < startRetryMs
        if ((o.restartInputs || starting) && isRetriable(e) && !o.stop.aborted) {
          if (Date.now() - began > 60_000) attempt = 1 // it ran fine for a while: start the backoff over
          const ms = backoffDelay(attempt, { initialDelayMs: 500, maxDelayMs: 30_000 })
          stats.retries++
          const hint = attempt === 1 && e instanceof RtdsError && e.hint ? ` (Try this: ${e.hint})` : ''
          o.log(`${stage.name}: input ${src.name} failed${emitted ? '' : ' at start'}: ${e.message} — restarting in ${ms} ms${hint}`)
          await sleep(ms, o.stop)
          if (!o.stop.aborted) continue
          return
        }
        stats.errors.push(`${stage.name}: input ${src.name}: ${e.message}`)
        o.log(`${stage.name}: input ${src.name} failed: ${e.message}`)
        return
      }
    }
  }
  const inputs = Promise.all(o.inputs.map(runInput)).finally(() => queue.close())
  const workers = Array.from({ length: Math.max(1, stage.parallelism) }, () => worker())
  await Promise.all([inputs, ...workers])
  o.kill.removeEventListener('abort', onKill)
  stats.queueHighWater = Math.max(stats.queueHighWater, queue.highWater)
  stats.ms = Date.now() - began
}
