/**
 * Diagnostics are values, collected and reported together (never thrown one by one).
 * Printed as `pipelines/users.yaml:14:7 error RTDS012 <message> (hint: ...)`.
 */
export type Severity = 'error' | 'warning'

export interface Diagnostic {
  /** Stable code, `RTDS` + 3 digits; the catalogue lives in `dsl/codes.ts`. */
  readonly code: string
  readonly severity: Severity
  readonly message: string
  /** File as given on the command line (relative paths stay relative). */
  readonly file: string
  /** 1-based line and column. */
  readonly line: number
  readonly col: number
  /** Dotted path of the offending value, e.g. `stages.store.to`. */
  readonly path?: string
  /** What to do about it. */
  readonly hint?: string
}
