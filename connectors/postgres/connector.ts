/**
 * The Postgres connector (role `table`): a staging table is a transactional outbox — stages write
 * it in one transaction per batch, the relay reads it (`FOR UPDATE SKIP LOCKED`) and marks rows
 * published on ack.
 */
import type { Connector, ConnectorRuntime, Entity } from '../connector.js'
import type { LiveEnv } from '../live-backend.js'
import type { MemoryBackend } from '../memory/memory-backend.js'
import type { PostgresTableSpec } from './spec.js'
import { POSTGRES_TABLE_SPEC } from './spec.js'
import { PostgresStagingSink } from './staging-sink.js'
import { PostgresOutboxSource } from './outbox-source.js'
import { postgresResourceType } from './table-resource.js'
import { observeOutbox } from './outbox-observe.js'

const asTable = (e: Entity): PostgresTableSpec => e as PostgresTableSpec

export const postgresConnector: Connector<LiveEnv, MemoryBackend> = {
  config: POSTGRES_TABLE_SPEC,
  live: (env): ConnectorRuntime => ({
    sink: (e) => {
      const t = asTable(e)
      return new PostgresStagingSink({ name: t.name, pool: env.pg(), settings: env.settings, schema: t.postgres.schema, table: t.postgres.table })
    },
    reader: (e, opts) => {
      const t = asTable(e)
      return env.track(new PostgresOutboxSource({
        name: t.name, pool: env.pg(), settings: env.settings, schema: t.postgres.schema, table: t.postgres.table,
        batchSize: opts.batchSize, once: opts.once, upstreamDone: opts.upstreamDone, maxInFlight: Math.max(1, Math.min(4, env.pgPoolSize - 4)),
      }))
    },
    observe: (e) => {
      const t = asTable(e)
      return observeOutbox(env.pg(), t.postgres.schema, t.postgres.table, env.settings)
    },
  }),
  embedded: (memory): ConnectorRuntime => ({
    sink: (e) => memory.stagingSink(asTable(e)),
    reader: (e, opts) => memory.stagingSource(asTable(e), opts),
    stored: (e) => {
      const rows = memory.staging.get(e.name)?.rows ?? []
      return { records: rows.map((r) => r.value), keys: rows.map((r) => r.key) }
    },
  }),
  resources: (e) => {
    const { schema, table } = asTable(e).postgres
    return [{ kind: 'postgres_table', name: `${schema}.${table}`, schema, table }]
  },
  resourceTypes: [postgresResourceType],
}
