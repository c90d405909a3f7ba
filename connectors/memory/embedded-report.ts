/**
 * What an embedded run stored, as text: each table's rows (the first columns, cells shortened),
 * row counts, topic message counts, staging and dead-letter counts.
 */
import type { MemoryBackend } from './memory-backend.js'

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const width = (s: string): number => [...s].length
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - width(s)))

/** Renders a text table (header + rows). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, widths[i])).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** See the module comment. `maxRows` rows per table, `maxColumns` columns. */
export function formatStored(backend: MemoryBackend, opts: { maxRows?: number; maxColumns?: number } = {}): string {
  const maxRows = opts.maxRows ?? 10
  const out: string[] = []
  for (const [name, table] of backend.tables) {
    const c = table.spec.cassandra
    const cols = Object.keys(c.columns).length ? Object.keys(c.columns) : Object.keys([...table.rows.values()][0] ?? {})
    const shown = cols.slice(0, opts.maxColumns ?? 6)
    const rows = [...table.rows.values()]
    out.push(`${name} (${c.keyspace}.${c.table}, embedded): ${rows.length} row(s)${rows.length > maxRows ? `, first ${maxRows} shown` : ''}${shown.length < cols.length ? `, columns ${shown.length} of ${cols.length}` : ''}`)
    if (rows.length)
      out.push(textTable(shown, rows.slice(0, maxRows).map((r) => shown.map((k) => clip(r[k] === undefined || r[k] === null ? '' : String(r[k]), k === 'id' ? 36 : 28)))))
  }
  for (const [name, t] of backend.staging) out.push(`${name} (staging outbox): ${t.rows.length} row(s), ${t.unpublished().length} unpublished`)
  for (const [name, t] of backend.topics) out.push(`topic ${name}: ${t.endOffsets().reduce((a, b) => a + b, 0)} message(s) in ${t.logs.length} partition(s) (${t.endOffsets().join('/')})`)
  const dead = [...backend.dlq].map(([n, l]) => `${n}: ${l.length}`)
  out.push(`dead letters: ${dead.length ? dead.join(', ') : '0'}`)
  return out.join('\n')
}
