/**
 * Evaluation limits shared by both transform paths (the compiled fast path and the jsonata interpreter).
 * A runaway expression (infinite recursion, huge loop) fails that record with a jsonata-style error
 * instead of hanging the stage or exhausting memory; the runner sends the record to the dead-letter topic.
 */

/** Limits for one compiled transform; the pipeline's `settings.transform` supplies them. */
export interface TransformOptions {
  /** Wall-clock budget of one `evaluate` call in milliseconds (default 1000). */
  readonly timeoutMs?: number
  /** Maximum evaluation depth (nested expression / function-call depth, default 500). */
  readonly maxDepth?: number
}

/** Default wall-clock budget of one evaluation. */
export const DEFAULT_TIMEOUT_MS = 1000
/** Default maximum evaluation depth. */
export const DEFAULT_MAX_DEPTH = 500

/** A jsonata-shaped error object (`code`, `position`, `token`, `value`, `message`). */
export interface JsonataError {
  code: string
  message?: string
  position?: number
  token?: string
  value?: unknown
  value2?: unknown
  stack?: string
}

/** D1011: the depth limit was exceeded (same code and message as jsonata's own `stack` guardrail). */
export function depthError(maxDepth: number): JsonataError {
  return {
    code: 'D1011',
    value: maxDepth,
    message: 'Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive',
    stack: new Error().stack,
  }
}

/** D1012: the time limit was exceeded (same code and message as jsonata's own `timeout` guardrail). */
export function timeoutError(timeoutMs: number): JsonataError {
  return {
    code: 'D1012',
    value: timeoutMs,
    message: `Evaluation timeout after ${timeoutMs} milliseconds. Check for infinite loop`,
    stack: new Error().stack,
  }
}
