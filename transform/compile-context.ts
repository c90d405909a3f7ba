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

/** Names bound anywhere in an AST (`:=` targets and lambda parameters). */
export function collectBound(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) collectBound(n, out)
  else if (node !== null && typeof node === 'object') {
    const n = node as Node
    if (n.type === 'bind' && n.lhs) out.add((n.lhs as Node).value as string)
    if (n.type === 'lambda') for (const a of n.arguments as Node[]) out.add(a.value as string)
    for (const k of Object.keys(n)) if (k !== 'signature' && k !== 'value') collectBound(n[k], out)
  }
  return out
}

/** Whether the AST reads variable `$name`. */
export function readsVariable(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => readsVariable(n, name))
  if (node === null || typeof node !== 'object') return false
  const n = node as Node
  if (n.type === 'variable' && n.value === name) return true
  return Object.keys(n).some((k) => k !== 'signature' && k !== 'value' && readsVariable(n[k], name))
}

