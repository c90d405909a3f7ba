/**
 * Steps of a path — jsonata's evaluateStep, evaluateFilter and evaluateSortExpression — and the
 * tuple frames of tuple streams: shared by plain paths (compile-path.ts) and paths carrying tuple
 * streams (compile-tuple.ts), which is why they live apart from both.
 */
import type { Code } from './apply.js'
import { type Compiler, type Node, Unsupported } from './compile-context.js'
import { fn, mergeSort } from './natives.js'
import { createSequence, Frame, isArrayOfNumbers, isNumeric, isSequence, tick, type Seq } from './runtime.js'

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

export function compileStages(c: Compiler, stages: Node[] | undefined, depth: number): FilterCode[] {
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
