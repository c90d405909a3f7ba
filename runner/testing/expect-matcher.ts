import { diffValues, type FieldDiff } from './record-diff.js'
import type { ExpectTarget, MatchMode } from './test-file-types.js'

/**
 * The actual output of one target after a case ran, as the expectation matcher sees it:
 * table rows, topic or stage record values, or dead letters projected to
 * `{stage, reason, error, key, value}`.
 */
export interface ActualOutput {
  readonly target: ExpectTarget
  readonly records: readonly unknown[]
  /** Per record, its key (topics, stages, dead letters): order is only meaningful per key. */
  readonly keys?: readonly (string | null)[]
  /** A table's primary-key columns: rows compare as a set keyed by them, duplicates collapse (upsert). */
  readonly primaryKey?: readonly string[]
}

/** One way an expectation failed. */
export type Mismatch =
  | { readonly kind: 'field'; readonly diff: FieldDiff }
  | { readonly kind: 'missing'; readonly path: string; readonly expected: unknown }
  | { readonly kind: 'extra'; readonly path: string; readonly actual: unknown }
  | { readonly kind: 'count'; readonly expected: number; readonly actual: number }
  | { readonly kind: 'order'; readonly path: string; readonly message: string }

const pkOf = (row: unknown, pk: readonly string[]): string | undefined => {
  if (typeof row !== 'object' || row === null) return undefined
  const r = row as Record<string, unknown>
  if (!pk.every((c) => r[c] !== undefined && r[c] !== null)) return undefined
  return pk.map((c) => `${c}=${typeof r[c] === 'string' ? r[c] : JSON.stringify(r[c])}`).join(',')
}

/**
 * The canonical, deterministic form of an output — what a golden file holds and what expectations
 * compare against: table rows upserted by primary key (later writes merged over earlier ones) and
 * sorted by it; keyed records stably sorted by key (their order within one key is kept).
 */
export function canonicalOutput(out: ActualOutput): ActualOutput {
  if (out.primaryKey && out.primaryKey.length > 0) {
    const pk = out.primaryKey
    const rows = new Map<string, Record<string, unknown>>()
    const unkeyed: unknown[] = []
    for (const r of out.records) {
      const k = pkOf(r, pk)
      if (k === undefined) unkeyed.push(r)
      else rows.set(k, { ...(rows.get(k) ?? {}), ...(r as Record<string, unknown>) })
    }
    const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r)
    return { ...out, records: [...sorted, ...unkeyed] }
  }
  if (out.keys) {
    const idx = out.records.map((_, i) => i)
    const key = (i: number): string => out.keys?.[i] ?? ''
    idx.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b))
    return { ...out, records: idx.map((i) => out.records[i]), keys: idx.map((i) => out.keys![i] ?? null) }
  }
  return out
}

/** Compares a count expectation. */
export function matchCount(expected: number, actual: ActualOutput): Mismatch[] {
  const n = canonicalOutput(actual).records.length
  return n === expected ? [] : [{ kind: 'count', expected, actual: n }]
}

/**
 * Compares expected records (inline or from a golden file) with the canonical actual output.
 * Tables: rows are matched by primary key (`rows[id=…]`). Topics, stages and dead letters: each
 * expected record is matched with an equal actual record, then unmatched ones are paired with the
 * closest remaining record to show field diffs; the relative order of records sharing a key must
 * be the expected one. Dead letters compare `error` as a substring.
 */
export function matchRecords(expected: readonly unknown[], actualOut: ActualOutput, mode: MatchMode): Mismatch[] {
  const actual = canonicalOutput(actualOut)
  const opts = { subset: mode !== 'exact', substringFields: actual.target.kind === 'dlq' ? ['error'] : undefined }
  const pk = actual.primaryKey && actual.primaryKey.length > 0 ? actual.primaryKey : undefined
  const out: Mismatch[] = []
  const claimed = new Set<number>()
  const pending: number[] = []
  const matchedPairs: [number, number][] = []
  const label = (i: number): string => {
    if (pk) return `rows[${pkOf(actual.records[i], pk) ?? i}]`
    const k = actual.keys?.[i]
    return k === undefined || k === null ? `records[${i}]` : `records[key=${k}]`
  }

  if (pk) {
    const byPk = new Map<string, number>()
    actual.records.forEach((r, i) => { const k = pkOf(r, pk); if (k !== undefined) byPk.set(k, i) })
    expected.forEach((e, j) => {
      const k = pkOf(e, pk)
      if (k === undefined) { pending.push(j); return }
      const i = byPk.get(k)
      if (i === undefined || claimed.has(i)) { out.push({ kind: 'missing', path: `rows[${k}]`, expected: e }); return }
      claimed.add(i)
      for (const d of diffValues(e, actual.records[i], `rows[${k}]`, opts)) out.push({ kind: 'field', diff: d })
    })
  } else {
    expected.forEach((e, j) => {
      const i = actual.records.findIndex((a, n) => !claimed.has(n) && diffValues(e, a, '', opts).length === 0)
      if (i < 0) pending.push(j)
      else { claimed.add(i); matchedPairs.push([j, i]) }
    })
  }
  // Unmatched expected records: show the field diffs against the closest unclaimed actual record.
  for (const j of pending) {
    let best = -1
    let bestDiffs: FieldDiff[] = []
    actual.records.forEach((a, i) => {
      if (claimed.has(i)) return
      const d = diffValues(expected[j], a, label(i), opts)
      if (best < 0 || d.length < bestDiffs.length) { best = i; bestDiffs = d }
    })
    if (best < 0) { out.push({ kind: 'missing', path: `expected[${j}]`, expected: expected[j] }); continue }
    claimed.add(best)
    for (const d of bestDiffs) out.push({ kind: 'field', diff: d })
  }
  if (mode !== 'contains') {
    actual.records.forEach((a, i) => { if (!claimed.has(i)) out.push({ kind: 'extra', path: label(i), actual: a }) })
  }
  // Order per key: records with one key must come in the expected order.
  if (actual.keys) {
    const lastByKey = new Map<string, [number, number]>()
    for (const [j, i] of [...matchedPairs].sort((a, b) => a[1] - b[1])) {
      const k = actual.keys[i] ?? null
      if (k === null) continue
      const prev = lastByKey.get(k)
      if (prev && prev[0] > j) out.push({ kind: 'order', path: label(i), message: `expected[${j}] arrived after expected[${prev[0]}] although they share key ${k}` })
      lastByKey.set(k, [j, i])
    }
  }
  return out
}
