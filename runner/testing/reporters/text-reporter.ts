import type { Diagnostic } from '../../../dsl/diagnostic.js'
import { formatFailures } from '../diff-printer.js'
import { summarize, type TestRunResult } from '../test-results.js'

/** A diagnostic as the CLI prints it: `file:line:col error RTDS802 message`, then `→ at path` and `Try this:`. */
export function formatTestDiagnostic(d: Diagnostic): string[] {
  const lines = [`${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`]
  if (d.path) lines.push(`  → at ${d.path}`)
  if (d.hint) lines.push(`  Try this: ${d.hint}`)
  return lines
}

/**
 * The human report of a run: per file its cases as `✔ name` / `✘ name` with the per-field diff and
 * the case's `file:line:col`, the golden files `--update` rewrote, and a last line
 * `N passed, N failed, N errors (0.8s)`.
 */
export function textReport(run: TestRunResult): string {
  const lines: string[] = []
  for (const p of run.missing) lines.push(`error: ${p}: no such file or directory`)
  for (const d of run.empty ?? []) lines.push(`error: no pipeline files in ${d} (rtds test runs the *.test.yaml files of a folder and its subfolders)`)
  for (const f of run.files) {
    lines.push(f.pipeline ? `${f.file} (${f.pipeline})` : f.file)
    for (const d of f.diagnostics) lines.push(...formatTestDiagnostic(d).map((l) => `  ${l}`))
    for (const c of f.cases) {
      const where = `${c.pos.file}:${c.pos.line}:${c.pos.col}`
      if (c.status === 'pass') lines.push(`  ✔ ${c.name} (${c.durationMs} ms)`)
      else if (c.status === 'fail') {
        lines.push(`  ✘ ${c.name} — ${where}`)
        lines.push(...formatFailures(c.failures))
      } else lines.push(`  ✘ ${c.name} — ${where}`, `    error: ${c.error ?? 'unknown error'}`)
      for (const u of c.updated) lines.push(`    updated golden file ${u}`)
    }
  }
  const s = summarize(run)
  if (run.files.length === 0 && run.missing.length === 0 && !run.empty?.length) lines.push('no *.test.yaml files found')
  lines.push(`${s.passed} passed, ${s.failed} failed, ${s.errors} errors${s.updated ? `, ${s.updated} golden files updated` : ''} (${(run.durationMs / 1000).toFixed(1)}s)`)
  return `${lines.join('\n')}\n`
}
