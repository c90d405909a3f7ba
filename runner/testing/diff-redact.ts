/**
 * `rtds test` diffs with the pipeline's `redact:` fields masked: a field diff whose path ends in a
 * listed path shows `***` on both sides, and whole records (missing, unexpected, objects in a
 * diff) are masked wherever a nested field's path ends in a listed path — so a dead letter's
 * `value.login.password` is masked like a row's `login.password`.
 */
import { REDACTED, type Redactor } from '../../core/redact.js'
import type { Mismatch } from './expect-matcher.js'

/** `value` (found at `path`) with every field whose path ends in a listed path masked. */
export function maskAt(value: unknown, path: string, r: Redactor): unknown {
  if (value === undefined || value === null) return value
  if (r.matchesPath(path)) return REDACTED
  if (Array.isArray(value)) return value.map((v, i) => maskAt(v, `${path}[${i}]`, r))
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAt(v, path ? `${path}.${k}` : k, r)]))
  }
  return value
}

/** One mismatch with the redacted fields masked (the mismatch itself when nothing is listed). */
export function redactMismatch(m: Mismatch, r: Redactor): Mismatch {
  if (!r.active) return m
  switch (m.kind) {
    case 'field':
      return { kind: 'field', diff: { ...m.diff, expected: maskAt(m.diff.expected, m.diff.path, r), actual: maskAt(m.diff.actual, m.diff.path, r) } }
    case 'missing':
      return { ...m, expected: maskAt(m.expected, m.path, r) }
    case 'extra':
      return { ...m, actual: maskAt(m.actual, m.path, r) }
    default:
      return m
  }
}
