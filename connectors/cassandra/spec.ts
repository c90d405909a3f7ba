/** Config spec of a Cassandra sink table (`tables: { x: { cassandra: {...} } }`). */
import { identifierSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import { columnsFromAvro } from '../../dsl/avro-columns.js'
import { CODES } from '../../dsl/codes.js'
import type { TableSpecOf, ValueSchemaRef } from '../../dsl/spec.js'
import { rowValidator } from './row-validate.js'

const CQL_SCALAR = '(?:ascii|bigint|blob|boolean|counter|date|decimal|double|duration|float|inet|int|smallint|text|time|timestamp|timeuuid|tinyint|uuid|varchar|varint)'
/** The CQL types a column may have: the type reaches CQL DDL text, so nothing else gets through. */
export const CQL_TYPE_PATTERN = `^(?:${CQL_SCALAR}|(?:list|set|frozen)<\\s*${CQL_SCALAR}\\s*>|map<\\s*${CQL_SCALAR}\\s*,\\s*${CQL_SCALAR}\\s*>)$`

const columnList = (description: string) => ({ description, type: 'array', items: identifierSchema('A column name.', 255), uniqueItems: true })

/** The resolved `cassandra:` block of a table. */
export interface CassandraTableConfig {
  readonly keyspace: string
  /** Default: the table's key in the file. */
  readonly table: string
  /** Default `{ class: SimpleStrategy, replication_factor: 1 }`. */
  readonly replication: Readonly<Record<string, string | number>>
  readonly primaryKey: readonly string[]
  readonly clusteringKey: readonly string[]
  /** Prepared writes in flight per sink (a sliding window); undefined: the sink's default. */
  readonly concurrency?: number
  /** Column name → CQL type, in declaration order; given or derived from `schema`. */
  readonly columns: Readonly<Record<string, string>>
  /** The row schema the columns were derived from, when given. */
  readonly schema?: ValueSchemaRef
}

declare module '../../dsl/spec.js' { interface TableConfigs { cassandra: CassandraTableConfig } }

export type CassandraTableSpec = TableSpecOf<'cassandra'>

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)])

/** Longest keyspace or table name Cassandra accepts. */
export const CASSANDRA_NAME_MAX = 48

export const CASSANDRA_TABLE_SPEC: ConnectorConfigSpec = {
  key: 'cassandra', title: 'Cassandra', role: 'table', secrets: [],
  description: 'A Cassandra table written with prepared upserts; keyspace and table are created by `rtds apply`.',
  schema: objectSchema('A Cassandra sink table.', {
    keyspace: identifierSchema('Keyspace.', CASSANDRA_NAME_MAX),
    table: identifierSchema('Table name. Default: the table\'s key in the file.', CASSANDRA_NAME_MAX),
    replication: { description: 'Keyspace replication. Default { class: SimpleStrategy, replication_factor: 1 }.', type: 'object', additionalProperties: { type: ['string', 'integer'] } },
    primaryKey: { ...columnList('Partition key columns.'), minItems: 1 },
    clusteringKey: columnList('Clustering columns. Default none.'),
    concurrency: { description: 'Prepared writes in flight at most for this sink (a sliding window shared by the stage\'s workers; a finished write lets the next one start, no barrier per batch). Default 512 (measured: `npm run bench`).', type: 'integer', minimum: 1, maximum: 4096 },
    columns: { description: 'Column name → CQL type. When absent, derived from `schema`.', type: 'object', propertyNames: { pattern: '^[a-z_][a-z0-9_]*$' }, additionalProperties: { type: 'string', pattern: CQL_TYPE_PATTERN, description: 'A CQL type: ascii, bigint, blob, boolean, counter, date, decimal, double, duration, float, inet, int, smallint, text, time, timestamp, timeuuid, tinyint, uuid, varchar, varint, or list<T>, set<T>, frozen<T>, map<K, V> of those.' } },
    schema: { description: 'Avro (.avsc) row schema the columns are derived from, relative to the pipeline file.', type: 'string', pattern: '\\.avsc$' },
  }, ['keyspace', 'primaryKey']),
  patterns: {
    [CQL_TYPE_PATTERN]: { what: 'a CQL type', hint: 'use a CQL type: text, uuid, int, bigint, boolean, double, timestamp, ... or list<T>, set<T>, frozen<T>, map<K, V> of those' },
  },
  readable: false,
  resolve: (c, ctx): CassandraTableConfig => {
    let columns: Record<string, string> = c.columns ? { ...c.columns } : {}
    let schema: ValueSchemaRef | undefined
    if (typeof c.schema === 'string' && !ctx.isInvalid(['schema'])) {
      const r = ctx.loadSchema(c.schema, `${ctx.name}-row`)
      if (r.problem) { ctx.report(r.problem.code, r.problem.message, ['schema'], r.problem.hint); ctx.markBroken() }
      schema = r.ref
      if (r.ref && !c.columns) {
        const d = columnsFromAvro(r.ref.schema)
        columns = d.columns
        if (d.unsupported.length) { ctx.report(CODES.COLUMNS_UNDERIVABLE, `cannot derive Cassandra columns of table "${ctx.name}" from ${c.schema}: unsupported field ${d.unsupported.join(', ')}`, ['schema'], 'declare columns: explicitly'); ctx.markBroken() }
      }
    } else if (!c.columns && !ctx.isInvalid()) {
      ctx.report(CODES.NO_COLUMNS, `Cassandra table "${ctx.name}" has neither columns nor schema`, [], 'add columns: { id: uuid, ... } or schema: path/to/row.avsc', true)
      ctx.markBroken()
    }
    return { keyspace: c.keyspace ?? '', table: c.table ?? ctx.name, replication: c.replication ?? { class: 'SimpleStrategy', replication_factor: 1 },
      primaryKey: asList(c.primaryKey), clusteringKey: asList(c.clusteringKey), ...(typeof c.concurrency === 'number' ? { concurrency: c.concurrency } : {}), columns, ...(schema ? { schema } : {}) }
  },
  columns: (c: CassandraTableConfig) => c.columns,
  rowValidator: (t: CassandraTableSpec) => ({ validator: rowValidator(t), what: `the columns of ${t.cassandra.keyspace}.${t.cassandra.table}` }),
  check: (t: CassandraTableSpec, _spec, report) => {
    if (t.cassandra.table.length > CASSANDRA_NAME_MAX) {
      report(CODES.INVALID_VALUE, `Cassandra table name "${t.cassandra.table.slice(0, 40)}…" has ${t.cassandra.table.length} characters (at most ${CASSANDRA_NAME_MAX})`, ['tables', t.name], 'Cassandra accepts table names of at most 48 characters: shorten the key, or set table:')
    }
    const cols = t.cassandra.columns
    for (const key of ['primaryKey', 'clusteringKey'] as const) {
      t.cassandra[key].forEach((c, i) => {
        if (!(c in cols)) report(CODES.KEY_NOT_COLUMN, `${key} column "${c}" of table "${t.name}" is not a column`, ['tables', t.name, 'cassandra', key, i], `columns: ${Object.keys(cols).join(', ')}`)
      })
    }
  },
  describe: (c: CassandraTableConfig) =>
    `cassandra ${c.keyspace}.${c.table} primaryKey=(${c.primaryKey.join(', ')})${c.clusteringKey.length ? ` clustering=(${c.clusteringKey.join(', ')})` : ''} columns=${Object.entries(c.columns).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  view: (c: CassandraTableConfig) => (c.schema ? { ...c, schema: { path: c.schema.path, type: c.schema.type } } : c),
}
