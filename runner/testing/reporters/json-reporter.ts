import { formatMismatch } from '../diff-printer.js'
import { exitCodeOf, summarize, type TestRunResult } from '../test-results.js'

/**
 * The `--json` document of a run (a checked contract: tests parse it). Every mismatch keeps its
 * structured fields (`kind`, `path`, `expected`, `actual`) and its printed `line`.
 */
export function jsonReport(run: TestRunResult): unknown {
  return {
    ok: exitCodeOf(run) === 0,
    exitCode: exitCodeOf(run),
    summary: { ...summarize(run), durationMs: run.durationMs },
    missing: run.missing,
    empty: run.empty ?? [],
    files: run.files.map((f) => ({
      file: f.file,
      pipeline: f.pipeline,
      durationMs: f.durationMs,
      diagnostics: f.diagnostics,
      cases: f.cases.map((c) => ({
        name: c.name,
        file: c.pos.file,
        line: c.pos.line,
        col: c.pos.col,
        status: c.status,
        durationMs: c.durationMs,
        error: c.error,
        updated: c.updated,
        failures: c.failures.map((x) => ({
          target: x.expect.target,
          golden: x.expect.golden?.path,
          file: x.expect.pos.file,
          line: x.expect.pos.line,
          col: x.expect.pos.col,
          mismatches: x.mismatches.map((m) => ({ ...(m.kind === 'field' ? { kind: m.kind, ...m.diff } : m), line: formatMismatch(m) })),
        })),
      })),
    })),
  }
}
