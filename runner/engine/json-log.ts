/**
 * `rtds run --log-format json`: one JSON object per line on stderr (pino), each with `pipeline` and,
 * where known, `stage` and `component`. Events of the seam (core/events.ts) are logged with their
 * type and fields; plain lines (progress, schedules, listening) keep their text as `msg`, with the
 * stage or component their `<name>: ` prefix names.
 */
import pino from 'pino'

type Logger = pino.Logger
import type { EventBus, RtdsEvent } from '../../core/events.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { eventLine } from './event-log.js'

/** The process logger (stderr, synchronous so nothing is lost at exit). */
export function jsonLogger(dest: NodeJS.WritableStream | number = 2): Logger {
  return pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest)
}

const LEVEL: Partial<Record<RtdsEvent['type'], 'warn' | 'error'>> = { retry: 'warn', 'batch.nacked': 'warn', 'stage.error': 'error' }

/** A child logger of one pipeline: `log(line)` for its plain lines; `watch(bus)` logs its events. */
export function pipelineJsonLog(root: Logger, spec: PipelineSpec): { log: (line: string) => void; watch: (bus: EventBus) => () => void } {
  const logger = root.child({ pipeline: spec.pipeline })
  const names = (name: string): Record<string, string> =>
    spec.stages[name] ? { stage: name } : spec.sources[name] || spec.topics[name] || spec.tables[name] ? { component: name } : {}
  return {
    log: (line) => {
      // a progress line (`ingest: in 1 out 1 dlq 0 | publish: ...`) is about every stage
      const m = line.includes(' | ') ? null : /^([A-Za-z0-9_.-]+): /.exec(line)
      logger.info(m ? names(m[1]) : {}, line)
    },
    watch: (bus) => bus.on((e) => {
      const line = eventLine(e)
      if (line === undefined) return // routine events are counted (metrics, progress), not logged
      const { type, ...fields } = e
      logger[LEVEL[type] ?? 'info']({ event: type, ...fields }, line)
    }),
  }
}
