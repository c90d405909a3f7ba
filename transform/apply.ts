/**
 * Function values and application on the fast path, as jsonata's apply / applyInner /
 * applyProcedure: signature validation (with jsonata's own signature objects), lambdas with
 * tail-call trampolining, jsonata's native functions, and plain JavaScript functions from bindings.
 */
import { checkDepth, Frame, FOCUS, isFunction, isLambda, state } from './runtime.js'

/** A compiled expression: context value and frame in, value out. */
export type Code = (input: unknown, env: Frame) => unknown

/** jsonata's parsed signature object (from the jsonata parser itself). */
export interface Signature {
  definition: string
  validate(args: unknown[], context: unknown): unknown[]
}

/** A lambda value (shape-compatible with jsonata's, so jsonata's natives recognise it). */
export interface Lambda {
  readonly _jsonata_lambda: true
  readonly input: unknown
  readonly environment: Frame
  readonly params: readonly string[]
  readonly arity: number
  readonly signature?: Signature
  readonly body: Code
  /** Tail-call thunk: the call's procedure and argument code, evaluated by the trampoline. */
  readonly thunk?: { procedure: Code; args: Code[]; token?: string; position?: number }
  readonly apply: (self: unknown, args: unknown[]) => unknown
  /** Label of the call in progress (see `Native.token`); a lambda value lives in one evaluation. */
  token?: string
  position?: number
}

/** A native function value (jsonata's own objects, or the synchronous replacements of its async ones). */
export interface Native {
  readonly _jsonata_function: true
  readonly implementation: (...args: unknown[]) => unknown
  readonly signature?: Signature
  readonly arity?: number
  /** Calls function arguments back (so it needs the caller's depth). */
  readonly hof?: boolean
  /**
   * The name and position of the call in progress, written on the function object before each call
   * and read by the error labelling when that call throws, as jsonata's evaluateFunction does on the
   * same (shared, global) native objects.
   * Outlives evaluations: they stay on jsonata's natives after a call, but every call site writes
   * both before it calls, so only an error's `token`/`position` can see them, never a result (and
   * jsonata's interpreter mutates the same objects the same way).
   */
  token?: string
  position?: number
}

/** Arity as jsonata's getFunctionArity. */
export function arityOf(f: unknown): number {
  const fn = f as { arity?: number; implementation?: { length: number }; length?: number; params?: unknown[] }
  if (typeof fn.arity === 'number') return fn.arity
  if (typeof fn.implementation === 'function') return fn.implementation.length
  if (typeof fn.length === 'number') return fn.length
  return fn.params?.length ?? 0
}

/**
 * Applies a function value to arguments (jsonata `apply`, with the tail-call trampoline).
 * `depth` is the jsonata evaluation depth of the calling node.
 */
export function apply(proc: unknown, args: unknown[], input: unknown, depth: number): unknown {
  let result = applyInner(proc, args, input, depth)
  while (isLambda(result) && (result as Lambda).thunk !== undefined) {
    const t = result as Lambda
    const next = t.thunk!.procedure(t.input, t.environment) as Record<string, unknown>
    // jsonata labels the tail-called function object (a TypeError there when it is not an object)
    if (t.thunk!.token !== undefined) next.token = t.thunk!.token
    next.position = t.thunk!.position
    const nextArgs = t.thunk!.args.map((a) => a(t.input, t.environment))
    result = applyInner(next, nextArgs, input, depth)
  }
  return result
}

/**
 * Per signature, the argument-type keys known to pass it unchanged.
 * Outlives evaluations: shared by every compiled transform (jsonata's signature objects are
 * global), so an entry must hold for every call with that key whatever the values and the context:
 * see `validate` for why it does.
 */
const validations = new WeakMap<Signature, Set<string>>()

/** The argument-type keys known to pass a signature unchanged (filled by `validate` only). */
export function validationCache(sig: Signature): ReadonlySet<string> {
  return cacheOf(sig)
}

function cacheOf(sig: Signature): Set<string> {
  let ok = validations.get(sig)
  if (ok === undefined) validations.set(sig, (ok = new Set()))
  return ok
}

/** jsonata's signature symbol of a value. */
export function symbolOf(v: unknown): string {
  if (isFunction(v)) return 'f'
  switch (typeof v) {
    case 'string': return 's'
    case 'number': return 'n'
    case 'boolean': return 'b'
    case 'object': return v === null ? 'l' : Array.isArray(v) ? 'a' : 'o'
    default: return 'm'
  }
}

/** `0` (empty), the items' common symbol, or `*` (mixed): all that `a<x>` validation looks at. */
function arraySummary(a: unknown[]): string {
  if (a.length === 0) return '0'
  const first = symbolOf(a[0])
  for (let i = 1; i < a.length; i++) if (symbolOf(a[i]) !== first) return '*'
  return first
}

/** The cache key of an argument list: its symbols, array arguments with their items' summary. */
export function argumentKey(args: readonly unknown[]): string {
  let key = ''
  for (const a of args) {
    const s = symbolOf(a)
    key += s
    // jsonata checks array arguments against `a<x>` by their first item's type and uniformity
    if (s === 'a') key += arraySummary(a as unknown[])
  }
  return key
}

/**
 * jsonata's signature validation, remembered per argument key when it left the arguments unchanged
 * (only missing optional ones padded with undefined).
 *
 * Why a key entry holds for every later call with that key: jsonata matches the signature's regex
 * against the argument symbols only, so which parameters match, whether a non-array is wrapped and
 * whether the context is inserted for a missing context argument (`-`, always the first parameter
 * of jsonata's functions) depend on the key alone. The context's value never enters the key, so a
 * result is cached only when no context can have been inserted: an insertion shifts the arguments
 * right, so it looks like "unchanged" only when the inserted context is `undefined` (`$string()`
 * evaluated on no input). Such a result is not remembered — caching it once made every later
 * `$string()` of every transform ignore its context.
 */
export function validate(sig: Signature, args: unknown[], context: unknown): unknown[] {
  const key = argumentKey(args)
  const ok = cacheOf(sig)
  if (ok.has(key)) return args
  const validated = sig.validate(args, context)
  // unchanged = same leading arguments, only missing optional ones padded with undefined
  let unchanged = validated.length >= args.length
  for (let i = 0; unchanged && i < validated.length; i++) unchanged = i < args.length ? validated[i] === args[i] : validated[i] === undefined
  // an undefined context inserted in front of the arguments is indistinguishable from padding
  if (unchanged && validated.length > args.length && context === undefined && takesContext(sig)) unchanged = false
  if (unchanged) ok.add(key)
  return validated
}

/** Whether the signature has a context parameter (`-`). */
function takesContext(sig: Signature): boolean {
  return sig.definition.includes('-')
}

function applyInner(proc: unknown, args: unknown[], input: unknown, depth: number): unknown {
  const p = proc as (Lambda & Native) | undefined
  try {
    const validated = p && p.signature !== undefined ? validate(p.signature, args, input) : args
    if (p && p._jsonata_lambda === true) return applyLambda(p, validated, depth)
    if (p && p._jsonata_function === true) return callNative(p, validated, input, depth)
    if (typeof proc === 'function') {
      const r = (proc as (...a: unknown[]) => unknown).apply(input, validated)
      if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
        throw { code: 'T1006', message: 'An asynchronous function from the bindings cannot be called by a compiled transform' }
      }
      return r
    }
    throw { code: 'T1006' }
  } catch (err) {
    if (p && err !== null && typeof err === 'object') {
      const e = err as Record<string, unknown>
      if (e.token === undefined && p.token !== undefined) e.token = p.token
      e.position = p.position || e.position
    }
    throw err
  }
}

function applyLambda(l: Lambda, args: readonly unknown[], depth: number): unknown {
  const env = new Frame(l.environment)
  const params = l.params
  for (let i = 0; i < params.length; i++) env.bind(params[i], args[i])
  const saved = state.depth
  state.depth = depth
  checkDepth(depth + 1)
  try {
    return l.body(l.input, env)
  } finally {
    state.depth = saved
  }
}

/** Invokes a native function with validated arguments; `depth` is the calling node's jsonata depth. */
export function callNative(p: Native, args: unknown[], input: unknown, depth: number): unknown {
  FOCUS.input = input
  if (p.hof !== true) return p.implementation.apply(FOCUS, args)
  const savedNative = nativeDepth
  nativeDepth = depth
  try {
    return p.implementation.apply(FOCUS, args)
  } finally {
    nativeDepth = savedNative
  }
}

/** Calls a function value from a native higher-order function (jsonata passes a null context). */
export function callFunction(fn: unknown, args: unknown[]): unknown {
  return apply(fn, args, null, nativeDepth)
}

/**
 * jsonata depth of the node that called the native higher-order function now running.
 * Outlives evaluations: a module variable, but `callNative` sets it before and restores it after
 * (finally) every higher-order call, and only `callFunction`, called back from inside that call,
 * reads it; outside a call it holds its initial 0 again.
 */
let nativeDepth = 0
