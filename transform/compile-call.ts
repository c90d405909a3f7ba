/**
 * Function calls on the fast path: generic application (jsonata's evaluateFunction), a direct lane
 * for jsonata's own functions, direct `$eval(...)` calls, `~>`, and regex literals (matchers).
 */
import { apply, callNative, type Code, type Native, symbolOf, validate, validationCache } from './apply.js'
import { type Compiler, type Node, Unsupported } from './compile-context.js'
import { NORMALISED } from './compile-path.js'
import { JSONATA_FUNCTIONS, staticFrame } from './natives.js'
import { populateMessage } from './messages.js'
import { createSequence, FOCUS, type Frame, isFunction, isSequence, type Seq, state } from './runtime.js'

/** What call compilation needs from the node compiler. */
export interface CallCompiler extends Compiler {
  /** Variable names bound anywhere in the expression (`:=` or lambda parameters). */
  readonly bound: ReadonlySet<string>
  /**
   * The compiled code of an expression string passed to `$eval` from this compiler's expression
   * (parsed and compiled once per compiled transform); throws D3120 on a syntax error and
   * `Unsupported` when the fast path cannot compile it.
   */
  evalCode(expr: string): Code
  /** jsonata's function composition `f ~> g` (compiled once per compiled transform). */
  chainCode(): Code
}

/** jsonata's standard function names (constant). */
export const BUILTIN = new Set<string>(JSONATA_FUNCTIONS)

/** A compiled function call; `applyto` (from `~>`) is prepended to the arguments. */
export type CallCode = (input: unknown, env: Frame, applyto?: { context: unknown }) => unknown

/** jsonata functions whose result is never a sequence (constant). */
const NEVER_SEQUENCE = new Set([
  'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase', 'length', 'trim', 'pad', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt',
  'power', 'boolean', 'not', 'exists', 'type', 'count', 'sum', 'max', 'min', 'average', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'toMillis', 'fromMillis', 'contains', 'split',
  'replace',
])

/** Compiles a function call (`$f(a, b)`); `applyto` (from `~>`) is prepended to the arguments. */
export function compileCall(c: CallCompiler, node: Node, depth: number): CallCode {
  const procNode = node.procedure as Node
  // `$eval(...)`: the variable itself would fall back (its jsonata implementation is asynchronous)
  const isEval = procNode.type === 'variable' && procNode.value === 'eval' && !c.bound.has('eval')
  const proc: Code = isEval ? (_input, env) => env.lookup('eval') : c.node(procNode, depth + 1)
  const args = (node.arguments as Node[]).map((a) => c.node(a, depth + 1))
  const procName = procNode.type === 'path' ? (procNode.steps as Node[])[0].value : procNode.value
  const hint = procNode.type === 'path' ? ((procNode.steps as Node[])[0].value as string) : undefined
  const position = node.position
  const generic = (input: unknown, env: Frame, applyto?: { context: unknown }): unknown => {
    const p = proc(input, env) as Record<string, unknown> | undefined
    if (p === undefined && hint !== undefined && env.lookup(hint)) throw { code: 'T1005', position, token: hint }
    const values: unknown[] = applyto === undefined ? [] : [applyto.context]
    for (const a of args) values.push(a(input, env))
    try {
      if (p !== null && typeof p === 'object') {
        p.token = procName
        p.position = position
      }
      return apply(p, values, input, state.depth + depth)
    } catch (err) {
      if (err !== null && typeof err === 'object') {
        const e = err as Record<string, unknown>
        if (!e.position) e.position = position
        if (!e.token) e.token = procName
      }
      throw err
    }
  }
  const name = procNode.value as string
  if (isEval) return compileEval(c, args, position, generic)
  const builtin = procNode.type === 'variable' && BUILTIN.has(name) && !c.bound.has(name) ? (staticFrame.lookup(name) as Native | undefined) : undefined
  if (builtin === undefined) return generic
  return direct(name, builtin, args, position, depth, generic)
}

/**
 * Direct lane for a jsonata function (unless the bindings override its name): the same validation,
 * call and error labelling as the generic path, without the generic layers.
 * Functions that never return a sequence skip the end-of-evaluate normalisation.
 */
function direct(name: string, builtin: Native, args: Code[], position: number | undefined, depth: number, generic: CallCode): CallCode {
  const code = directCall(name, builtin, args, position, depth, generic)
  if (!NEVER_SEQUENCE.has(name)) return code
  // the generic call normalised as the node compiler would (this lane skips that wrapper); it keeps
  // `applyto`, so `x ~> $f()` with `$f` shadowed by a binding still gets `x` as first argument
  const fallback: CallCode = (input, env, applyto) => {
    const r = generic(input, env, applyto) as Seq
    if (Array.isArray(r) && r.sequence === true && !r.tupleStream) {
      if (r.length === 0) return undefined
      if (r.length === 1) return r.keepSingleton ? r : r[0]
    }
    return r
  }
  const lane: CallCode = (input, env, applyto) => (!state.plainBuiltins && env.lookup(name) !== builtin ? fallback(input, env, applyto) : code(input, env, applyto))
  NORMALISED.add(lane as Code)
  return lane
}

/** The argument values of a direct builtin call (`~>`'s context first); the call site is labelled on the builtin for its errors. */
function directArgs(builtin: Native, name: string, position: number | undefined, args: Code[], input: unknown, env: Parameters<Code>[1], applyto: { context: unknown } | undefined): unknown[] {
  const values: unknown[] = applyto === undefined ? [] : [applyto.context]
  for (const a of args) values.push(a(input, env))
  builtin.token = name
  builtin.position = position
  return values
}

function directCall(name: string, builtin: Native, args: Code[], position: number | undefined, depth: number, generic: CallCode): CallCode {
  if (builtin.hof === true) {
    // functions calling function arguments back need the caller's depth: go through callNative
    return (input, env, applyto) => {
      if (!state.plainBuiltins && env.lookup(name) !== builtin) return generic(input, env, applyto)
      const values = directArgs(builtin, name, position, args, input, env, applyto)
      try {
        return callNative(builtin, builtin.signature !== undefined ? validate(builtin.signature, values, input) : values, input, state.depth + depth)
      } catch (err) {
        throw labelError(err, builtin, name, position)
      }
    }
  }
  const impl = builtin.implementation
  const sig = builtin.signature
  const known = sig !== undefined ? validationCache(sig) : undefined
  const label = (err: unknown): unknown => labelError(err, builtin, name, position)
  if (args.length === 1 && known !== undefined) {
    // one argument whose type is known to pass the signature unchanged: no argument array
    const arg = args[0]
    // `known` only grows, so once a string / number argument is known to pass, it stays known:
    // remembered here, the usual record fields skip the set lookup
    let stringOk = false
    let numberOk = false
    return (input, env, applyto) => {
      if (applyto !== undefined || (!state.plainBuiltins && env.lookup(name) !== builtin)) return generic(input, env, applyto)
      const v = arg(input, env)
      builtin.token = name
      builtin.position = position
      try {
        FOCUS.input = input
        const t = typeof v
        if (t === 'string' ? stringOk : t === 'number' && numberOk) return impl.call(FOCUS, v)
        const symbol = symbolOf(v)
        if (known.has(symbol)) {
          if (symbol === 's') stringOk = true
          else if (symbol === 'n') numberOk = true
          return impl.call(FOCUS, v)
        }
        return impl.apply(FOCUS, validate(sig!, [v], input))
      } catch (err) {
        throw label(err)
      }
    }
  }
  return (input, env, applyto) => {
    if (!state.plainBuiltins && env.lookup(name) !== builtin) return generic(input, env, applyto)
    const values = directArgs(builtin, name, position, args, input, env, applyto)
    try {
      const validated = sig !== undefined ? validate(sig, values, input) : values
      FOCUS.input = input
      return impl.apply(FOCUS, validated)
    } catch (err) {
      throw label(err)
    }
  }
}

/** Compiles `lhs ~> rhs` (application or function chaining). */
export function compileApplyOp(c: CallCompiler, node: Node, depth: number): Code {
  const lhs = c.node(node.lhs as Node, depth + 1)
  const rhsNode = node.rhs as Node
  const position = node.position
  if (rhsNode.type === 'function') {
    const call = compileCall(c, rhsNode, depth)
    return (input, env) => call(input, env, { context: lhs(input, env) })
  }
  const rhs = c.node(rhsNode, depth + 1)
  return (input, env) => {
    const l = lhs(input, env)
    const f = rhs(input, env)
    if (!isFunction(f)) throw { code: 'T2006', position, value: f }
    if (isFunction(l)) {
      const chain = c.chainCode()(null, env)
      return apply(chain, [l, f], null, state.depth + depth)
    }
    return apply(f, [l], null, state.depth + depth)
  }
}

/** The labels applyInner and evaluateFunction put on an error raised by a call. */
function labelError(err: unknown, builtin: Native, name: string, position: number | undefined): unknown {
  if (err !== null && typeof err === 'object') {
    const e = err as Record<string, unknown>
    if (e.token === undefined) e.token = builtin.token
    e.position = builtin.position || e.position
    if (!e.position) e.position = position
    if (!e.token) e.token = name
  }
  return err
}

/** A regex literal: evaluates to jsonata's matcher function (match, start, end, groups, next). */
export function regex(node: Node): Code {
  const source = node.value as RegExp
  const position = node.position
  return () => {
    // a new RegExp each time the literal is evaluated: `lastIndex` never carries over (jsonata too)
    const re = new RegExp(source)
    const closure = (str: string, fromIndex?: number): unknown => {
      re.lastIndex = fromIndex || 0
      const m = re.exec(str)
      if (m === null) return undefined
      const result: Record<string, unknown> = { match: m[0], start: m.index, end: m.index + m[0].length, groups: m.slice(1) }
      result.next = () => {
        if (re.lastIndex >= str.length) return undefined
        const next = closure(str, re.lastIndex) as { match: string } | undefined
        if (next && next.match === '') throw { code: 'D1004', position, value: source.source }
        return next
      }
      return result
    }
    return closure
  }
}


/**
 * `$eval(expr, context?)` called directly (jsonata's functionEval): `expr` is parsed by jsonata,
 * compiled once per compiled transform (`CallCompiler.evalCode`) and evaluated in the calling frame; errors become D3120 (syntax) / D3121.
 */
function compileEval(c: CallCompiler, args: Code[], position: number | undefined, generic: CallCode): CallCode {
  const builtin = staticFrame.lookup('eval') as Native
  return (input, env, applyto) => {
    if (!state.plainBuiltins && env.lookup('eval') !== builtin) return generic(input, env, applyto)
    const values: unknown[] = applyto === undefined ? [] : [applyto.context]
    for (const a of args) values.push(a(input, env))
    builtin.token = 'eval'
    builtin.position = position
    try {
      const [expr, focus] = validate(builtin.signature!, values, input) as [string | undefined, unknown]
      if (expr === undefined) return undefined
      let context = input
      if (focus !== undefined) {
        context = focus
        if (Array.isArray(context) && !isSequence(context)) {
          context = createSequence(context)
          ;(context as Seq).outerWrapper = true
        }
      }
      const code = c.evalCode(expr)
      try {
        return code(context, env)
      } catch (err) {
        if (err instanceof Unsupported) throw err // a nested $eval string the compiler cannot run: see compileTransform
        populateMessage(err)
        throw { code: 'D3121', value: (err as Error).message, error: err }
      }
    } catch (err) {
      throw labelError(err, builtin, 'eval', position)
    }
  }
}
