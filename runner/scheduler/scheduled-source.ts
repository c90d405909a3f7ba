/**
 * A pulling source driven by its schedule, as an engine `Source`. One *run* = one `runFor` window
 * of pulls `every` apart (one pull without `runFor`), like the reference DAG's minute of
 * streaming. Runs start when the schedule fires; `once` (and a source without a schedule) does one
 * run now and ends. Each run is recorded in the run history with its outcome once every batch it
 * emitted was settled (acked, or nacked → failed).
 */
import type { ScheduleSpec } from '../../dsl/spec.js'
import type { Source, SourceBatch } from '../../core/stream.js'
import type { RunHistory } from '../../connectors/backend.js'
import { sleep } from '../../core/retry.js'
import type { PullSource } from '../../core/pull-source.js'
import type { EventBus } from '../../core/events.js'
import { fireTimes, sleepUntil } from './schedule.js'
import type { ScheduleTriggers } from './triggers.js'

/**
 * A batch the engine can annotate: `deadLettered(n)` is called before `ack()` with how many of its
 * records went to the dead-letter topic (for run outcomes and summaries).
 */
export interface ObservedBatch extends SourceBatch {
  deadLettered?(count: number): void
}

export interface ScheduledSourceOptions {
  readonly pipeline: string
  /** `rtds run --once`: one run now, honouring `runFor`, then end. */
  readonly once: boolean
  readonly history?: RunHistory
  readonly log?: (line: string) => void
  /** Clock (tests). */
  readonly now?: () => number
  /** Where `schedule.next` / `schedule.started` / `schedule.finished` go (metrics), with the reading stage's name. */
  readonly events?: EventBus
  readonly stage?: string
  /**
   * Records per emitted batch at most (the reading stage's `batch.size`): a big page is handed to
   * the engine in pieces, so it flows through the stage (and the stages after it) while the rest of
   * the page waits, and the pieces already written can be freed. Default: a page is one batch.
   */
  readonly batchSize?: number
  /** Where "run now" (the console) reaches this source's schedule loop. */
  readonly triggers?: ScheduleTriggers
}

/** Totals of one run. */
interface RunTally {
  records: number
  deadLettered: number
  failed: Error | undefined
  pending: Set<Promise<void>>
}

/** See the module comment. */
export function scheduledSource(puller: PullSource, schedule: ScheduleSpec | undefined, opts: ScheduledSourceOptions): Source {
  const now = opts.now ?? Date.now
  const log = opts.log ?? (() => {})
  const times = schedule && (schedule.cron !== undefined || schedule.interval !== undefined) ? fireTimes(schedule) : undefined

  async function oneRun(trigger: string, emit: (b: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    const tally: RunTally = { records: 0, deadLettered: 0, failed: undefined, pending: new Set() }
    const origin = { stage: opts.stage ?? '', component: puller.name }
    opts.events?.emit({ type: 'schedule.started', ...origin, trigger, at: now() })
    const id = await opts.history?.start({ pipeline: opts.pipeline, source: puller.name, trigger }).catch((err: Error) => {
      log(`${puller.name}: could not record the run start: ${err.message}`)
      return undefined
    })
    const windowEnd = now() + (schedule?.runFor ?? 0)
    let pullError: Error | undefined
    let pulls = 0
    try {
      do {
        if (pulls++ > 0) {
          await sleep(Math.min(schedule?.every ?? 1000, Math.max(0, windowEnd - now())), signal)
          if (signal.aborted || now() >= windowEnd) break
        }
        const page = [...(await puller.pull(signal))]
        if (page.length === 0) continue
        tally.records += page.length
        const size = Math.max(1, opts.batchSize ?? page.length)
        while (page.length > 0) await emit(observe(page.splice(0, size), tally)) // splice: what was emitted is not kept here
      } while (!signal.aborted && now() < windowEnd)
    } catch (err) {
      pullError = err as Error
    }
    while (tally.pending.size) await Promise.race(tally.pending)
    const error = pullError ?? tally.failed
    const status = error ? 'failed' : signal.aborted ? 'cancelled' : 'succeeded'
    opts.events?.emit({ type: 'schedule.finished', ...origin, trigger, at: now(), status, records: tally.records, deadLettered: tally.deadLettered, ...(error ? { error: error.message } : {}) })
    log(`${puller.name}: run (${trigger}) ${status}: ${tally.records} record(s), ${tally.deadLettered} dead-lettered${error ? ` — ${error.message}` : ''}`)
    if (id !== undefined)
      await opts.history
        ?.finish(id, { status, records: tally.records, deadLettered: tally.deadLettered, ...(error ? { error: error.message } : {}) })
        .catch((err: Error) => log(`${puller.name}: could not record the run outcome: ${err.message}`))
    if (pullError && (opts.once || !times)) throw pullError
  }

  return {
    name: puller.name,
    async run(emit, signal) {
      if (opts.once || !times) {
        await oneRun(opts.once ? 'once' : 'start', emit, signal)
        return
      }
      let next: Date | null = schedule?.interval !== undefined ? new Date(now()) : times.next(new Date(now()))
      const window = schedule?.runFor ? `, pulling for ${schedule.runFor} ms every ${schedule.every ?? 1000} ms` : ''
      log(`${puller.name}: scheduled ${times.describe}${window}; next run at ${next?.toISOString() ?? 'never'} (--once runs it now)`)
      const planned = (at: Date | null): void => opts.events?.emit({ type: 'schedule.next', stage: opts.stage ?? '', component: puller.name, at: at ? at.getTime() : null })
      planned(next)
      // "run now": wakes the wait below (or is kept for after the run in progress)
      let manual = false
      let wake: AbortController | undefined
      const unregister = opts.triggers?.register(puller.name, () => {
        manual = true
        wake?.abort()
      })
      try {
        while (next && !signal.aborted) {
          wake = new AbortController()
          const woke = manual || !(await sleepUntil(next, AbortSignal.any([signal, wake.signal]), now))
          wake = undefined
          if (signal.aborted) break
          if (woke && manual) {
            manual = false
            await oneRun('manual', emit, signal)
            continue
          }
          await oneRun('schedule', emit, signal)
          next = times.next(new Date(Math.max(now(), next.getTime())))
          planned(next)
        }
      } finally {
        unregister?.()
      }
    },
    close: () => puller.close(),
  }
}

function observe(records: SourceBatch['records'], tally: RunTally): ObservedBatch {
  let done!: () => void
  const tracker = new Promise<void>((r) => (done = r))
  tally.pending.add(tracker)
  let settled = false
  const finish = (): void => {
    settled = true
    tally.pending.delete(tracker)
    done()
  }
  return {
    records,
    deadLettered(n) {
      tally.deadLettered += n
    },
    async ack() {
      if (!settled) finish()
    },
    async nack(error) {
      if (settled) return
      tally.failed = error
      finish()
    },
  }
}
