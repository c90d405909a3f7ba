/**
 * Paths, steps, predicates (filters and indexes), order-by, wildcards and descendants — jsonata's
 * evaluatePath / evaluateStep / evaluateFilter / evaluateSortExpression semantics. Paths with tuple
 * streams (`@`, `#`, `%`) are compiled in compile-tuple.ts.
 */
import type { Code } from './apply.js'
import { decorate, type Compiler, type Node, normalise, Unsupported } from './compile-context.js'
import { JsonataObject } from './compile-operators.js'
import { compileTuplePath } from './compile-tuple.js'
import { fn, mergeSort } from './natives.js'
import { createSequence, FOCUS, Frame, isArrayOfNumbers, isFunction, isNumeric, isSequence, keysOf, tick, type Seq } from './runtime.js'

/** A tuple of a tuple stream (`@`, `#`, `%` paths): the context `@` plus bound variables. */
export type Tuple = Record<string, unknown>

/** jsonata's createFrameFromTuple: every key of the tuple becomes a variable. */
export function frameFromTuple(env: Frame, tuple: Tuple): Frame {
  const frame = new Frame(env)
  for (const k of Object.keys(tuple)) frame.bind(k, tuple[k])
  return frame
}

/** A compiled stage filter: input sequence (or value) → filtered sequence. */
export type FilterCode = (input: unknown, env: Frame) => Seq

/** Compiles a predicate expression as jsonata's evaluateFilter. */
export function compileFilter(c: Compiler, pred: Node, depth: number): FilterCode {
  if (pred.type === 'number') {
    const literal = Math.floor(pred.value as number)
    return (input) => {
      let results = createSequence()
      if (input && (input as Seq).tupleStream) results.tupleStream = true
      const seq = (Array.isArray(input) ? input : createSequence(input)) as Seq
      const index = literal < 0 ? seq.length + literal : literal
      const item = seq[index]
      if (item !== undefined) {
        if (Array.isArray(item)) results = item as Seq
        else results.push(item)
      }
      return results
    }
  }
  const p = c.node(pred, depth)
  return (input, env) => {
    const results = createSequence()
    const tuples = input ? (input as Seq).tupleStream === true : false
    if (tuples) results.tupleStream = true
    const seq = (Array.isArray(input) ? input : createSequence(input)) as Seq
    for (let index = 0; index < seq.length; index++) {
      tick()
      const item = seq[index]
      let res = tuples ? p((item as Tuple)['@'], frameFromTuple(env, item as Tuple)) : p(item, env)
      if (isNumeric(res)) res = [res]
      if (isArrayOfNumbers(res)) {
        for (const ires of res as number[]) {
          let ii = Math.floor(ires)
          if (ii < 0) ii = seq.length + ii
          if (ii === index) results.push(item)
        }
      } else if (fn.boolean(res)) results.push(item)
    }
    return results
  }
}

function compileStages(c: Compiler, stages: Node[] | undefined, depth: number): FilterCode[] {
  return (stages ?? []).map((s) => {
    if (s.type !== 'filter') throw new Unsupported(`stage ${s.type}`)
    return compileFilter(c, s.expr as Node, depth)
  })
}

/** Compiles an order-by step (`^(...)`) as jsonata's evaluateSortExpression. */
export function compileSort(c: Compiler, node: Node, depth: number): Code {
  const terms = (node.terms as Node[]).map((t) => ({ code: c.node(t.expression as Node, depth), descending: t.descending === true }))
  const position = node.position
  return (input, env) => {
    const arr = input as unknown[] | undefined
    if (arr === undefined) return undefined
    if (arr.length <= 1) return arr
    const tuples = (arr as Seq).tupleStream === true
    return mergeSort(arr, (a, b) => {
      let comp = 0
      for (let i = 0; comp === 0 && i < terms.length; i++) {
        const term = terms[i]
        const aa = tuples ? term.code((a as Tuple)['@'], frameFromTuple(env, a as Tuple)) : term.code(a, env)
        const bb = tuples ? term.code((b as Tuple)['@'], frameFromTuple(env, b as Tuple)) : term.code(b, env)
        const at = typeof aa
        const bt = typeof bb
        if (at === 'undefined') {
          comp = bt === 'undefined' ? 0 : 1
          continue
        }
        if (bt === 'undefined') {
          comp = -1
          continue
        }
        if (!(at === 'string' || at === 'number') || !(bt === 'string' || bt === 'number')) {
          throw { code: 'T2008', position, value: !(at === 'string' || at === 'number') ? aa : bb }
        }
        if (at !== bt) throw { code: 'T2007', position, value: aa, value2: bb }
        if (aa === bb) continue
        comp = (aa as number) < (bb as number) ? -1 : 1
        if (term.descending) comp = -comp
      }
      return comp === 1
    })
  }
}

/** A compiled step for evaluateStep. */
export interface Step {
  cons?: Code
  sort?: Code
  code?: Code
  stages: FilterCode[]
}

/** jsonata's evaluateStep: a step over every item of the input sequence, results flattened. */
export function evaluateStep(step: Step, input: Seq, env: Frame, last: boolean): Seq | undefined {
  if (step.sort) {
    let result = step.sort(input, env) as Seq | undefined
    for (const f of step.stages) result = f(result, env)
    return result
  }
  const result = createSequence()
  const n = (input as { length: number }).length
  for (let i = 0; i < n; i++) {
    tick()
    let res = step.code!(input[i], env)
    for (const f of step.stages) res = f(res, env)
    if (res !== undefined) result.push(res)
  }
  if (last && result.length === 1 && Array.isArray(result[0]) && !isSequence(result[0])) return result[0] as Seq
  const out = createSequence()
  for (const res of result) {
    if (!Array.isArray(res) || (res as Seq).cons) out.push(res)
    else for (const v of res) out.push(v)
  }
  return out
}

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
