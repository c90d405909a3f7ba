/**
 * Record validation against a topic's value schema (Avro or JSON Schema) or a Cassandra table's
 * row shape, collecting EVERY reason with its field path:
 * `location.postcode: expected string or long, got boolean`, `email: missing`.
 * Used at ingestion (invalid → dead letter, or HTTP 400 with the reasons) and before table writes.
 */
import avsc from 'avsc'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { CassandraTableSpec, ValueSchemaRef } from './spec.js'

/** A compiled validator: `validate` returns the reasons a value is invalid (empty = valid). */
export interface RecordValidator {
  validate(value: unknown): string[]
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

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

/** Whether a value fits a CQL column type (loosely: the driver converts strings for most types). */
function fitsCql(cql: string, v: unknown): boolean {
  const t = cql.toLowerCase().trim()
  if (t === 'uuid' || t === 'timeuuid') return typeof v === 'string' && UUID_RE.test(v)
  if (t === 'text' || t === 'varchar' || t === 'ascii' || t === 'inet') return typeof v === 'string'
  if (t === 'int' || t === 'bigint' || t === 'smallint' || t === 'tinyint' || t === 'counter' || t === 'varint')
    return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v))
  if (t === 'float' || t === 'double' || t === 'decimal') return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)))
  if (t === 'boolean') return typeof v === 'boolean'
  return true
}

/**
 * The validator of a row for a Cassandra table: the table's row schema when declared (every
 * field required, as in the reference Spark schema), else its columns — every column present,
 * non-null and of a fitting type; columns the table does not have are reported too.
 */
export function rowValidator(table: CassandraTableSpec): RecordValidator {
  const bySchema = table.cassandra.schema ? schemaValidator(table.cassandra.schema) : undefined
  const columns = table.cassandra.columns
  return {
    validate(value) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`(value): expected a row object, got ${describeValue(value)}`]
      const row = value as Record<string, unknown>
      const reasons = bySchema ? bySchema.validate(value) : []
      const seen = new Set(reasons.map((r) => r.split(':')[0]))
      for (const [col, cql] of Object.entries(columns)) {
        if (seen.has(col)) continue
        const v = row[col]
        if (v === undefined || v === null) reasons.push(`${col}: missing`)
        else if (!fitsCql(cql, v)) reasons.push(`${col}: expected ${cql}, got ${describeValue(v)}`)
      }
      for (const k of Object.keys(row)) if (!(k in columns) && Object.keys(columns).length > 0) reasons.push(`${k}: not a column of ${table.cassandra.keyspace}.${table.cassandra.table}`)
      return reasons
    },
  }
}
