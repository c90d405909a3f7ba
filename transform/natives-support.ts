/**
 * Pieces of jsonata's higher-order and regex functions shared by the synchronous replacements in
 * natives.ts: callback arguments by arity, matcher calls, `$n` substitution, the merge sort.
 */
import { arityOf, callFunction } from './apply.js'
import { isFunction, tick } from './runtime.js'

/** The callback arguments jsonata passes (value, then index and array as the callback's arity allows). */
export function hofArgs(func: unknown, a1: unknown, a2: unknown, a3: unknown): unknown[] {
  const n = arityOf(func)
  const args = [a1]
  if (n >= 2) args.push(a2)
  if (n >= 3) args.push(a3)
  return args
}

/** Calls a matcher (a regex literal's function or a lambda) and checks the shape of its result (T1010). */
export function callMatcher(matcher: unknown, str: unknown): any {
  const result: any = typeof matcher === 'function' ? (matcher as (s: unknown) => unknown)(str) : callFunction(matcher, [str])
  if (result && !(typeof result.start === 'number' || result.end === 'number' || Array.isArray(result.groups) || isFunction(result.next))) {
    throw { code: 'T1010' }
  }
  return result
}

/** `$n` substitution of a replacement string, as jsonata's $replace. */
export function substitution(replacement: string): (m: { match: string; groups: string[] }) => string {
  return (m) => {
    let out = ''
    let position = 0
    let index = replacement.indexOf('$', position)
    while (index !== -1 && position < replacement.length) {
      out += replacement.substring(position, index)
      position = index + 1
      const c = replacement.charAt(position)
      if (c === '$') {
        out += '$'
        position++
      } else if (c === '0') {
        out += m.match
        position++
      } else {
        const maxDigits = m.groups.length === 0 ? 1 : Math.floor(Math.log(m.groups.length) * Math.LOG10E) + 1
        let n = parseInt(replacement.substring(position, position + maxDigits), 10)
        if (maxDigits > 1 && n > m.groups.length) n = parseInt(replacement.substring(position, position + maxDigits - 1), 10)
        if (!Number.isNaN(n)) {
          if (m.groups.length > 0) {
            const sub = m.groups[n - 1]
            if (sub !== undefined) out += sub
          }
          position += n.toString().length
        } else out += '$'
      }
      index = replacement.indexOf('$', position)
    }
    return out + replacement.substring(position)
  }
}

/** jsonata's stable merge sort: same split points and comparison order; `comp(a, b)` truthy means b goes first. */
export function mergeSort(array: unknown[], comp: (a: unknown, b: unknown) => unknown): unknown[] {
  if (array.length <= 1) return array
  const middle = Math.floor(array.length / 2)
  const left = mergeSort(array.slice(0, middle), comp)
  const right = mergeSort(array.slice(middle), comp)
  const merged: unknown[] = []
  let i = 0
  let j = 0
  while (i < left.length && j < right.length) {
    tick()
    if (comp(left[i], right[j])) merged.push(right[j++])
    else merged.push(left[i++])
  }
  while (i < left.length) merged.push(left[i++])
  while (j < right.length) merged.push(right[j++])
  return merged
}
