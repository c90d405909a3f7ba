/**
 * Operators and constructors: arithmetic, comparison, equality, `&`, `and`/`or`, `in`, `..`, unary
 * minus, array constructors and object constructors (jsonata's grouping semantics, D1009, T1003).
 */
import type { Code } from './apply.js'
import { decorate, type Compiler, type Node, Unsupported } from './compile-context.js'
import { frameFromTuple, type Tuple } from './compile-step.js'
import { fn, numberToString } from './natives.js'
import { allocate, createSequence, FOCUS, isDeepEqual, isNumeric, JsonataObject, tick, type Seq } from './runtime.js'

function boolize(v: unknown): boolean {
  const b = fn.boolean(v)
  return b === undefined ? false : b
}

function toStr(v: unknown): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return numberToString(v)
  return fn.string(v) as string
}

function numeric(l: unknown, r: unknown): void {
  if (l !== undefined && !isNumeric(l)) throw { code: 'T2001', value: l }
  if (r !== undefined && !isNumeric(r)) throw { code: 'T2002', value: r }
}

function comparable(l: unknown, r: unknown): boolean {
  const lt = typeof l
  const rt = typeof r
  const lc = lt === 'undefined' || lt === 'string' || lt === 'number'
  const rc = rt === 'undefined' || rt === 'string' || rt === 'number'
  if (!lc || !rc) throw { code: 'T2010', value: !(lt === 'string' || lt === 'number') ? l : r }
  if (lt === 'undefined' || rt === 'undefined') return false
  if (lt !== rt) throw { code: 'T2009', value: l, value2: r }
  return true
}

function range(l: unknown, r: unknown): unknown {
  if (l !== undefined && !Number.isInteger(l)) throw { code: 'T2003', value: l }
  if (r !== undefined && !Number.isInteger(r)) throw { code: 'T2004', value: r }
  if (l === undefined || r === undefined) return undefined
  const lo = l as number
  const hi = r as number
  if (lo > hi) return undefined
  const size = hi - lo + 1
  if (size > 1e7) throw { code: 'D2014', value: size }
  allocate(size)
  const result = new Array(size) as Seq
  for (let item = lo, i = 0; item <= hi; item++, i++) result[i] = item
  result.sequence = true
  return result
}

/** The binary operators (constant, pure functions). */
const OPS: Record<string, (l: unknown, r: unknown) => unknown> = {
  '+': (l, r) => (numeric(l, r), l === undefined || r === undefined ? undefined : (l as number) + (r as number)),
  '-': (l, r) => (numeric(l, r), l === undefined || r === undefined ? undefined : (l as number) - (r as number)),
  '*': (l, r) => (numeric(l, r), l === undefined || r === undefined ? undefined : (l as number) * (r as number)),
  '/': (l, r) => (numeric(l, r), l === undefined || r === undefined ? undefined : (l as number) / (r as number)),
  '%': (l, r) => (numeric(l, r), l === undefined || r === undefined ? undefined : (l as number) % (r as number)),
  '=': (l, r) => (l === undefined || r === undefined ? false : isDeepEqual(l, r)),
  '!=': (l, r) => (l === undefined || r === undefined ? false : !isDeepEqual(l, r)),
  '<': (l, r) => (comparable(l, r) ? (l as number) < (r as number) : undefined),
  '<=': (l, r) => (comparable(l, r) ? (l as number) <= (r as number) : undefined),
  '>': (l, r) => (comparable(l, r) ? (l as number) > (r as number) : undefined),
  '>=': (l, r) => (comparable(l, r) ? (l as number) >= (r as number) : undefined),
  '&': (l, r) => toStr(l) + toStr(r),
  '..': range,
  in: (l, r) => {
    if (l === undefined || r === undefined) return false
    const arr = Array.isArray(r) ? r : [r]
    for (const x of arr) if (x === l) return true
    return false
  },
}

/** Compiles a `binary` node. */
export function compileBinary(c: Compiler, node: Node, depth: number): Code {
  const op = node.value as string
  const l = c.node(node.lhs as Node, depth + 1)
  const r = c.node(node.rhs as Node, depth + 1)
  const position = node.position
  if (op === 'and' || op === 'or') {
    const and = op === 'and'
    return (input, env) => {
      const lv = l(input, env)
      try {
        return and ? boolize(lv) && boolize(r(input, env)) : boolize(lv) || boolize(r(input, env))
      } catch (err) {
        throw decorate(err, position, op)
      }
    }
  }
  const f = OPS[op]
  if (f === undefined) throw new Unsupported(`operator ${op}`)
  if (op === '&') {
    const chain = concatChain(c, node, depth)
    if (chain) return chain
    return (input, env) => {
      const lv = l(input, env)
      const rv = r(input, env)
      if (typeof lv === 'string' && typeof rv === 'string') return lv + rv
      try {
        return toStr(lv) + toStr(rv)
      } catch (err) {
        throw decorate(err, position, op)
      }
    }
  }
  return (input, env) => {
    const lv = l(input, env)
    const rv = r(input, env)
    try {
      return f(lv, rv)
    } catch (err) {
      throw decorate(err, position, op)
    }
  }
}

/**
 * `a & b & c ...` (left-associated, no predicates on the inner nodes) as one loop: operands are
 * evaluated and stringified in the same order as the nested form, and a `$string` error is tagged
 * with the position of the `&` whose direct operand failed, as in the nested form.
 */
function concatChain(c: Compiler, node: Node, depth: number): Code | undefined {
  const ops: Node[] = []
  let n = node
  while (n.type === 'binary' && n.value === '&' && (n === node || (!n.predicate && !n.group && !n.keepArray))) {
    ops.unshift(n)
    n = n.lhs as Node
  }
  if (ops.length < 2) return undefined
  // ops[0] is the innermost `&`: its lhs is leaf 0; leaf k (k >= 1) is the rhs of ops[k - 1]
  const leaves = [c.node(ops[0].lhs as Node, depth + ops.length), ...ops.map((o, k) => c.node(o.rhs as Node, depth + ops.length - k))]
  const positions = [ops[0].position, ...ops.map((o) => o.position)]
  const n0 = leaves.length
  return (input, env) => {
    const v0 = leaves[0](input, env)
    const v1 = leaves[1](input, env)
    let out: string
    try {
      out = toStr(v0) + toStr(v1)
    } catch (err) {
      throw decorate(err, positions[0], '&')
    }
    for (let k = 2; k < n0; k++) {
      const v = leaves[k](input, env)
      if (typeof v === 'string') out += v
      else {
        try {
          out += toStr(v)
        } catch (err) {
          throw decorate(err, positions[k], '&')
        }
      }
    }
    return out
  }
}

/** Compiles a `unary` node: `-x`, `[...]`, `{...}`. */
export function compileUnary(c: Compiler, node: Node, depth: number): Code {
  const position = node.position
  if (node.value === '-') {
    const e = c.node(node.expression as Node, depth + 1)
    return (input, env) => {
      const v = e(input, env)
      if (v === undefined) return undefined
      if (isNumeric(v)) return -v
      throw { code: 'D1002', position, token: '-', value: v }
    }
  }
  if (node.value === '[') {
    const items = (node.expressions as Node[]).map((n) => ({ code: c.node(n, depth + 1), nested: n.value === '[' }))
    const cons = node.consarray === true
    return (input, env) => {
      let result: unknown = []
      for (const item of items) {
        const v = item.code(input, env)
        if (v !== undefined) {
          if (item.nested) (result as unknown[]).push(v)
          else result = fn.append.call(FOCUS, result, v)
        }
      }
      if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true })
      return result
    }
  }
  if (node.value === '{') return compileGroup(c, node, depth + 1)
  throw new Unsupported(`unary ${String(node.value)}`)
}

/** jsonata's reduceTupleStream: the tuples of one group merged, each variable's values appended. */
function reduceTupleStream(stream: unknown): Tuple {
  if (!Array.isArray(stream)) return stream as Tuple
  const result: Tuple = Object.create(null)
  Object.assign(result, stream[0])
  for (let i = 1; i < stream.length; i++) {
    for (const prop of Object.keys(stream[i] as Tuple)) result[prop] = fn.append.call(FOCUS, result[prop], (stream[i] as Tuple)[prop])
  }
  return result
}

/** Compiles an object constructor (`{k: v}` or the grouping of a path `a{k: v}`). */
export function compileGroup(c: Compiler, node: Node, depth: number): Code {
  const pairs = (node.lhs as Node[][]).map(([k, v]) => ({ key: c.node(k, depth), value: c.node(v, depth), literal: k.type === 'string' && !k.predicate && !k.group ? (k.value as string) : undefined }))
  const position = node.position
  const generic: Code = (input, env) => {
    const result: Record<string, unknown> = Object.create(null)
    const groups: Record<string, { data: unknown; exprIndex: number }> = Object.create(null)
    const reduce = input ? (input as Seq).tupleStream === true : false
    const seq = (Array.isArray(input) ? input : createSequence(input)) as unknown[]
    if (seq.length === 0 && !reduce) seq.push(undefined)
    for (const item of seq) {
      tick()
      const itemEnv = reduce ? frameFromTuple(env, item as Tuple) : env
      for (let pi = 0; pi < pairs.length; pi++) {
        const key = pairs[pi].key(reduce ? (item as Tuple)['@'] : item, itemEnv)
        if (typeof key !== 'string' && key !== undefined) throw { code: 'T1003', position, value: key }
        if (key === undefined) continue
        if (key === '_jsonata_lambda' || key === '_jsonata_function') throw { code: 'D1013', position, value: key }
        const g = groups[key]
        if (g !== undefined) {
          if (g.exprIndex !== pi) throw { code: 'D1009', position, value: key }
          g.data = fn.append.call(FOCUS, g.data, item)
        } else groups[key] = { data: item, exprIndex: pi }
      }
    }
    for (const key of Object.keys(groups)) {
      const g = groups[key]
      let context = g.data
      let valueEnv = env
      if (reduce) {
        const tuple = reduceTupleStream(g.data)
        context = tuple['@']
        delete tuple['@']
        valueEnv = frameFromTuple(env, tuple)
      }
      const v = pairs[g.exprIndex].value(context, valueEnv)
      if (v !== undefined) result[key] = v
    }
    return result
  }
  // Fast lane: literal, distinct keys over a single (non-array) context — the usual record mapping.
  const literalKeys = pairs.map((p) => p.literal)
  if (literalKeys.some((k) => k === undefined || k === '_jsonata_lambda' || k === '_jsonata_function' || k === '__proto__')) return generic
  if (new Set(literalKeys).size !== literalKeys.length) return generic
  const order = Object.keys(Object.fromEntries(literalKeys.map((k, i) => [k, i]))).map((k) => literalKeys.indexOf(k))
  const keys = order.map((i) => literalKeys[i] as string)
  const values = order.map((i) => pairs[i].value)
  // jsonata builds null-prototype objects, which V8 keeps in slow dictionary mode; an instance of
  // JsonataObject behaves the same (no inherited members at all: no toString, no constructor) but
  // stays in fast mode.
  let src = 'const r = new JsonataObject()\nlet v\n'
  keys.forEach((k, i) => {
    src += `v = f${i}(input, env)\nif (v !== undefined) r[${JSON.stringify(k)}] = v\n`
  })
  const head = values.map((_, i) => `const f${i} = fs[${i}]`).join('\n')
  return new Function('fs', 'generic', 'JsonataObject', `${head}\nreturn function object(input, env) {\nif (Array.isArray(input)) return generic(input, env)\n${src}return r\n}`)(values, generic, JsonataObject) as Code
}

export { Unsupported }
