/**
 * Paths carrying tuple streams — focus `@$v`, index `#$i` and parent `%` — as jsonata's evaluatePath
 * with evaluateTupleStep / evaluateStages: each tuple holds the context `@` and the bound variables,
 * and every step, predicate and sort term is evaluated in a frame made from its tuple.
 */
import type { Code } from './apply.js'
import type { Compiler, Node } from './compile-context.js'
import { compileFilter, compileSort, evaluateStep, type FilterCode, frameFromTuple, type Tuple } from './compile-step.js'
import { createSequence, type Frame, type Seq, tick } from './runtime.js'

type Stage = { filter: FilterCode } | { index: string }

interface TupleStep {
  cons?: Code
  sort?: Code
  code?: Code
  stages: Stage[]
  /** For evaluateStep (non-tuple mode): the filters only. */
  filters: FilterCode[]
  tuple: boolean
  focus?: string
  index?: string
  ancestor?: string
}

function evaluateStages(stages: Stage[], input: Seq, env: Frame): Seq {
  let result = input
  for (const stage of stages) {
    if ('filter' in stage) result = stage.filter(result, env)
    else for (let i = 0; i < result.length; i++) (result[i] as Tuple)[stage.index] = i
  }
  return result
}

function evaluateTupleStep(step: TupleStep, input: Seq, bindings: Seq | undefined, env: Frame): Seq {
  let result: Seq
  if (step.sort) {
    if (bindings !== undefined) result = step.sort(bindings, env) as Seq
    else {
      const sorted = step.sort(input, env) as unknown[]
      result = createSequence()
      result.tupleStream = true
      for (let i = 0; i < sorted.length; i++) {
        const tuple: Tuple = { '@': sorted[i] }
        tuple[step.index as string] = i // jsonata writes the key "undefined" when there is no index
        result.push(tuple)
      }
    }
    return step.stages.length ? evaluateStages(step.stages, result, env) : result
  }
  result = createSequence()
  result.tupleStream = true
  const tuples = (bindings ?? (input as unknown[]).map((item) => ({ '@': item }))) as Tuple[]
  for (const t of tuples) {
    tick()
    let res = step.code!(t['@'], frameFromTuple(env, t)) as Seq | unknown
    if (res === undefined) continue
    if (!Array.isArray(res)) res = [res]
    const values = res as Seq
    for (let b = 0; b < values.length; b++) {
      const tuple: Tuple = Object.create(null)
      Object.assign(tuple, t)
      if (values.tupleStream) Object.assign(tuple, values[b])
      else {
        if (step.focus !== undefined) {
          tuple[step.focus] = values[b]
          tuple['@'] = t['@']
        } else tuple['@'] = values[b]
        if (step.index !== undefined) tuple[step.index] = b
        if (step.ancestor !== undefined) tuple[step.ancestor] = t['@']
      }
      result.push(tuple)
    }
  }
  return step.stages.length ? evaluateStages(step.stages, result, env) : result
}

/** Compiles a path with at least one tuple step (or a path that carries ancestry, `node.tuple`). */
export function compileTuplePath(c: Compiler, node: Node, depth: number, compileGroup: (g: Node, d: number) => Code): Code {
  const steps = node.steps as Node[]
  const compiled: TupleStep[] = steps.map((s, i) => {
    const stages: Stage[] = ((s.stages as Node[] | undefined) ?? []).map((st) => (st.type === 'filter' ? { filter: compileFilter(c, st.expr as Node, depth + 1) } : { index: st.value as string }))
    const filters = stages.flatMap((st) => ('filter' in st ? [st.filter] : []))
    const base = { stages, filters, tuple: s.tuple === true, focus: s.focus as string | undefined, index: s.index as string | undefined, ancestor: (s.ancestor as Node | undefined)?.label as string | undefined }
    if (i === 0 && s.consarray) return { ...base, cons: c.node(s, depth + 1) }
    if (s.type === 'sort') return { ...base, sort: compileSort(c, s, depth + 1) }
    return { ...base, code: c.node(s, depth + 1) }
  })
  const firstIsVariable = steps[0].type === 'variable'
  const keepSingletonArray = node.keepSingletonArray === true
  const carriesTuples = node.tuple === true
  const group = node.group !== undefined ? compileGroup(node.group as Node, depth + 1) : undefined
  const last = compiled.length - 1
  return (input, env) => {
    let inputSequence = (Array.isArray(input) && !firstIsVariable ? input : createSequence(input)) as Seq
    let resultSequence: Seq | undefined
    let isTupleStream = false
    let tupleBindings: Seq | undefined
    for (let i = 0; i <= last; i++) {
      const step = compiled[i]
      if (step.tuple) isTupleStream = true
      if (i === 0 && step.cons) resultSequence = step.cons(inputSequence, env) as Seq
      else if (isTupleStream) tupleBindings = evaluateTupleStep(step, inputSequence, tupleBindings, env)
      else resultSequence = evaluateStep({ sort: step.sort, code: step.code, stages: step.filters }, inputSequence, env, i === last)
      if (!isTupleStream && (resultSequence === undefined || resultSequence.length === 0)) break
      if (step.focus === undefined) inputSequence = resultSequence as Seq
    }
    if (isTupleStream) {
      if (carriesTuples) resultSequence = tupleBindings
      else {
        resultSequence = createSequence()
        for (const t of tupleBindings as Tuple[]) resultSequence.push(t['@'])
      }
    }
    if (keepSingletonArray) {
      if (Array.isArray(resultSequence) && resultSequence.cons && !resultSequence.sequence) resultSequence = createSequence(resultSequence)
      ;(resultSequence as Seq).keepSingleton = true
    }
    if (group) return group(isTupleStream ? tupleBindings : resultSequence, env)
    return resultSequence
  }
}
