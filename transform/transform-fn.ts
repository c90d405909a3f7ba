/**
 * The engine's one door to JSONata: every transform and key expression is compiled here, once,
 * through the transform compiler (`transform/`, fast path with the interpreter fallback).
 * Evaluation is bounded by `timeoutMs` (the compiler enforces it; an asynchronous evaluation is
 * additionally raced against a timer so a stuck one cannot hold a worker).
 */
import { compileTransform } from './index.js'

/** Evaluates a compiled expression against one input. Rejects with the jsonata error. */
export type Evaluator = (input: unknown) => Promise<unknown>

/** Compiles `expr` (throws the jsonata parse error). */
export function compileExpression(expr: string, opts: { readonly timeoutMs: number; readonly maxDepth: number }): Evaluator {
  const compiled = compileTransform(expr, { timeoutMs: opts.timeoutMs, maxDepth: opts.maxDepth })
  return (input) => {
    let out: unknown
    try {
      out = compiled.evaluate(input)
    } catch (err) {
      return Promise.reject(err)
    }
    if (!(out instanceof Promise)) return Promise.resolve(out)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject({ code: 'D1012', message: `Evaluation timeout after ${opts.timeoutMs} milliseconds. Check for infinite loop` }),
        opts.timeoutMs + 50,
      )
      out.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e)),
      )
    })
  }
}
