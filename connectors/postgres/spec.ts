/** Config spec of a Postgres staging table (`tables: { x: { postgres: {...} } }`), the transactional outbox. */
import { identifierSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import type { TableSpecOf } from '../../dsl/spec.js'
import { stagingTopicOf } from '../../dsl/staging-topic.js'

/** The resolved `postgres:` block of a table. */
export interface PostgresTableConfig {
  /** Postgres schema (namespace), default `rtds`. */
  readonly schema: string
  /** Table name, default the table's key in the file. */
  readonly table: string
}

declare module '../../dsl/spec.js' { interface TableConfigs { postgres: PostgresTableConfig } }

export type PostgresTableSpec = TableSpecOf<'postgres'>

/** Longest identifier Postgres keeps (NAMEDATALEN - 1); longer ones are silently truncated. */
export const POSTGRES_NAME_MAX = 63

export const POSTGRES_TABLE_SPEC: ConnectorConfigSpec = {
  key: 'postgres', title: 'Postgres', role: 'table', secrets: [],
  description: 'A Postgres staging table: records land here in one transaction per batch, then are relayed to Kafka.',
  schema: objectSchema('A Postgres staging table (transactional outbox).', {
    schema: { ...identifierSchema('Postgres schema (namespace).', POSTGRES_NAME_MAX), default: 'rtds' },
    table: identifierSchema('Table name. Default: the table\'s key in the file.', POSTGRES_NAME_MAX),
  }),
  resolve: (c, ctx) => ({ schema: c.schema, table: c.table ?? ctx.name }),
  describe: (c: PostgresTableConfig, t, spec) => {
    const relay = stagingTopicOf(spec, t.name)
    return `postgres ${c.schema}.${c.table}${relay ? ` staging for topic ${relay.name}${relay.value ? ' (records validated against its schema)' : ''}` : ''}`
  },
}
