import jsonata from 'jsonata'
import { interpret } from './interpreter-fallback.js'
import type { TransformOptions } from './limits.js'
import { compileFast } from './compile-fast.js'
import { Unsupported } from './compile-context.js'

/** A compiled JSONata transform: `fast` tells which path evaluates it. */
export interface CompiledTransform {
  /** True when the expression was compiled to a synchronous JavaScript function. */
  readonly fast: boolean
  /**
   * Evaluates the transform against one input (and optional variable bindings, as jsonata's
   * `evaluate(input, bindings)`). Returns the value directly on the fast path and a Promise on the
   * interpreter path (`fast: false`) — and on the fast path in one rare case: an `$eval` whose
   * string, known only at run time, is outside the compiled subset runs that evaluation on the
   * interpreter. Errors are jsonata-shaped objects/errors with a `code`.
   */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown
}

/**
 * Compiles a JSONata expression: to a synchronous JavaScript function when every node of it is
 * supported by the compiler, else to the jsonata interpreter (per expression, transparently).
 * Both paths give the same results and error codes, and both enforce `timeoutMs`/`maxDepth`.
 *
 * @throws the jsonata parse error (`code`, `position`, `token`) when `expr` does not compile.
 * @example
 *   const t = compileTransform('{"id": login.uuid, "name": name.first & " " & name.last}')
 *   const row = t.fast ? t.evaluate(user) : await t.evaluate(user)
 */
export function compileTransform(expr: string, opts: TransformOptions = {}): CompiledTransform {
  const ast = jsonata(expr).ast() // throws the parse error
  const fast = process.env.RTDS_TRANSFORM_INTERPRETER === '1' ? undefined : compileFast(ast, opts)
  if (!fast) return { fast: false, evaluate: interpret(expr, opts) }
  let slow: ReturnType<typeof interpret> | undefined
  const evaluate = (input: unknown, bindings?: Record<string, unknown>): unknown => {
    try {
      return fast(input, bindings)
    } catch (err) {
      // a string given to `$eval` at run time that the compiler cannot run (`$eval("$eval")`): this
      // evaluation starts again on the interpreter (a Promise), so the result is still jsonata's
      if (!(err instanceof Unsupported)) throw err
      slow ??= interpret(expr, opts)
      return slow(input, bindings)
    }
  }
  return { fast: true, evaluate }
}
