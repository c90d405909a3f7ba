import jsonata from 'jsonata'
import type { TransformOptions } from './limits.js'
import { DEFAULT_MAX_DEPTH, DEFAULT_TIMEOUT_MS } from './limits.js'

/**
 * The slow path: the jsonata interpreter with jsonata's own guardrails (`timeout` → D1012,
 * `stack` → D1011). Used for every expression the compiler does not fully understand.
 * Throws the jsonata parse error (with `code`, `position`, `token`) for an invalid expression.
 */
export function interpret(expr: string, opts: TransformOptions = {}): (input: unknown, bindings?: Record<string, unknown>) => Promise<unknown> {
  const compiled = jsonata(expr, {
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stack: opts.maxDepth ?? DEFAULT_MAX_DEPTH,
  })
  // Outlives evaluations: the jsonata expression object; jsonata makes a new frame per evaluate and
  // nothing here calls its assign/registerFunction (which would change that shared environment)
  return (input, bindings) => compiled.evaluate(input, bindings) as Promise<unknown>
}
