/**
 * The fast path: compiles jsonata's processed AST to nested JavaScript closures with jsonata 2.2's
 * exact semantics, or reports (by returning undefined) that some node is outside the supported
 * subset, in which case the whole expression runs on the interpreter.
 */
import jsonata, { type ExprNode } from 'jsonata'
import { callFunction, type Code, type Lambda } from './apply.js'
import { BUILTIN, type CallCompiler, compileApplyOp, compileCall, regex } from './compile-call.js'
import { compilePartial } from './compile-partial.js'
import { compileTransformOp } from './compile-transform-op.js'
import { collectBound, type Node, normalise, readsVariable, Unsupported } from './compile-context.js'
import { compileBinary, compileGroup, compileUnary } from './compile-operators.js'
import { compilePath, descendants, lookupName, NORMALISED, wildcard } from './compile-path.js'
import { compileFilter } from './compile-step.js'
import type { TransformOptions } from './limits.js'
import { DEFAULT_MAX_DEPTH, DEFAULT_TIMEOUT_MS, depthError } from './limits.js'
import { populateMessage } from './messages.js'
import { fn, staticFrame, UNSUPPORTED_FUNCTIONS } from './natives.js'
import { createSequence, enterState, type EvalState, Frame, isSequence, restoreState, type Seq } from './runtime.js'

/** Node types that never produce a sequence, so skip the end-of-evaluate normalisation (constant). */
const SCALAR = new Set(['string', 'number', 'value', 'lambda', 'regex', 'transform'])

/**
 * What one compiled transform compiles lazily while it runs, shared by its node compilers (its own
 * and those of the expressions it `$eval`s) and by nothing else: the code of each `$eval`
 * expression and of `~>` function composition.
 */
interface TransformCache {
  // Outlives evaluations: one per compiled transform; it holds compiled code only, which depends on
  // the expression strings and the bound names alone, never on an input
  readonly evals: Map<string, Code>
  chain?: Code
}

/** Most distinct `$eval` expressions one compiled transform keeps compiled. */
const MAX_EVAL_CACHE = 1000

class NodeCompiler implements CallCompiler {
  /**
   * @param bound names bound in the expression, and for an `$eval`ed expression also those of the
   *   expression evaluating it (its code runs in that expression's frames, so a `$string := ...`
   *   there shadows the function inside the `$eval` string too)
   * @param cache the compiled transform's lazily compiled code
   */
  constructor(
    readonly bound: ReadonlySet<string>,
    private readonly cache: TransformCache,
  ) {
    this.boundKey = [...bound].sort().join(',')
  }

  /** `bound` as part of an `$eval` cache key. */
  private readonly boundKey: string

  /**
   * The code of an `$eval` expression string, compiled once per (compiled transform, expression).
   * Cached code depends only on the expression and on `bound`, which is the same for every call of
   * this compiler; when the cache is full it is emptied (recompiling gives the same code).
   */
  evalCode(expr: string): Code {
    const key = `${this.boundKey}\n${expr}`
    let code = this.cache.evals.get(key)
    if (code !== undefined) return code
    let ast: Node
    try {
      ast = jsonata(expr).ast() as unknown as Node
    } catch (err) {
      throw { code: 'D3120', value: (err as Error).message, error: err }
    }
    code = new NodeCompiler(collectBound(ast, new Set(this.bound)), this.cache).node(ast, 1)
    if (this.cache.evals.size >= MAX_EVAL_CACHE) this.cache.evals.clear()
    this.cache.evals.set(key, code)
    return code
  }

  /** jsonata's function composition `f ~> g`, compiled from the same definition jsonata uses. */
  chainCode(): Code {
    this.cache.chain ??= new NodeCompiler(new Set(), this.cache).node(jsonata('function($f, $g) { function($x){ $g($f($x)) } }').ast() as unknown as Node, 1)
    return this.cache.chain
  }

  node = (node: Node, depth: number): Code => {
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
        return (input) => lookupName(input, name)
      }
      case 'string':
      case 'number':
      case 'value': {
        const v = node.value
        return () => v
      }
      case 'parent': {
        const label = (node.slot as Node).label as string
        return (_input, env) => env.lookup(label)
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
        return compileCall(this, node, depth)
      case 'apply':
        return compileApplyOp(this, node, depth)
      case 'partial':
        return compilePartial(this, node, depth)
      case 'transform':
        return compileTransformOp(this, node, depth)
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
}

/** A compiled fast-path evaluator. */
export type FastEvaluate = (input: unknown, bindings?: Record<string, unknown>) => unknown

/** Compiles an AST to a synchronous function, or returns undefined when any node is unsupported. */
export function compileFast(ast: ExprNode, opts: TransformOptions = {}): FastEvaluate | undefined {
  let root: Code
  try {
    root = new NodeCompiler(collectBound(ast, new Set()), { evals: new Map() }).node(ast as unknown as Node, 1)
  } catch (e) {
    if (e instanceof Unsupported) return undefined
    throw e
  }
  // `$$` (and only it) reads the root binding `$`
  const usesRoot = readsVariable(ast, '$')
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH
  /**
   * One state object for this transform's evaluations, taken while one runs (a re-entrant one gets a
   * new object). Outlives evaluations: every field an evaluation changes is reset before the next
   * starts (start, depth, ticks, timestamp, allocated, plainBuiltins); the others are the limits.
   */
  let idle: EvalState | undefined
  // Outlives evaluations: besides `idle`, this closure captures only what compilation produced (the
  // root code and its transform cache, the limits, `usesRoot`); an evaluation makes its own frames
  return (input, bindings) => {
    // a new root frame per evaluation: `:=` at the root and `$eval` bind into it
    const frame = new Frame(staticFrame)
    if (bindings) for (const k of Object.keys(bindings)) frame.bind(k, bindings[k])
    if (usesRoot || (bindings && '$' in bindings)) frame.bind('$', input)
    let context = input
    if (Array.isArray(input) && !isSequence(input)) {
      context = createSequence(input)
      ;(context as Seq).outerWrapper = true
    }
    const plainBuiltins = bindings === undefined || !Object.keys(bindings).some((k) => BUILTIN.has(k))
    let s = idle
    idle = undefined
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
      // the JavaScript stack ran out before maxDepth (a very high limit): jsonata's depth error
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw Object.assign(depthError(maxDepth), { cause: err })
      populateMessage(err)
      throw err
    } finally {
      restoreState(prev)
      idle = s
    }
  }
}
