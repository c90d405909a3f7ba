/** Printing of diagnostics, compiler style. */
import type { Diagnostic } from './diagnostic.js'

/**
 * `pipelines/users.yaml:14:7 error RTDS012 <message> (hint: ...)`, one line.
 *
 * @example formatDiagnostic(d) // 'p.yaml:3:5 error RTDS020 unknown key "urll" in sources.a.http (hint: did you mean "url"? ...)'
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`
}

/** Diagnostics sorted by file, line, column, then code (stable for golden files). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code) || a.message.localeCompare(b.message))
}
