/**
 * The function library of the fast path. jsonata's own synchronous natives are reused as they are
 * (taken from the interpreter's static frame through its public API, so their semantics are exactly
 * jsonata's); its asynchronous ones ($map, $filter, $reduce, $sort, $each, $sift, $single,
 * $contains, $split, $replace, $match) are re-implemented synchronously here, following jsonata 2.2.
 */
import jsonata from 'jsonata'
import { arityOf, callFunction, type Native, type Signature } from './apply.js'
import { callMatcher, hofArgs, mergeSort, substitution } from './natives-support.js'
import { createSequence, evaluationTime, FOCUS, Frame, isArrayOfNumbers, isArrayOfStrings, keysOf, tick, type Seq } from './runtime.js'

/** Every function name of jsonata's standard library. */
export const JSONATA_FUNCTIONS = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean',
  'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge',
  'reverse', 'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone',
  'now', 'millis',
] as const

/**
 * jsonata's static frame, read synchronously: the `__evaluate_entry` hook (the one jsonata's own test
 * harness uses) is called before the first await of an evaluation and receives the environment.
 */
function jsonataEnvironment(): { lookup(name: string): unknown } {
  let env: { lookup(name: string): unknown } | undefined
  const probe = jsonata('0')
  probe.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, (_e: unknown, _i: unknown, environment: typeof env) => {
    env ??= environment
  })
  probe.evaluate(undefined).catch(() => undefined)
  if (env === undefined) throw new Error('jsonata did not expose its environment: unsupported jsonata version')
  return env
}

/** jsonata's own function objects by name (filled at load; see `Native.token` for their labels). */
const original = new Map<string, Native>()
const jsonataEnv = jsonataEnvironment()
for (const name of JSONATA_FUNCTIONS) original.set(name, jsonataEnv.lookup(name) as Native)

type Impl = (this: typeof FOCUS, ...args: any[]) => unknown

const boolean = original.get('boolean')!.implementation as (v: unknown) => boolean | undefined
const jsonataString = original.get('string')!.implementation as (this: unknown, v: unknown, prettify?: boolean) => string | undefined

/** `$string` of a finite number, as jsonata (JSON number text, non-integers to 15 significant digits). */
export function numberToString(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)))
}
const fromMillis = original.get('fromMillis')!.implementation as (ms: number, p?: string, tz?: string) => string

const replacements: Record<string, Impl> = {
  map(arr: unknown[] | undefined, func: unknown) {
    if (arr === undefined) return undefined
    const result = createSequence()
    for (let i = 0; i < arr.length; i++) {
      tick()
      const res = callFunction(func, hofArgs(func, arr[i], i, arr))
      if (res !== undefined) result.push(res)
    }
    return result
  },
  filter(arr: unknown[] | undefined, func: unknown) {
    if (arr === undefined) return undefined
    const result = createSequence()
    for (let i = 0; i < arr.length; i++) {
      tick()
      if (boolean(callFunction(func, hofArgs(func, arr[i], i, arr)))) result.push(arr[i])
    }
    return result
  },
  single(arr: unknown[] | undefined, func: unknown) {
    if (arr === undefined) return undefined
    let found = false
    let result: unknown
    for (let i = 0; i < arr.length; i++) {
      tick()
      const ok = func === undefined ? true : boolean(callFunction(func, hofArgs(func, arr[i], i, arr)))
      if (ok) {
        if (found) throw { code: 'D3138', index: i }
        result = arr[i]
        found = true
      }
    }
    if (!found) throw { code: 'D3139' }
    return result
  },
  reduce(seq: unknown[] | undefined, func: unknown, init: unknown) {
    if (seq === undefined) return undefined
    const arity = arityOf(func)
    if (arity < 2) throw { code: 'D3050', index: 1 }
    let result: unknown
    let index: number
    if (init === undefined && seq.length > 0) {
      result = seq[0]
      index = 1
    } else {
      result = init
      index = 0
    }
    for (; index < seq.length; index++) {
      tick()
      const args = [result, seq[index]]
      if (arity >= 3) args.push(index)
      if (arity >= 4) args.push(seq)
      result = callFunction(func, args)
    }
    return result
  },
  each(obj: unknown, func: unknown) {
    const result = createSequence()
    for (const key of keysOf(obj)) {
      tick()
      const v = callFunction(func, hofArgs(func, (obj as Record<string, unknown>)[key], key, obj))
      if (v !== undefined) result.push(v)
    }
    return result
  },
  sift(obj: unknown, func: unknown) {
    let result: Record<string, unknown> | undefined = Object.create(null)
    for (const key of keysOf(obj)) {
      tick()
      const entry = (obj as Record<string, unknown>)[key]
      if (boolean(callFunction(func, hofArgs(func, entry, key, obj)))) result![key] = entry
    }
    if (keysOf(result).length === 0) result = undefined
    return result
  },
  sort(arr: unknown[] | undefined, comparator: unknown) {
    if (arr === undefined) return undefined
    if (arr.length <= 1) return arr
    let comp: (a: unknown, b: unknown) => unknown
    if (comparator === undefined) {
      if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw { code: 'D3070', index: 1 }
      comp = (a, b) => (a as number) > (b as number)
    } else comp = (a, b) => callFunction(comparator, [a, b])
    return mergeSort(arr, comp)
  },
  contains(str: string | undefined, token: unknown) {
    if (str === undefined || token === undefined) return undefined
    if (typeof token === 'string') return str.indexOf(token) !== -1
    return callMatcher(token, str) !== undefined
  },
  split(str: string | undefined, separator: unknown, limit: number | undefined) {
    if (str === undefined) return undefined
    if (limit! < 0) throw { code: 'D3020', value: limit, index: 3 }
    let result: string[] = []
    if (limit === undefined || limit > 0) {
      if (typeof separator === 'string') result = str.split(separator, limit)
      else {
        let count = 0
        let m = callMatcher(separator, str)
        if (m !== undefined) {
          let start = 0
          while (m !== undefined && (limit === undefined || count < limit)) {
            tick()
            result.push(str.substring(start, m.start))
            start = m.end
            m = callMatcher(m.next, undefined)
            count++
          }
          if (limit === undefined || count < limit) result.push(str.substring(start))
        } else result.push(str)
      }
    }
    return result
  },
  replace(str: string | undefined, pattern: unknown, replacement: unknown, limit: number | undefined) {
    if (str === undefined) return undefined
    if (pattern === '') throw { code: 'D3010', value: pattern, index: 2 }
    if (limit! < 0) throw { code: 'D3011', value: limit, index: 4 }
    const replacer = typeof replacement === 'string' ? substitution(replacement) : (m: unknown) => callFunction(replacement, [m])
    let result = ''
    let position = 0
    if (limit !== undefined && limit <= 0) return str
    let count = 0
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position)
      while (index !== -1 && (limit === undefined || count < limit)) {
        tick()
        result += str.substring(position, index)
        result += replacement
        position = index + pattern.length
        count++
        index = str.indexOf(pattern, position)
      }
      return result + str.substring(position)
    }
    let m = callMatcher(pattern, str)
    if (m === undefined) return str
    while (m !== undefined && (limit === undefined || count < limit)) {
      tick()
      result += str.substring(position, m.start)
      const with_ = replacer(m)
      if (typeof with_ !== 'string') throw { code: 'D3012', value: with_ }
      result += with_
      position = m.start + m.match.length
      count++
      m = callMatcher(m.next, undefined)
    }
    return result + str.substring(position)
  },
  match(str: string | undefined, regex: unknown, limit: number | undefined) {
    if (str === undefined) return undefined
    if (limit! < 0) throw { code: 'D3040', value: limit, index: 3 }
    const result = createSequence()
    if (limit === undefined || limit > 0) {
      let count = 0
      let m = callMatcher(regex, str)
      while (m !== undefined && (limit === undefined || count < limit)) {
        tick()
        result.push({ match: m.match, index: m.start, groups: m.groups })
        m = callMatcher(m.next, undefined)
        count++
      }
    }
    return result
  },
  now(picture?: string, timezone?: string) {
    return fromMillis(evaluationTime(), picture, timezone)
  },
  millis() {
    return evaluationTime()
  },
  string(arg: unknown, prettify?: boolean) {
    if (prettify === undefined) {
      if (typeof arg === 'string') return arg
      if (typeof arg === 'number' && Number.isFinite(arg)) return numberToString(arg)
    }
    return jsonataString.call(this, arg, prettify)
  },
}

/**
 * Names whose jsonata implementation is asynchronous and not replaced: an expression using them
 * falls back. `$eval` is compiled only as a direct call `$eval(...)` (compile-call.ts), so any
 * other use of it (passed as a value) falls back too.
 */
export const UNSUPPORTED_FUNCTIONS = new Set<string>(['eval']) // completed at load (asynchronous natives), then constant

/** Replacements that call function arguments back (constant). */
const HOF = new Set(['map', 'filter', 'single', 'reduce', 'each', 'sift', 'sort', 'contains', 'split', 'replace', 'match'])

/** Replacement implementation → jsonata's original (partial application reads its parameter names); filled at load. */
export const ORIGINALS = new WeakMap<object, (...args: unknown[]) => unknown>()

/**
 * The static frame of the fast path: every supported jsonata function.
 * Outlives evaluations: bound at load only; every evaluation binds into its own root frame (a child
 * of this one) and deeper frames, never into this one.
 */
export const staticFrame = new Frame(null)
for (const [name, fn] of original) {
  if (name === 'eval') {
    staticFrame.bind(name, fn) // only for its identity and signature: compile-call.ts evaluates direct calls itself
    continue
  }
  const impl = replacements[name]
  if (impl) {
    ORIGINALS.set(impl, fn.implementation)
    staticFrame.bind(name, { _jsonata_function: true, implementation: impl, signature: fn.signature as Signature, arity: fn.implementation.length, hof: HOF.has(name) } satisfies Native)
  } else if (fn.implementation.constructor.name === 'AsyncFunction') {
    UNSUPPORTED_FUNCTIONS.add(name)
  } else staticFrame.bind(name, fn)
}

/** jsonata's own implementations used directly by the compiler. */
export const fn = {
  boolean,
  string: jsonataString,
  append: original.get('append')!.implementation as (this: typeof FOCUS, a: unknown, b: unknown) => unknown,
  exists: original.get('exists')!.implementation as (v: unknown) => boolean,
} satisfies Record<string, unknown>

export type { Seq }
export { mergeSort }
