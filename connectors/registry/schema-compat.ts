/**
 * Schema comparison for registry subjects: a normal form (so whitespace, key order and the
 * `{"type": "string"}` ↔ `"string"` shorthand never make a permanent diff) and an Avro field-level
 * analysis naming the fields that break compatibility — the registry's verdict says *whether*, the
 * analysis says *which field*. Pure.
 */

/** Which readers a field change breaks: BACKWARD = new schema reading old data; FORWARD = old schema reading new data. */
export type BreakDirection = 'BACKWARD' | 'FORWARD' | 'BOTH'

/** One field-level incompatibility. */
export interface FieldBreak {
  /** Dotted field path, e.g. `name.first`. */
  readonly field: string
  readonly problem: string
  readonly breaks: BreakDirection
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

/** The normal form of a schema document: keys sorted, Avro primitive shorthand applied, `default`/`doc` values kept as is. */
export function normaliseSchema(schema: unknown, type: 'AVRO' | 'JSON' = 'AVRO'): unknown {
  const walk = (v: unknown, key?: string): unknown => {
    if (key === 'default' || key === 'examples' || key === 'const' || key === 'enum' && type === 'JSON') return v
    if (Array.isArray(v)) return v.map((x) => walk(x))
    if (v === null || typeof v !== 'object') return v
    const o = v as Record<string, unknown>
    const keys = Object.keys(o).sort()
    if (type === 'AVRO' && keys.length === 1 && keys[0] === 'type' && typeof o.type === 'string' && PRIMITIVES.has(o.type)) return o.type
    return Object.fromEntries(keys.map((k) => [k, walk(o[k], k)]))
  }
  return walk(schema)
}

/** The normal form as compact JSON text (what is compared, hashed and registered). */
export function canonicalSchemaText(schema: unknown, type: 'AVRO' | 'JSON' = 'AVRO'): string {
  return JSON.stringify(normaliseSchema(schema, type))
}

interface AvroField {
  readonly name: string
  readonly type: unknown
  readonly default?: unknown
}

const hasDefault = (f: AvroField): boolean => Object.prototype.hasOwnProperty.call(f, 'default')

/** A short signature of a type for comparison and messages (`string`, `record rtds.users.Name`, `union[null,string]`). */
function typeSig(t: unknown): string {
  if (typeof t === 'string') return t
  if (Array.isArray(t)) return `union[${t.map(typeSig).join(',')}]`
  if (t && typeof t === 'object') {
    const o = t as Record<string, unknown>
    const logical = typeof o.logicalType === 'string' ? `(${o.logicalType})` : ''
    if (o.type === 'record' || o.type === 'enum' || o.type === 'fixed') return `${o.type} ${String(o.name)}`
    if (o.type === 'array') return `array<${typeSig(o.items)}>`
    if (o.type === 'map') return `map<${typeSig(o.values)}>`
    return `${typeSig(o.type)}${logical}`
  }
  return String(t)
}

/** Avro's type promotions (writer → reader). */
const PROMOTIONS: Record<string, readonly string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
}

const recordOf = (t: unknown): { fields: AvroField[] } | undefined => {
  if (t && typeof t === 'object' && !Array.isArray(t) && (t as { type?: unknown }).type === 'record') return t as { fields: AvroField[] }
  return undefined
}

/**
 * Field-level differences between two Avro schemas that break compatibility in some direction:
 * a removed field without a default (old readers need it: breaks FORWARD), an added field without
 * a default (new readers need it in old data: breaks BACKWARD), a type change (both, unless it is an
 * Avro promotion or a widening to a union that contains the old type: then FORWARD only).
 *
 * @example
 * avroFieldBreaks(v1, v2) // [{ field: 'email', problem: 'removed (it had no default)', breaks: 'FORWARD' }]
 */
export function avroFieldBreaks(oldSchema: unknown, newSchema: unknown): FieldBreak[] {
  const out: FieldBreak[] = []
  const walk = (a: unknown, b: unknown, prefix: string): void => {
    const ra = recordOf(a)
    const rb = recordOf(b)
    if (!ra || !rb) return
    const oldFields = new Map(ra.fields.map((f) => [f.name, f]))
    const newFields = new Map(rb.fields.map((f) => [f.name, f]))
    for (const f of ra.fields) {
      if (!newFields.has(f.name) && !hasDefault(f)) out.push({ field: prefix + f.name, problem: 'removed (it had no default)', breaks: 'FORWARD' })
    }
    for (const f of rb.fields) {
      const old = oldFields.get(f.name)
      if (!old) {
        if (!hasDefault(f)) out.push({ field: prefix + f.name, problem: 'added without a default', breaks: 'BACKWARD' })
        continue
      }
      if (recordOf(old.type) && recordOf(f.type)) {
        walk(old.type, f.type, `${prefix}${f.name}.`)
        continue
      }
      const from = typeSig(old.type)
      const to = typeSig(f.type)
      if (from === to) continue
      const widened = (PROMOTIONS[from] ?? []).includes(to) || (Array.isArray(f.type) && f.type.map(typeSig).includes(from))
      out.push({ field: prefix + f.name, problem: `type changed from ${from} to ${to}`, breaks: widened ? 'FORWARD' : 'BOTH' })
    }
  }
  walk(oldSchema, newSchema, '')
  return out
}

/** The breaks that matter under a registry compatibility level (`FULL` and unknown levels: all). */
export function breaksForLevel(breaks: readonly FieldBreak[], level: string): FieldBreak[] {
  const l = level.toUpperCase()
  if (l === 'NONE') return []
  if (l.startsWith('BACKWARD')) return breaks.filter((b) => b.breaks !== 'FORWARD')
  if (l.startsWith('FORWARD')) return breaks.filter((b) => b.breaks !== 'BACKWARD')
  return [...breaks]
}

/** `email: removed (it had no default)`. */
export const formatBreak = (b: FieldBreak): string => `${b.field}: ${b.problem}`
