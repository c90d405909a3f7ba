/**
 * When a scheduled source runs: cron (croner, with a time zone — daylight-saving transitions are
 * croner's: a wall-clock time skipped by spring-forward runs at the first valid instant after it,
 * one repeated by fall-back runs once) or a fixed interval.
 */
import { sleep } from '../../core/retry.js'
import { Cron } from 'croner'
import type { ScheduleSpec } from '../../dsl/spec.js'
import { UsageError } from '../../core/errors.js'

/** Computes fire times of one schedule. */
export interface FireTimes {
  /** The first fire time strictly after `after`, or null when the schedule never fires again. */
  next(after: Date): Date | null
  /** Human description (`cron "@daily" (Europe/Berlin)`, `every 5000 ms`). */
  readonly describe: string
}

/**
 * Fire times of `schedule`. An interval schedule fires at `start`, then every `interval` ms
 * (`next(after)` = `after + interval`); a cron schedule fires when the expression matches in
 * `timezone` (default: the machine's zone).
 *
 * @example fireTimes({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }).next(new Date())
 */
export function fireTimes(schedule: ScheduleSpec): FireTimes {
  if (schedule.cron !== undefined) {
    let cron: Cron
    try {
      cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true })
    } catch (err) {
      throw new UsageError(`invalid cron expression "${schedule.cron}": ${(err as Error).message}`, { hint: 'use 5 or 6 fields or @daily/@hourly/@weekly' })
    }
    return {
      next: (after) => cron.nextRun(after),
      describe: `cron "${schedule.cron}"${schedule.timezone ? ` (${schedule.timezone})` : ''}`,
    }
  }
  if (schedule.interval !== undefined && schedule.interval > 0) {
    const interval = schedule.interval
    return { next: (after) => new Date(after.getTime() + interval), describe: `every ${interval} ms` }
  }
  throw new UsageError('a schedule needs `cron` or a positive `interval`')
}

/** Largest single setTimeout delay (2^31-1 ms); longer waits are chunked. */
const MAX_TIMER_MS = 2_147_483_647

/** Waits until `when` (wall clock) or until `signal` aborts; returns false when aborted. */
export async function sleepUntil(when: Date, signal: AbortSignal, now: () => number = Date.now): Promise<boolean> {
  for (;;) {
    if (signal.aborted) return false
    const left = when.getTime() - now()
    if (left <= 0) return true
    await sleep(Math.min(left, MAX_TIMER_MS), signal)
  }
}
