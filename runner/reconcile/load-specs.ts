/**
 * Loads the pipelines `plan` / `apply` work on: all of them valid, or none (an apply never starts
 * with an invalid file, so nothing is half-applied).
 */
import { formatDiagnostic } from '../../dsl/index.js'
import { loadPipelines } from '../../connectors/index.js'
import type { PipelineSpec } from '../../dsl/spec.js'

/** Outcome of {@link loadSpecs}: specs when every file is valid, else the printable problems. */
export interface LoadedSpecs {
  readonly specs: PipelineSpec[]
  readonly files: string[]
  /** Diagnostic lines (errors and warnings) and unreadable paths. */
  readonly problems: string[]
  /** 0 all valid, 1 a file has errors, 2 a path cannot be read or no pipeline was found. */
  readonly exitCode: 0 | 1 | 2
  /** What went wrong, for `--json` (`error.code` of the CLI contract). */
  readonly error?: { readonly code: 'USAGE' | 'INVALID_PIPELINE' | 'NO_PIPELINE_FILES'; readonly message: string }
}

/** Loads every pipeline under `paths` (files or folders, default `pipelines/`). */
export function loadSpecs(paths: readonly string[], env?: NodeJS.ProcessEnv): LoadedSpecs {
  const { results, ioErrors } = loadPipelines(paths.length ? paths : ['pipelines/'], env ? { env } : {})
  const problems = [
    ...results.flatMap((r) => r.diagnostics.map(formatDiagnostic)),
    ...ioErrors.map((e) => `${e.path}: ${e.message}`),
  ]
  const invalid = results.filter((r) => !r.spec || r.diagnostics.some((d) => d.severity === 'error'))
  const files = results.map((r) => r.file)
  if (ioErrors.length || results.length === 0) {
    if (results.length === 0 && !ioErrors.length) problems.push(`no pipeline files found in ${paths.join(', ') || 'pipelines/'}`)
    return { specs: [], files, problems, exitCode: 2, error: { code: 'USAGE', message: problems[problems.length - 1] ?? 'no pipeline files' } }
  }
  if (invalid.length) {
    problems.push(`${invalid.length} of ${results.length} pipeline ${results.length === 1 ? 'file is' : 'files are'} invalid: nothing was planned or applied`)
    const empty = invalid.length === 1 && invalid[0]!.diagnostics.find((d) => d.code === 'RTDS005')
    return { specs: [], files, problems, exitCode: 1, error: empty ? { code: 'NO_PIPELINE_FILES', message: empty.message } : { code: 'INVALID_PIPELINE', message: problems[problems.length - 1]! } }
  }
  return { specs: results.map((r) => r.spec!), files, problems, exitCode: 0 }
}
