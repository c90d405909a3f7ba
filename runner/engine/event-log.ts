/**
 * Logging as a subscriber of the event seam (core/events.ts): the lines `rtds run` prints for
 * retries, restarts, nacked batches and stage errors. Routine events (batches read, records
 * written, dead letters) are counted in the progress lines, not logged one by one.
 */
import type { EventBus, RtdsEvent } from '../../core/events.js'

/** The log line of an event, or undefined for events that are not logged. */
export function eventLine(e: RtdsEvent): string | undefined {
  switch (e.type) {
    case 'retry': {
      const hint = e.attempt === 1 && e.hint ? ` (Try this: ${e.hint})` : ''
      if (e.what === 'input') {
        const atStart = e.error.startsWith('at start: ')
        return `${e.stage}: input ${e.component} failed${atStart ? ' at start' : ''}: ${atStart ? e.error.slice('at start: '.length) : e.error} — restarting in ${e.delayMs} ms${hint}`
      }
      return `${e.stage}: ${e.error} — retry ${e.attempt} in ${e.delayMs} ms, consumption paused${hint}`
    }
    case 'batch.nacked':
      return `${e.stage}: batch of ${e.records} record(s) not completed: ${e.error} (nacked)`
    case 'stage.error':
      return `${e.stage}: ${e.error.startsWith('input ') ? e.error.replace(/^input (\S+): /, 'input $1 failed: ') : e.error}`
    default:
      return undefined
  }
}

/** Subscribes `log` to the bus; returns the unsubscribe function. */
export function logEvents(bus: EventBus, log: (line: string) => void): () => void {
  return bus.on((e) => {
    const line = eventLine(e)
    if (line !== undefined) log(line)
  })
}
