/**
 * Paths, steps, predicates (filters and indexes), order-by, wildcards and descendants — jsonata's
 * evaluatePath / evaluateStep / evaluateFilter / evaluateSortExpression semantics. Paths with tuple
 * streams (`@`, `#`, `%`) are compiled in compile-tuple.ts; the steps both use are in compile-step.ts.
 */
import type { Code } from './apply.js'
import { decorate, type Compiler, type Node, normalise } from './compile-context.js'
import { compileSort, compileStages, evaluateStep, type Step } from './compile-step.js'
import { compileTuplePath } from './compile-tuple.js'
import { fn } from './natives.js'
import { createSequence, FOCUS, isFunction, JsonataObject, keysOf, tick, type Seq } from './runtime.js'

/** Compiles a `path` node (`a.b[0].c`, `$x.y`, `[...].z`, `a^(b)`, `a{...}`). */
export function compilePath(c: Compiler, node: Node, depth: number, compileGroup: (g: Node, d: number) => Code): Code {
  const steps = node.steps as Node[]
  if (node.tuple || steps.some((s) => s.tuple || s.focus !== undefined || s.index !== undefined || s.ancestor !== undefined)) {
    return compileTuplePath(c, node, depth, compileGroup)
  }
  const compiled: Step[] = steps.map((s, i) => {
    if (i === 0 && s.consarray) return { cons: c.node(s, depth + 1), stages: [] }
    if (s.type === 'sort') return { sort: compileSort(c, s, depth + 1), stages: compileStages(c, s.stages, depth + 1) }
    return { code: c.node(s, depth + 1), stages: compileStages(c, s.stages, depth + 1) }
  })
  const firstIsVariable = steps[0].type === 'variable'
  const keepSingletonArray = node.keepSingletonArray === true
  const group = node.group !== undefined ? compileGroup(node.group as Node, depth + 1) : undefined
  const last = compiled.length - 1
  const generic: Code = (input, env) => {
    let inputSequence = (Array.isArray(input) && !firstIsVariable ? input : createSequence(input)) as Seq
    let resultSequence: Seq | undefined
    for (let i = 0; i <= last; i++) {
      const step = compiled[i]
      if (step.cons) resultSequence = step.cons(inputSequence, env) as Seq
      else resultSequence = evaluateStep(step, inputSequence, env, i === last)
      if (resultSequence === undefined || resultSequence.length === 0) break
      inputSequence = resultSequence
    }
    if (keepSingletonArray) {
      if (Array.isArray(resultSequence) && (resultSequence as Seq).cons && !(resultSequence as Seq).sequence) {
        resultSequence = createSequence(resultSequence)
      }
      ;(resultSequence as Seq).keepSingleton = true
    }
    if (group) return group(resultSequence, env)
    return resultSequence
  }
  // Fast lane for plain name chains over objects (`login.uuid`): same result, no sequences
  // allocated; generated source so each property read gets its own (monomorphic) inline cache.
  const plain = steps.every((s) => s.type === 'name' && !s.stages && !s.predicate && !s.group && !s.keepArray)
  if (!plain || keepSingletonArray || group) return generic
  const chain = nameChain(steps.map((s) => s.value as string), normalise(generic, false))
  NORMALISED.add(chain)
  return chain
}

/**
 * Codes whose results are already normalised (the node compiler need not wrap them).
 * Outlives evaluations: filled at compile time only, read at compile time only.
 */
export const NORMALISED = new WeakSet<Code>()

/**
 * Generated code for a chain of names; anything but plain objects along the way goes to `generic`.
 * A defined value read from an object whose prototype is Object.prototype, null or the empty
 * JsonataObject.prototype is an own
 * property unless it is a function (all of Object.prototype's members are, but `__proto__`, which
 * always takes the generic path): so plain JSON needs no hasOwnProperty call.
 */
function nameChain(names: string[], generic: Code): Code {
  if (names.includes('__proto__')) return generic
  let src = 'let c = input, v, p\n'
  for (const name of names) {
    src += `if (c === null || typeof c !== 'object') return undefined
if (Array.isArray(c)) return generic(input, env)
v = c[${JSON.stringify(name)}]
if (v === undefined) return undefined
p = Object.getPrototypeOf(c)
if ((p !== OP && p !== null && p !== JP) || typeof v === 'function' || c._jsonata_function === true || c._jsonata_lambda === true) return generic(input, env)
c = v
`
  }
  src += 'if (Array.isArray(c) && c.sequence === true) return generic(input, env)\nreturn c'
  return new Function('generic', 'OP', 'JP', `return function nameChain(input, env) {\n${src}\n}`)(generic, Object.prototype, JsonataObject.prototype) as Code
}

/** A name step: the property of the context, mapped over arrays (jsonata `$lookup`). */
export function lookupName(input: unknown, name: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence()
    for (const item of input) {
      const res = lookupName(item, name)
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

/** `*`: the values of the context object, arrays flattened (jsonata evaluateWildcard). */
export function wildcard(input: unknown): unknown {
  let results: unknown = createSequence()
  let value = input
  if (Array.isArray(value) && (value as Seq).outerWrapper && value.length > 0) value = value[0]
  if (value !== null && typeof value === 'object' && !isFunction(value)) {
    for (const key of keysOf(value)) {
      let v = (value as Record<string, unknown>)[key]
      if (Array.isArray(v)) {
        v = flatten(v, [])
        results = fn.append.call(FOCUS, results, v)
      } else (results as unknown[]).push(v)
    }
  }
  return results
}

function flatten(arg: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(arg)) for (const item of arg) flatten(item, out)
  else out.push(arg)
  return out
}

/** `**`: every descendant value (jsonata evaluateDescendants). */
export function descendants(input: unknown): unknown {
  if (input === undefined) return undefined
  const results = createSequence()
  recurse(input, results)
  return results.length === 1 ? results[0] : results
}

function recurse(input: unknown, results: unknown[]): void {
  tick()
  if (!Array.isArray(input)) results.push(input)
  if (Array.isArray(input)) for (const m of input) recurse(m, results)
  else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    for (const key of keysOf(input)) recurse((input as Record<string, unknown>)[key], results)
  }
}

export { decorate }
