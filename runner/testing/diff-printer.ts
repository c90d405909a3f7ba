import type { Mismatch } from './expect-matcher.js'
import type { ExpectFailure } from './test-results.js'

const MAX = 160

/** A value as printed in a diff: JSON, shortened past 160 characters; an absent field prints as `(absent)`. */
export function showValue(v: unknown): string {
  if (v === undefined) return '(absent)'
  const s = JSON.stringify(v) ?? String(v)
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s
}

/**
 * One mismatch as one line, e.g. `rows[id=…].address: expected "1 Main St, …" got "…"`.
 * @example formatMismatch({ kind: 'count', expected: 3, actual: 2 }) // 'count: expected 3 got 2'
 */
export function formatMismatch(m: Mismatch): string {
  switch (m.kind) {
    case 'field': {
      const { path, expected, actual, how } = m.diff
      if (how === 'substring') return `${path}: expected to contain ${showValue(expected)} got ${showValue(actual)}`
      if (expected === undefined) return `${path}: unexpected field, got ${showValue(actual)}`
      if (actual === undefined) return `${path}: missing, expected ${showValue(expected)}`
      return `${path}: expected ${showValue(expected)} got ${showValue(actual)}`
    }
    case 'missing': return `${m.path}: missing record, expected ${showValue(m.expected)}`
    case 'extra': return `${m.path}: unexpected record ${showValue(m.actual)}`
    case 'count': return `count: expected ${m.expected} got ${m.actual}`
    case 'order': return `${m.path}: out of order: ${m.message}`
  }
}

/** Heading of a failed expectation: `file:line:col expect table created_users (golden x.json)`. */
export function formatExpectHeading(f: ExpectFailure): string {
  const e = f.expect
  const what = e.golden ? ` (golden ${e.golden.path})` : e.count !== undefined ? ' (count)' : e.match !== 'exact' ? ` (match: ${e.match})` : ''
  return `${e.pos.file}:${e.pos.line}:${e.pos.col} expect ${e.target.kind} ${e.target.name}${what}`
}

/** The whole diff of a failed case, indented, at most `limit` lines per expectation. */
export function formatFailures(failures: readonly ExpectFailure[], indent = '    ', limit = 30): string[] {
  const lines: string[] = []
  for (const f of failures) {
    lines.push(`${indent}${formatExpectHeading(f)}`)
    for (const m of f.mismatches.slice(0, limit)) lines.push(`${indent}  ${formatMismatch(m)}`)
    if (f.mismatches.length > limit) lines.push(`${indent}  … and ${f.mismatches.length - limit} more`)
  }
  return lines
}
