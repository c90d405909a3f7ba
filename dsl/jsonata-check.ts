/**
 * JSONata at compile time: expressions compiled (never evaluated) and their error positions mapped
 * into the file they were written in; the literal keys of a transform's top-level object
 * constructor extracted (to check Cassandra columns).
 */
import jsonata from 'jsonata'
import { isScalar } from 'yaml'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'
import type { ExprOrigin } from './spec-resolve.js'
import type { YamlSource } from './yaml-source.js'

/** Line/col (1-based) of character `index` in `text`. */
export function lineColOf(text: string, index: number): { line: number; col: number } {
  let line = 1
  let start = 0
  for (let i = 0; i < Math.min(index, text.length); i++) if (text[i] === '\n') { line++; start = i + 1 }
  // a byte-order mark is not a column (editors show the first character at 1:1)
  const bom = line === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0
  return { line, col: Math.max(0, index - start - bom) + 1 }
}

/** Where a position inside an expression lies in its file (the pipeline file for inline expressions). */
export function exprPosition(src: YamlSource, origin: ExprOrigin, index: number): { file: string; line: number; col: number } {
  if (origin.file) return { file: origin.file, ...lineColOf(origin.expr, index) }
  const node = src.locate(origin.path).node
  // a templated expression differs from its source text: point at the scalar itself
  if (isScalar(node) && node.value !== origin.expr) return { file: src.file, ...src.valuePos(origin.path) }
  return { file: src.file, ...src.pos(src.offsetInValue(origin.path, index)) }
}

/** Start index of the token a JSONata error points at (`position` is the index just after it). */
function errorIndex(expr: string, err: { position?: number; token?: unknown }): number {
  const p = typeof err.position === 'number' ? err.position : 0
  const tok = typeof err.token === 'string' && err.token !== '(end)' ? err.token.length : 1
  return Math.max(0, Math.min(p - tok, expr.length - 1))
}

/** Compiles `origin.expr`; returns the AST, or a diagnostic at the error's position. */
export function compileExpr(src: YamlSource, origin: ExprOrigin): { ast?: JsonataNode; diagnostic?: Diagnostic } {
  try {
    return { ast: jsonata(origin.expr).ast() as JsonataNode }
  } catch (e) {
    const err = e as { message: string; code?: string; position?: number; token?: unknown }
    const at = exprPosition(src, origin, errorIndex(origin.expr, err))
    return { diagnostic: { code: CODES.JSONATA_SYNTAX, severity: 'error', message: `JSONata error in ${origin.what}: ${err.message}${err.code ? ` [${err.code}]` : ''}`, ...at,
      path: origin.path.join('.'), hint: 'see https://docs.jsonata.org (try the expression at https://try.jsonata.org)' } }
  }
}

/** The part of JSONata's AST the checks read. */
export interface JsonataNode { type: string; value?: unknown; position?: number; lhs?: unknown; expressions?: JsonataNode[] }

/**
 * The keys of the object a transform builds, with their index in the expression, when the top-level
 * AST is an object constructor whose keys are all string literals (else undefined: not knowable).
 */
export function literalOutputKeys(ast: JsonataNode): Array<{ key: string; index: number }> | undefined {
  let node = ast
  while (node.type === 'block' && node.expressions?.length === 1) node = node.expressions[0]!
  if (node.type !== 'unary' || node.value !== '{' || !Array.isArray(node.lhs)) return undefined
  const keys: Array<{ key: string; index: number }> = []
  for (const pair of node.lhs as Array<[JsonataNode, JsonataNode]>) {
    const k = pair[0]
    if (k?.type !== 'string') return undefined
    const key = String(k.value)
    keys.push({ key, index: Math.max(0, (k.position ?? 0) - key.length - 2) })
  }
  return keys
}
