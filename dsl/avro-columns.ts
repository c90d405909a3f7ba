/**
 * Derivation of Cassandra columns from an Avro record schema (used when a Cassandra table gives
 * `schema:` but no `columns:`): string→text, string+uuid→uuid, int→int, long→bigint,
 * boolean→boolean, double→double, float→float, long/int+timestamp-millis→timestamp,
 * ["null", T]→T (Cassandra columns are always nullable).
 */

/** Column name → CQL type, or the fields whose type has no CQL counterpart. */
export function columnsFromAvro(schema: unknown): { columns: Record<string, string>; unsupported: string[] } {
  const columns: Record<string, string> = {}
  const unsupported: string[] = []
  const rec = schema as { type?: unknown; fields?: Array<{ name: string; type: unknown }> }
  if (rec?.type !== 'record' || !Array.isArray(rec.fields)) return { columns, unsupported: ['(the schema is not an Avro record)'] }
  for (const f of rec.fields) {
    const cql = cqlType(f.type)
    if (cql) columns[f.name] = cql
    else unsupported.push(`${f.name}: ${JSON.stringify(f.type)}`)
  }
  return { columns, unsupported }
}

function cqlType(t: unknown): string | undefined {
  if (Array.isArray(t)) {
    const rest = t.filter((x) => x !== 'null')
    return rest.length === 1 ? cqlType(rest[0]) : undefined
  }
  if (typeof t === 'string') return ({ string: 'text', int: 'int', long: 'bigint', boolean: 'boolean', double: 'double', float: 'float', bytes: 'blob' } as Record<string, string>)[t]
  if (t && typeof t === 'object') {
    const o = t as { type?: unknown; logicalType?: string }
    if (o.logicalType === 'uuid' && o.type === 'string') return 'uuid'
    if ((o.logicalType === 'timestamp-millis' || o.logicalType === 'timestamp-micros') && (o.type === 'long')) return 'timestamp'
    if (o.logicalType === 'date' && o.type === 'int') return 'date'
    if (typeof o.type === 'string' && o.type !== 'record' && o.type !== 'array' && o.type !== 'map' && o.type !== 'enum' && o.type !== 'fixed') return cqlType(o.type)
    if (o.type === 'enum') return 'text'
  }
  return undefined
}
