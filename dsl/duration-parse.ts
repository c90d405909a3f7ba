/** Parsing of the DSL's durations and sizes. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/** Pattern a duration string must match (also used by the JSON Schema). */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$'
/** Pattern a size string must match (also used by the JSON Schema). */
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(b|kb|mb|gb)\\s*$'

/**
 * Parses `"500ms"`, `"10s"`, `"2m"`, `"1h"`, `"1d"` or a number of milliseconds into milliseconds.
 * Throws a `RangeError` naming the accepted forms when the text does not parse.
 *
 * @example parseDuration('1.5s') // 1500
 */
export function parseDuration(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isFinite(s) && s >= 0) return Math.round(s)
    throw new RangeError(`invalid duration ${s}: expected a non-negative number of milliseconds`)
  }
  const m = new RegExp(DURATION_PATTERN, 'i').exec(s)
  if (!m) throw new RangeError(`invalid duration "${s}": expected e.g. 500ms, 10s, 2m, 1h, 1d or a number of milliseconds`)
  const unit = /(ms|s|m|h|d)\s*$/i.exec(s)![1]!.toLowerCase()
  return Math.round(parseFloat(s) * DURATION_UNITS[unit]!)
}

/**
 * Parses `"512kb"`, `"1mb"`, `"1gb"`, `"100b"` or a number of bytes into bytes (1 kb = 1024 bytes).
 *
 * @example parseSize('1mb') // 1048576
 */
export function parseSize(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isInteger(s) && s >= 0) return s
    throw new RangeError(`invalid size ${s}: expected a non-negative whole number of bytes`)
  }
  const m = new RegExp(SIZE_PATTERN, 'i').exec(s)
  if (!m) throw new RangeError(`invalid size "${s}": expected e.g. 512kb, 1mb or a number of bytes`)
  const unit = /(b|kb|mb|gb)\s*$/i.exec(s)![1]!.toLowerCase()
  return Math.round(parseFloat(s) * SIZE_UNITS[unit]!)
}

/** A duration in milliseconds written back the short way: `1d`, `2h`, `5m`, `10s`, `250ms` (`-` when undefined). */
export function formatMillis(v: number | undefined): string {
  if (v === undefined) return '-'
  for (const [unit, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (v % n === 0 && v !== 0) return `${v / n}${unit}`
  return `${v}ms`
}
