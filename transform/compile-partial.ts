/**
 * Partial application `$f(?, x)` on the fast path (jsonata's evaluatePartialApplication,
 * partialApplyProcedure and partialApplyNativeFunction).
 */
import jsonata from 'jsonata'
import { callFunction, type Code, type Lambda, type Native } from './apply.js'
import type { Compiler, Node } from './compile-context.js'
import { ORIGINALS } from './natives.js'
import { FOCUS, Frame, isLambda } from './runtime.js'

/** Marks a `?` argument (constant). */
const PLACEHOLDER: Code = () => undefined

/** Compiles a partial application `$f(?, x)` (jsonata's evaluatePartialApplication). */
export function compilePartial(c: Compiler, node: Node, depth: number): Code {
  const procNode = node.procedure as Node
  const args = (node.arguments as Node[]).map((a) => (a.type === 'operator' && a.value === '?' ? PLACEHOLDER : c.node(a, depth + 1)))
  const proc = c.node(procNode, depth + 1)
  const hint = procNode.type === 'path' ? ((procNode.steps as Node[])[0].value as string) : undefined
  const token = hint ?? (procNode.value as string)
  const position = node.position
  return (input, env) => {
    const values = args.map((a) => (a === PLACEHOLDER ? PLACEHOLDER : a(input, env)))
    const p = proc(input, env) as (Lambda & Native) | undefined
    if (p === undefined && hint !== undefined && env.lookup(hint)) throw { code: 'T1007', position, token: hint }
    if (isLambda(p)) return partialLambda(p!, p!.params, p!.body, p!.input, values, env)
    if (p && p._jsonata_function === true) return partialNative(p.implementation, values, env)
    if (typeof p === 'function') return partialNative(p as (...a: unknown[]) => unknown, values, env)
    throw { code: 'T1008', position, token }
  }
}

/** jsonata's partialApplyProcedure: bound arguments go into a new frame, `?` ones stay parameters. */
function partialLambda(owner: Partial<Lambda>, params: readonly string[], body: Code, input: unknown, values: unknown[], env: Frame): Lambda {
  const frame = new Frame(owner.environment ?? env)
  const unbound: string[] = []
  params.forEach((name, i) => {
    if (values[i] === PLACEHOLDER) unbound.push(name)
    else frame.bind(name, values[i])
  })
  const l: Lambda = { _jsonata_lambda: true, input, environment: frame, params: unbound, arity: unbound.length, body, apply: (_s: unknown, a: unknown[]) => callFunction(l, a) }
  return l
}

/**
 * jsonata's partialApplyNativeFunction: the parameters are the native function's own parameter
 * names (read from its source, as jsonata does, through jsonata's parser); calling it passes the
 * bound values positionally, without signature validation.
 */
function partialNative(native: (...a: unknown[]) => unknown, values: unknown[], env: Frame): Lambda {
  const source = (ORIGINALS.get(native) ?? native).toString()
  const names = /\(([^)]*)\)/.exec(source)![1].split(',').map((n) => n.trim())
  jsonata(`function(${names.map((n) => '$' + n).join(', ')}){ _ }`) // same parse error as jsonata for odd parameter lists
  const body: Code = (_input, frame) => {
    FOCUS.input = undefined
    return native.apply(FOCUS, names.map((n) => frame.lookup(n)))
  }
  return partialLambda({}, names, body, undefined, values, env)
}

