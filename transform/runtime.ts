/**
 * Runtime of the compiled (fast) transform path: jsonata's value model — sequences (arrays flagged
 * `sequence`), variable frames, the type predicates and equality — plus the per-evaluation limits.
 * Semantics follow jsonata 2.2 (node_modules/jsonata/jsonata.js) point by point.
 */
import { depthError, timeoutError } from './limits.js'

/** A jsonata sequence (or plain array) with jsonata's internal flags. */
export type Seq = unknown[] & { sequence?: boolean; keepSingleton?: boolean; outerWrapper?: boolean; cons?: boolean; tupleStream?: boolean }

/** The bindings of a frame that bound nothing; frozen, so nothing can be bound into it by mistake. */
const NO_VARS: Record<string, unknown> = Object.freeze(Object.create(null))

/** A variable scope, as jsonata's `createFrame`: own bindings, then the enclosing frame's. */
export class Frame {
  /** Own bindings; a shared empty object until the first `bind` (most frames never bind). */
  vars: Record<string, unknown> = NO_VARS
  constructor(readonly parent: Frame | null) {}
  /** Binds a variable in this frame. */
  bind(name: string, value: unknown): void {
    if (this.vars === NO_VARS) this.vars = Object.create(null)
    this.vars[name] = value
  }
  /** Looks a variable up through the enclosing frames. */
  lookup(name: string): unknown {
    let f: Frame | null = this
    while (f !== null) {
      if (name in f.vars) return f.vars[name]
      f = f.parent
    }
    return undefined
  }
}

/**
 * Objects built by the fast lane of object constructors: their prototype has no members and a null prototype.
 * Outlives evaluations: the one prototype object all such results share; nothing writes to it after
 * this module loads (an expression cannot reach a prototype: `__proto__` keys and steps take the
 * generic paths, which build and read own properties only).
 */
export const JsonataObject = function JsonataObject(this: object) {} as unknown as { new (): Record<string, unknown>; prototype: object }
JsonataObject.prototype = Object.create(null)

/** A new (empty or one-item) sequence. */
export function createSequence(...items: unknown[]): Seq {
  const s = [] as Seq
  s.sequence = true
  if (items.length === 1) s.push(items[0])
  return s
}

/**
 * `this` for jsonata's native functions (the date functions read the evaluation's timestamp from it).
 * Outlives evaluations: one object; `input` is written before every native call (jsonata's natives
 * other than `$eval`, which the compiler evaluates itself, never read it) and `environment.timestamp`
 * reads the current evaluation's `state`.
 */
export const FOCUS = {
  createSequence,
  options: undefined as unknown,
  input: undefined as unknown,
  environment: {
    get timestamp(): Date {
      return new Date(evaluationTime())
    },
  },
}

/** jsonata `isSequence` (value must not be nullish). */
export function isSequence(v: unknown): v is Seq {
  return Array.isArray(v) && (v as Seq).sequence === true
}

/** jsonata `isNumeric`: a non-NaN number; throws D1001 for ±Infinity. */
export function isNumeric(n: unknown): n is number {
  if (typeof n !== 'number') return false
  if (Number.isNaN(n)) return false
  if (!Number.isFinite(n)) throw { code: 'D1001', value: n }
  return true
}

/** jsonata `isArrayOfNumbers`. */
export function isArrayOfNumbers(a: unknown): boolean {
  if (!Array.isArray(a)) return false
  let ok = true
  for (const x of a) if (!isNumeric(x)) ok = false
  return ok
}

/** jsonata `isArrayOfStrings`. */
export function isArrayOfStrings(a: unknown): boolean {
  return Array.isArray(a) && a.every((x) => typeof x === 'string')
}

/** jsonata `isFunction`: a native, a lambda, or a plain JavaScript function. */
export function isFunction(v: unknown): boolean {
  return (
    (v !== null && typeof v === 'object' && ((v as Record<string, unknown>)._jsonata_function === true || (v as Record<string, unknown>)._jsonata_lambda === true)) ||
    typeof v === 'function'
  )
}

/** jsonata `isLambda`. */
export function isLambda(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as Record<string, unknown>)._jsonata_lambda === true
}

/** jsonata `isDeepEqual` (own property names, arrays by items). */
export function isDeepEqual(l: unknown, r: unknown): boolean {
  if (l === r) return true
  if (typeof l === 'object' && typeof r === 'object' && l !== null && r !== null) {
    if (Array.isArray(l) && Array.isArray(r)) {
      if (l.length !== r.length) return false
      for (let i = 0; i < l.length; i++) if (!isDeepEqual(l[i], r[i])) return false
      return true
    }
    const lk = Object.getOwnPropertyNames(l).sort()
    const rk = Object.getOwnPropertyNames(r).sort()
    if (lk.length !== rk.length) return false
    for (let i = 0; i < lk.length; i++) if (lk[i] !== rk[i]) return false
    for (const k of lk) if (!isDeepEqual((l as Record<string, unknown>)[k], (r as Record<string, unknown>)[k])) return false
    return true
  }
  return false
}

/** jsonata `utils.keys`. */
export function keysOf(v: unknown): string[] {
  return typeof v === 'object' && v !== null ? Object.keys(v) : []
}

/** Per-evaluation limit state (evaluation is synchronous, so one current state suffices). */
export interface EvalState {
  start: number
  timeoutMs: number
  maxDepth: number
  /** jsonata-equivalent evaluation depth of the current lambda body's root. */
  depth: number
  ticks: number
  timestamp: number
  /** Elements allocated by range operators so far. */
  allocated: number
  /** No binding of this evaluation shadows a jsonata function name. */
  plainBuiltins: boolean
}

/**
 * The state of the evaluation in progress.
 * Outlives evaluations: a module variable, but each compiled evaluation installs a new state object
 * (`enterState`) and puts the previous one back when it ends, normally or not (`restoreState` in a
 * finally), so a nested or later evaluation never sees another's depth, ticks, timestamp or
 * allocation count.
 */
export let state: EvalState = { start: 0, timeoutMs: Infinity, maxDepth: Infinity, depth: 0, ticks: 0, timestamp: 0, allocated: 0, plainBuiltins: false }

/** Installs a new state, returning the previous one (for re-entrant evaluations). */
export function enterState(s: EvalState): EvalState {
  const prev = state
  state = s
  return prev
}

/** Restores a previous state. */
export function restoreState(s: EvalState): void {
  state = s
}

/** The evaluation's timestamp for $now()/$millis() (taken at first use, then fixed). */
export function evaluationTime(): number {
  if (state.timestamp === 0) state.timestamp = Date.now()
  return state.timestamp
}

/**
 * The clock starts at the first loop iteration or function call (an evaluation without either is
 * bounded by the size of the expression) and is read again every 1024 of them.
 */
function checkTime(): void {
  const now = Date.now()
  if (state.start === 0) state.start = now
  else if (now - state.start > state.timeoutMs) throw timeoutError(state.timeoutMs)
}

/** Called in loops: every 1024 iterations checks the wall clock. */
export function tick(): void {
  if ((++state.ticks & 1023) === 1) checkTime()
}

/** Called when a lambda body is entered at jsonata depth `depth`. */
export function checkDepth(depth: number): void {
  if (depth > state.maxDepth) throw depthError(state.maxDepth)
  if ((++state.ticks & 63) === 1) checkTime()
}

/**
 * Most range elements one evaluation may allocate in total (jsonata caps each range at 1e7 but not
 * their sum, so `[1..1e7].[1..1e7]` would exhaust memory before any time check): 5e7 (~400 MB).
 */
export const MAX_RANGE_ELEMENTS = 5e7

/** Accounts for a range allocation: D2014 beyond the per-evaluation total; also a time check. */
export function allocate(size: number): void {
  state.allocated += size
  if (state.allocated > MAX_RANGE_ELEMENTS) throw { code: 'D2014', value: state.allocated }
  checkTime()
}
