/**
 * Redaction of record fields a pipeline lists under `redact:` (dotted paths such as
 * `login.password`; `*` matches any key or array index; an array met on the way is walked element by
 * element, so `login.password` also masks it inside a list of users). Used wherever a record or a
 * message about it leaves the engine: dead-letter payloads and their error header, the events that
 * logging and metrics read, `rtds test` diffs.
 *
 * @example
 * const r = new Redactor(['login.password'])
 * r.value({ login: { password: 'hunter2', username: 'x' } }) // { login: { password: '***', username: 'x' } }
 * r.text('bad value "hunter2"', record.value)                 // 'bad value "***"'
 */

import { RecordError } from './errors.js'

/** What a redacted value is replaced by. */
export const REDACTED = '***'

/** Shortest value masked inside free text (shorter ones would mask unrelated words). */
const MIN_SECRET_LENGTH = 4

type Path = readonly string[]

/** Masks the fields of `paths` in records, and their values in messages. */
export class Redactor {
  private readonly paths: Path[]

  constructor(paths: readonly string[] = []) {
    this.paths = paths.map((p) => p.split('.').filter(Boolean)).filter((p) => p.length > 0)
  }

  /** Whether there is anything to redact. */
  get active(): boolean {
    return this.paths.length > 0
  }

  /** A copy of `value` with every listed field replaced by `***` (the value itself when nothing matches). */
  value<T>(value: T): T {
    if (!this.active) return value
    let out: unknown = value
    for (const p of this.paths) out = mask(out, p, 0)
    return out as T
  }

  /** The values at the listed paths in `value` (strings and numbers, for masking in text). */
  secrets(value: unknown): string[] {
    const found: string[] = []
    if (!this.active) return found
    for (const p of this.paths) collect(value, p, 0, found)
    return [...new Set(found.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length)
  }

  /** `text` with every secret of the given records' values replaced by `***`. */
  text(text: string, ...values: readonly unknown[]): string {
    if (!this.active) return text
    let out = text
    for (const v of values) for (const s of this.secrets(v)) out = out.split(s).join(REDACTED)
    return out
  }

  /**
   * The error about `record` with the record's secrets masked in its message (same reason; the
   * cause is dropped, as it may quote the value). The error itself when nothing was masked.
   */
  error(error: Error, recordValue: unknown): Error {
    const message = this.text(error.message, recordValue)
    if (message === error.message) return error
    return error instanceof RecordError ? new RecordError(error.reason, message) : new Error(message)
  }

  /** Whether a dotted path (`rows[3].login.password`, `login.password`) ends in a listed path. */
  matchesPath(path: string): boolean {
    if (!this.active) return false
    const normal = path.replace(/\[[^\]]*\]/g, '.#').replace(/^\./, '')
    return this.pathPatterns.some((re) => re.test(normal))
  }

  /** A listed path as a pattern over normalised diff paths (indexes as `#`, skipped between segments). */
  private get pathPatterns(): RegExp[] {
    return (this.patterns ??= this.paths.map((p) => {
      const segs = p.map((seg) => (seg === '*' ? '[^.]+' : /^\d+$/.test(seg) ? '#' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      return new RegExp(`(?:^|\\.)${segs.join('\\.(?:#\\.)*')}$`)
    }))
  }
  private patterns: RegExp[] | undefined
}

function mask(value: unknown, path: Path, i: number): unknown {
  if (Array.isArray(value)) {
    let changed = false
    const next = value.map((v, idx) => {
      // `*` or a numeric segment may address the array itself
      if (path[i] === '*' || path[i] === String(idx)) {
        const m = i + 1 === path.length ? REDACTED : mask(v, path, i + 1)
        changed ||= m !== v
        return m
      }
      if (/^\d+$/.test(path[i])) return v
      const m = mask(v, path, i)
      changed ||= m !== v
      return m
    })
    return changed ? next : value
  }
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return value
  const obj = value as Record<string, unknown>
  const keys = path[i] === '*' ? Object.keys(obj) : Object.prototype.hasOwnProperty.call(obj, path[i]) ? [path[i]] : []
  if (!keys.length) return value
  let copy: Record<string, unknown> | undefined
  for (const k of keys) {
    const m = i + 1 === path.length ? (obj[k] === undefined || obj[k] === null ? obj[k] : REDACTED) : mask(obj[k], path, i + 1)
    if (m !== obj[k]) (copy ??= { ...obj })[k] = m
  }
  return copy ?? value
}

function collect(value: unknown, path: Path, i: number, out: string[]): void {
  if (i === path.length) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') out.push(String(value))
    else if (value && typeof value === 'object') out.push(...Object.values(value).filter((v): v is string => typeof v === 'string'))
    return
  }
  if (Array.isArray(value)) {
    if (path[i] === '*' || /^\d+$/.test(path[i])) {
      value.forEach((v, idx) => (path[i] === '*' || path[i] === String(idx)) && collect(v, path, i + 1, out))
    } else for (const v of value) collect(v, path, i, out)
    return
  }
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return
  const obj = value as Record<string, unknown>
  for (const k of path[i] === '*' ? Object.keys(obj) : [path[i]]) if (Object.prototype.hasOwnProperty.call(obj, k)) collect(obj[k], path, i + 1, out)
}
