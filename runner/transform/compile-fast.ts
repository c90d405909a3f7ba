/**
 * The fast path: compiles jsonata's processed AST to nested JavaScript closures with jsonata 2.2's
 * exact semantics, or reports (by returning undefined) that some node is outside the supported
 * subset, in which case the whole expression runs on the interpreter.
 */
import jsonata, { type ExprNode } from 'jsonata'
import { apply, callFunction, type Code, type Lambda, type Native, symbolOf, validate, validationCache } from './apply.js'
import { type Compiler, type Node, normalise, Unsupported } from './compile-context.js'
import { compileBinary, compileGroup, compileUnary } from './compile-operators.js'
import { compileFilter, compilePath, descendants, NORMALISED, wildcard } from './compile-path.js'
import type { TransformOptions } from './limits.js'
import { DEFAULT_MAX_DEPTH, DEFAULT_TIMEOUT_MS } from './limits.js'
import { populateMessage } from './messages.js'
import { fn, JSONATA_FUNCTIONS, staticFrame, UNSUPPORTED_FUNCTIONS } from './natives.js'
import { createSequence, enterState, type EvalState, FOCUS, Frame, isFunction, isSequence, restoreState, state, type Seq } from './runtime.js'

const BUILTIN = new Set<string>(JSONATA_FUNCTIONS)
/** Node types that never produce a sequence, so skip the end-of-evaluate normalisation. */
const SCALAR = new Set(['string', 'number', 'value', 'lambda', 'regex'])

/** A compiled function call; `applyto` (from `~>`) is prepended to the arguments. */
type CallCode = (input: unknown, env: Frame, applyto?: { context: unknown }) => unknown

/** jsonata functions whose result is never a sequence. */
const NEVER_SEQUENCE = new Set([
  'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase', 'length', 'trim', 'pad', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt',
  'power', 'boolean', 'not', 'exists', 'type', 'count', 'sum', 'max', 'min', 'average', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'toMillis', 'fromMillis',
])

class NodeCompiler implements Compiler {
  constructor(private readonly bound: ReadonlySet<string>) {}

  /** Deepest static evaluation depth met (jsonata counts one level per nested node evaluation). */
  maxDepth = 0

  node = (node: Node, depth: number): Code => {
    if (depth > this.maxDepth) this.maxDepth = depth
    let code = this.core(node, depth)
    if (node.predicate) {
      for (const p of node.predicate as Node[]) {
        if (p.type !== 'filter') throw new Unsupported(`predicate ${p.type}`)
        const f = compileFilter(this, p.expr as Node, depth + 1)
        const prev = code
        code = (input, env) => f(prev(input, env), env)
      }
    }
    if (node.type !== 'path' && node.group) {
      const g = compileGroup(this, node.group as Node, depth + 1)
      const prev = code
      code = (input, env) => g(prev(input, env), env)
    }
    if (NORMALISED.has(code) && !node.predicate && !node.group && !node.keepArray) return code
    const scalar = SCALAR.has(node.type) || (node.type === 'binary' && node.value !== '..') || (node.type === 'unary' && node.value !== '[')
    if (scalar && !node.predicate && !node.group && !node.keepArray) return code
    return normalise(code, node.keepArray === true)
  }

  private core(node: Node, depth: number): Code {
    switch (node.type) {
      case 'path':
        return compilePath(this, node, depth, (g, d) => compileGroup(this, g, d))
      case 'binary':
        return compileBinary(this, node, depth)
      case 'unary':
        return compileUnary(this, node, depth)
      case 'name': {
        const name = node.value as string
        return (input) => lookup(input, name)
      }
      case 'string':
      case 'number':
      case 'value': {
        const v = node.value
        return () => v
      }
      case 'wildcard':
        return wildcard
      case 'descendant':
        return descendants
      case 'condition': {
        const cond = this.node(node.condition as Node, depth + 1)
        const then = this.node(node.then as Node, depth + 1)
        const otherwise = node.else !== undefined ? this.node(node.else as Node, depth + 1) : undefined
        return (input, env) => (fn.boolean(cond(input, env)) ? then(input, env) : otherwise?.(input, env))
      }
      case 'block': {
        const codes = (node.expressions as Node[]).map((e) => this.node(e, depth + 1))
        return (input, env) => {
          const frame = new Frame(env)
          let r: unknown
          for (const c of codes) r = c(input, frame)
          return r
        }
      }
      case 'bind': {
        const name = (node.lhs as Node).value as string
        const rhs = this.node(node.rhs as Node, depth + 1)
        return (input, env) => {
          const v = rhs(input, env)
          env.bind(name, v)
          return v
        }
      }
      case 'variable':
        return this.variable(node)
      case 'regex':
        return regex(node)
      case 'lambda':
        return this.lambda(node)
      case 'function':
        return this.call(node, depth)
      case 'apply':
        return this.applyOp(node, depth)
      default:
        throw new Unsupported(`node ${node.type}`)
    }
  }

  private variable(node: Node): Code {
    const name = node.value as string
    if (name === '') return (input) => (Array.isArray(input) && (input as Seq).outerWrapper ? input[0] : input)
    if (BUILTIN.has(name) && UNSUPPORTED_FUNCTIONS.has(name) && !this.bound.has(name)) throw new Unsupported(`function $${name}`)
    return (_input, env) => env.lookup(name)
  }

  private lambda(node: Node): Code {
    const params = (node.arguments as Node[]).map((a) => a.value as string)
    const body = this.node(node.body as Node, 1)
    const signature = node.signature
    let thunk: Lambda['thunk']
    if (node.thunk === true) {
      const call = node.body as Node
      if (call.type !== 'function') throw new Unsupported('thunk body')
      const procNode = call.procedure as Node
      thunk = {
        procedure: this.node(procNode, 2),
        args: (call.arguments as Node[]).map((a) => this.node(a, 2)),
        token: procNode.type === 'variable' ? (procNode.value as string) : undefined,
        position: procNode.position,
      }
    }
    return (input, env) => {
      // `apply` as on jsonata's lambdas: a per-instance function, so two lambda values are never
      // deep-equal (`=`, $distinct) unless they are the same value, exactly as in jsonata
      const l: Lambda = { _jsonata_lambda: true, input, environment: env, params, arity: params.length, signature, body, thunk, apply: (_self: unknown, args: unknown[]) => callFunction(l, args) }
      return l
    }
  }

  /** A function call; `applyto` (from `~>`) is prepended to the arguments. */
  private call(node: Node, depth: number): CallCode {
    const procNode = node.procedure as Node
    const proc = this.node(procNode, depth + 1)
    const args = (node.arguments as Node[]).map((a) => this.node(a, depth + 1))
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
    const builtin = procNode.type === 'variable' && BUILTIN.has(name) && !this.bound.has(name) ? (staticFrame.lookup(name) as Native | undefined) : undefined
    if (builtin === undefined || builtin.hof === true) return generic
    return this.direct(name, builtin, args, position, generic)
  }

  /**
   * Direct lane for a non-higher-order jsonata function (unless the bindings override its name): the
   * same validation, call and error labelling as the generic path, without the generic layers.
   * Functions that never return a sequence skip the end-of-evaluate normalisation.
   */
  private direct(name: string, builtin: Native, args: Code[], position: number | undefined, generic: CallCode): CallCode {
    const code = this.directCall(name, builtin, args, position, generic)
    if (!NEVER_SEQUENCE.has(name)) return code
    const fallback = normalise(generic as Code, false)
    const lane: CallCode = (input, env, applyto) => (!state.plainBuiltins && env.lookup(name) !== builtin ? fallback(input, env) : code(input, env, applyto))
    NORMALISED.add(lane as Code)
    return lane
  }

  private directCall(name: string, builtin: Native, args: Code[], position: number | undefined, generic: CallCode): CallCode {
    const impl = builtin.implementation
    const sig = builtin.signature
    const known = sig !== undefined ? validationCache(sig) : undefined
    const label = (err: unknown): unknown => {
      if (err !== null && typeof err === 'object') {
        const e = err as Record<string, unknown>
        if (e.token === undefined) e.token = builtin.token
        e.position = builtin.position || e.position
        if (!e.position) e.position = position
        if (!e.token) e.token = name
      }
      return err
    }
    if (args.length === 1 && known !== undefined) {
      // one argument whose type is known to pass the signature unchanged: no argument array
      const arg = args[0]
      return (input, env, applyto) => {
        if (applyto !== undefined || (!state.plainBuiltins && env.lookup(name) !== builtin)) return generic(input, env, applyto)
        const v = arg(input, env)
        builtin.token = name
        builtin.position = position
        try {
          FOCUS.input = input
          if (known.has(symbolOf(v))) return impl.call(FOCUS, v)
          return impl.apply(FOCUS, validate(sig!, [v], input))
        } catch (err) {
          throw label(err)
        }
      }
    }
    return (input, env, applyto) => {
      if (!state.plainBuiltins && env.lookup(name) !== builtin) return generic(input, env, applyto)
      const values: unknown[] = applyto === undefined ? [] : [applyto.context]
      for (const a of args) values.push(a(input, env))
      builtin.token = name
      builtin.position = position
      try {
        const validated = sig !== undefined ? validate(sig, values, input) : values
        FOCUS.input = input
        return impl.apply(FOCUS, validated)
      } catch (err) {
        throw label(err)
      }
    }
  }

  private applyOp(node: Node, depth: number): Code {
    const lhs = this.node(node.lhs as Node, depth + 1)
    const rhsNode = node.rhs as Node
    const position = node.position
    if (rhsNode.type === 'function') {
      const call = this.call(rhsNode, depth)
      return (input, env) => call(input, env, { context: lhs(input, env) })
    }
    const rhs = this.node(rhsNode, depth + 1)
    return (input, env) => {
      const l = lhs(input, env)
      const f = rhs(input, env)
      if (!isFunction(f)) throw { code: 'T2006', position, value: f }
      if (isFunction(l)) {
        const chain = chainCode()(null, env)
        return apply(chain, [l, f], null, state.depth + depth)
      }
      return apply(f, [l], null, state.depth + depth)
    }
  }
}

let chain: Code | undefined
/** jsonata's function composition `f ~> g`, compiled from the same definition jsonata uses. */
function chainCode(): Code {
  chain ??= new NodeCompiler(new Set(['f', 'g', 'x'])).node(jsonata('function($f, $g) { function($x){ $g($f($x)) } }').ast() as unknown as Node, 1)
  return chain
}

function lookup(input: unknown, name: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence()
    for (const item of input) {
      const res = lookup(item, name)
      if (res !== undefined) {
        if (Array.isArray(res)) for (const v of res) result.push(v)
        else result.push(res)
      }
    }
    return result
  }
  if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, name) && !isFunction(input)) {
    return (input as Record<string, unknown>)[name]
  }
  return undefined
}

function regex(node: Node): Code {
  const source = node.value as RegExp
  const position = node.position
  return () => {
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

function collectBound(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const n of node) collectBound(n, out)
  else if (node !== null && typeof node === 'object') {
    const n = node as Node
    if (n.type === 'bind' && n.lhs) out.add((n.lhs as Node).value as string)
    if (n.type === 'lambda') for (const a of n.arguments as Node[]) out.add(a.value as string)
    for (const k of Object.keys(n)) if (k !== 'signature' && k !== 'value') collectBound(n[k], out)
  }
  return out
}

function bindsAtRoot(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(bindsAtRoot)
  if (node === null || typeof node !== 'object') return false
  const n = node as Node
  if (n.type === 'bind') return true
  if (n.type === 'block' || n.type === 'lambda') return false
  return Object.keys(n).some((k) => k !== 'signature' && k !== 'value' && bindsAtRoot(n[k]))
}

function readsVariable(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => readsVariable(n, name))
  if (node === null || typeof node !== 'object') return false
  const n = node as Node
  if (n.type === 'variable' && n.value === name) return true
  return Object.keys(n).some((k) => k !== 'signature' && k !== 'value' && readsVariable(n[k], name))
}

/** A compiled fast-path evaluator. */
export type FastEvaluate = (input: unknown, bindings?: Record<string, unknown>) => unknown

/** Compiles an AST to a synchronous function, or returns undefined when any node is unsupported. */
export function compileFast(ast: ExprNode, opts: TransformOptions = {}): FastEvaluate | undefined {
  let root: Code
  try {
    root = new NodeCompiler(collectBound(ast, new Set())).node(ast as unknown as Node, 1)
  } catch (e) {
    if (e instanceof Unsupported) return undefined
    throw e
  }
  // `$$` (and only it) reads the root binding `$`
  const usesRoot = readsVariable(ast, '$')
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH
  let idle: EvalState | undefined // one state object reused across (non-overlapping) evaluations
  // Nothing is ever bound in the root frame of an expression without a root-level `:=` and `$$`,
  // so evaluations without bindings can share one (empty) root frame.
  const shared = usesRoot || bindsAtRoot(ast) ? undefined : new Frame(staticFrame)
  return (input, bindings) => {
    const frame = shared !== undefined && bindings === undefined ? shared : new Frame(staticFrame)
    if (bindings) for (const k of Object.keys(bindings)) frame.bind(k, bindings[k])
    if (usesRoot || (bindings && '$' in bindings)) frame.bind('$', input)
    let context = input
    if (Array.isArray(input) && !isSequence(input)) {
      context = createSequence(input)
      ;(context as Seq).outerWrapper = true
    }
    let s = idle
    idle = undefined
    const plainBuiltins = bindings === undefined || !Object.keys(bindings).some((k) => BUILTIN.has(k))
    if (s === undefined) s = { start: 0, timeoutMs, maxDepth, depth: 0, ticks: 0, timestamp: 0, allocated: 0, plainBuiltins }
    else {
      s.start = 0
      s.depth = 0
      s.ticks = 0
      s.timestamp = 0
      s.allocated = 0
      s.plainBuiltins = plainBuiltins
    }
    const prev = enterState(s)
    try {
      return root(context, frame)
    } catch (err) {
      populateMessage(err)
      throw err
    } finally {
      restoreState(prev)
      idle = s
    }
  }
}
