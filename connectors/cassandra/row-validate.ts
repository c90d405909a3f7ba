/** The row validator of a Cassandra table: what the sink checks before a write (a bad row is dead-lettered with its reasons). */
import { describeValue, schemaValidator, UUID_RE, type RecordValidator } from '../../dsl/record-validate.js'
import type { CassandraTableSpec } from './spec.js'

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
