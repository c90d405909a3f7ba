import type { Diagnostic } from '../../dsl/diagnostic.js'
import type { Mismatch } from './expect-matcher.js'
import type { TestExpect, TestPos } from './test-file-types.js'

/** One expectation that did not hold, with everything that differed. */
export interface ExpectFailure {
  readonly expect: TestExpect
  readonly mismatches: readonly Mismatch[]
}

/**
 * The outcome of one case: `pass`, `fail` (an expectation did not hold: exit 1) or `error` (the case
 * could not run — missing golden file, engine failure: exit 2).
 */
export interface CaseResult {
  readonly file: string
  readonly name: string
  readonly pos: TestPos
  readonly status: 'pass' | 'fail' | 'error'
  readonly durationMs: number
  readonly failures: readonly ExpectFailure[]
  /** Why the case could not run (status `error`). */
  readonly error?: string
  /** Golden files rewritten by `--update` (paths as written in the test file). */
  readonly updated: readonly string[]
}

/** The outcome of one test file: its cases, or the diagnostics that kept it from running. */
export interface FileResult {
  readonly file: string
  readonly pipeline?: string
  readonly cases: readonly CaseResult[]
  /** Invalid test file, invalid pipeline, unknown target, missing file: the file's cases did not run (exit 2). */
  readonly diagnostics: readonly Diagnostic[]
  readonly durationMs: number
}

/** The outcome of a whole `rtds test` run. */
export interface TestRunResult {
  readonly files: readonly FileResult[]
  /** Paths given on the command line that do not exist. */
  readonly missing: readonly string[]
  /** Folders given on the command line that hold no `*.test.yaml` file (exit 1: nothing was tested). */
  readonly empty?: readonly string[]
  readonly durationMs: number
}

/** Totals of a run. */
export function summarize(run: TestRunResult): { passed: number; failed: number; errors: number; updated: number } {
  let passed = 0, failed = 0, errors = run.missing.length, updated = 0
  for (const f of run.files) {
    if (f.diagnostics.some((d) => d.severity === 'error')) errors++
    for (const c of f.cases) {
      if (c.status === 'pass') passed++
      else if (c.status === 'fail') failed++
      else errors++
      updated += c.updated.length
    }
  }
  return { passed, failed, errors, updated }
}

/**
 * Exit code of a run: 2 when anything could not run, else 1 when a case failed or a folder held no
 * test file (or nothing was found at all), else 0 (DESIGN §4).
 */
export function exitCodeOf(run: TestRunResult): 0 | 1 | 2 {
  const s = summarize(run)
  if (s.errors > 0) return 2
  if ((run.empty?.length ?? 0) > 0 || run.files.length === 0) return 1
  return s.failed > 0 ? 1 : 0
}
