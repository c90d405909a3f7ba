/**
 * Bounds on the values of a pipeline that the schema cannot express (durations and sizes are
 * written as text and parsed), chosen from what the systems allow and what one machine can hold;
 * the README lists them with the schema's numeric bounds. Each violation is an error at the value,
 * with a hint naming the range. Connector-specific bounds (URLs, request timeouts, body sizes) are
 * the connectors' own checks (`ConnectorConfigSpec.check`).
 */
import { CODES } from './codes.js'
import { formatMillis } from './duration-parse.js'
import type { PipelineSpec } from './spec.js'
import type { DocPath } from './yaml-source.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** Range of a duration field, in milliseconds, and why. */
export interface DurationBound { readonly min: number; readonly max: number; readonly why: string }

/** Bounds of the pipeline-level durations (the connectors declare theirs in their checks). */
export const DURATION_BOUNDS = {
  'schedule.every': { min: 10, max: HOUR, why: 'an every of 0 spins the pull loop: pulls are at least 10 ms apart' },
  'schedule.interval': { min: SECOND, max: 366 * DAY, why: 'scheduled runs at least 1 s apart' },
  'schedule.runFor': { min: SECOND, max: DAY, why: 'one run pulls for 1 s to 1 day' },
  'batch.timeout': { min: 1, max: MINUTE, why: 'a batch waits 1 ms to 1 min to fill' },
  'settings.transform.timeout': { min: 1, max: MINUTE, why: 'one record\'s transform may take 1 ms to 1 min' },
} as const satisfies Record<string, DurationBound>

type Report = (code: string, message: string, path: DocPath, hint?: string, opts?: { key?: boolean }) => void

/** `report`s a duration outside `bound`. */
export function checkDuration(ms: number | undefined, bound: DurationBound, path: DocPath, report: Report): void {
  if (ms === undefined || (ms >= bound.min && ms <= bound.max)) return
  report(CODES.INVALID_VALUE, `${path.join('.')} is ${formatMillis(ms)}: it must be from ${formatMillis(bound.min)} to ${formatMillis(bound.max)}`, path, bound.why)
}

/** The pipeline-level bounds: an empty pipeline, schedule and batch durations, transform limits. */
export function checkLimits(spec: PipelineSpec, broken: ReadonlySet<string>, report: Report): void {
  if (!Object.keys(spec.stages).length && !Object.keys(spec.sources).length && !Object.keys(spec.tables).length) {
    report(CODES.EMPTY_PIPELINE, `pipeline "${spec.pipeline}" has no sources, stages or tables: nothing would run`, ['pipeline'],
      'add stages: that read sources or topics and write topics or tables, e.g. stages: { ingest: { from: api, to: staging } }', { key: true })
  }
  for (const s of Object.values(spec.sources)) {
    if (!s.schedule || broken.has(`source:${s.name}`)) continue
    const at = ['sources', s.name, 'schedule']
    for (const k of ['every', 'interval', 'runFor'] as const) checkDuration(s.schedule[k], DURATION_BOUNDS[`schedule.${k}`], [...at, k], report)
    const { every, runFor } = s.schedule
    if (every !== undefined && runFor !== undefined && every > runFor && every >= DURATION_BOUNDS['schedule.every'].min) {
      report(CODES.INVALID_VALUE, `sources.${s.name}.schedule.every (${formatMillis(every)}) is longer than runFor (${formatMillis(runFor)}): one pull per run`, [...at, 'every'], 'make every shorter than runFor, or drop runFor')
    }
  }
  for (const st of Object.values(spec.stages)) {
    if (broken.has(`stage:${st.name}`)) continue
    checkDuration(st.batch.timeout, DURATION_BOUNDS['batch.timeout'], ['stages', st.name, 'batch', 'timeout'], report)
  }
  checkDuration(spec.settings.transform.timeout, DURATION_BOUNDS['settings.transform.timeout'], ['settings', 'transform', 'timeout'], report)
}
