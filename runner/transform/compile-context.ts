/**
 * Shared pieces of the AST → closure compiler: the node shape, the "not supported" signal that sends
 * a whole expression to the interpreter, and the result normalisation every jsonata node goes through.
 */
import type { Code } from './apply.js'
import type { Frame, Seq } from './runtime.js'

/** A node of jsonata's processed AST (as returned by `jsonata(expr).ast()`). */
export interface Node {
  type: string
  value?: any
  position?: number
  [key: string]: any
}

/** Thrown during compilation when a node (or a flag on it) is outside the supported subset. */
export class Unsupported extends Error {
  constructor(readonly what: string) {
    super(`not supported by the transform compiler: ${what}`)
  }
}

/** Compiles one node; `depth` is the node's jsonata evaluation depth relative to its body's root (1). */
export type CompileNode = (node: Node, depth: number) => Code

/** Marks what a compiler entry point needs from the dispatcher (breaks the import cycle). */
export interface Compiler {
  node: CompileNode
}

/**
 * jsonata's end-of-evaluate normalisation: a sequence of one value becomes the value (unless
 * keepSingleton), an empty sequence becomes undefined; `keepArray` (`[]`) marks the sequence.
 */
export function normalise(code: Code, keepArray: boolean): Code {
  if (keepArray) {
    return (input: unknown, env: Frame) => {
      const r = code(input, env) as Seq
      if (Array.isArray(r) && r.sequence === true && !r.tupleStream) {
        r.keepSingleton = true
        if (r.length === 0) return undefined
        return r
      }
      return r
    }
  }
  return (input: unknown, env: Frame) => {
    const r = code(input, env) as Seq
    if (Array.isArray(r) && r.sequence === true && !r.tupleStream) {
      if (r.length === 0) return undefined
      if (r.length === 1) return r.keepSingleton ? r : r[0]
    }
    return r
  }
}

/** Sets `position`/`token` on an error object as jsonata's operator evaluation does. */
export function decorate(err: unknown, position: number | undefined, token: string): unknown {
  if (err !== null && typeof err === 'object') {
    ;(err as Record<string, unknown>).position = position
    ;(err as Record<string, unknown>).token = token
  }
  return err
}
