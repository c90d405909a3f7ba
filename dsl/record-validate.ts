/**
 * Record validation against a topic's value schema (Avro or JSON Schema) (a table connector builds
 * its row validator on these), collecting EVERY reason with its field path:
 * `location.postcode: expected string or long, got boolean`, `email: missing`.
 * Used at ingestion (invalid → dead letter, or HTTP 400 with the reasons) and before table writes.
 */
import avsc from 'avsc'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValueSchemaRef } from './spec.js'

/** A compiled validator: `validate` returns the reasons a value is invalid (empty = valid). */
export interface RecordValidator {
  validate(value: unknown): string[]
}

/** The 8-4-4-4-12 hex form of a UUID. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Avro `{"type": "string", "logicalType": "uuid"}`: a string in the 8-4-4-4-12 hex form. */
class UuidType extends avsc.types.LogicalType {
  override _fromValue(val: unknown): unknown {
    return val
  }
  override _toValue(val: unknown): unknown {
    return typeof val === 'string' && UUID_RE.test(val) ? val : undefined
  }
}

/** Describes what a value is, for messages (`got boolean`, `got null`, `got array`). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number' && !Number.isInteger(v)) return `number ${v}`
  if (typeof v === 'number') return `number`
  return typeof v
}

function describeAvroType(type: avsc.Type): string {
  const t = type as avsc.Type & { typeName: string; types?: avsc.Type[]; name?: string }
  if (t.types) return t.types.map(describeAvroType).join(' or ')
  if (t.typeName === 'record' || t.typeName === 'error') return `record${t.name ? ` ${t.name.split('.').pop()}` : ''}`
  if (t.typeName.startsWith('logical:')) return t.typeName.slice('logical:'.length)
  return t.typeName
}

function joinPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' || /^\d+$/.test(String(p)) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : String(p)), '') || '(value)'
}

/** Validator of an Avro schema document. */
export function avroValidator(schema: unknown): RecordValidator {
  const type = avsc.Type.forSchema(schema as avsc.Schema, { logicalTypes: { uuid: UuidType } })
  return {
    validate(value) {
      const reasons: string[] = []
      type.isValid(value, {
        errorHook(path: string[], val: unknown, t: avsc.Type) {
          const where = joinPath(path)
          reasons.push(val === undefined ? `${where}: missing` : `${where}: expected ${describeAvroType(t)}, got ${describeValue(val)}`)
        },
      })
      return reasons
    },
  }
}

/** Validator of a JSON Schema document (draft 2020-12 or earlier keywords ajv understands). */
export function jsonSchemaValidator(schema: unknown): RecordValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false })
  const check = ajv.compile(schema as object)
  return {
    validate(value) {
      if (check(value)) return []
      return (check.errors ?? []).map((e) => {
        const base = e.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        if (e.keyword === 'required') return `${joinPath([...base, (e.params as { missingProperty: string }).missingProperty])}: missing`
        return `${joinPath(base)}: ${e.message ?? e.keyword}`
      })
    },
  }
}

const cache = new WeakMap<object, RecordValidator>()

/** The validator of a topic's value schema (compiled once per schema document). */
export function schemaValidator(ref: ValueSchemaRef): RecordValidator {
  const key = ref.schema as object
  let v = cache.get(key)
  if (!v) {
    v = ref.type === 'AVRO' ? avroValidator(ref.schema) : jsonSchemaValidator(ref.schema)
    cache.set(key, v)
  }
  return v
}
