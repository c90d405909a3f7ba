import type { ExprNode } from 'jsonata'
import type { TransformOptions } from './limits.js'

/** Compiles an AST to a synchronous function, or returns undefined when any node is unsupported. */
export function compileFast(_ast: ExprNode, _opts: TransformOptions): ((input: unknown, bindings?: Record<string, unknown>) => unknown) | undefined {
  return undefined
}
