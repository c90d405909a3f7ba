/** The Cassandra connector (role `table`): prepared upserts by primary key; keyspace and table planned and applied. */
import type { Connector, ConnectorRuntime, Entity } from '../connector.js'
import type { LiveEnv } from '../live-backend.js'
import type { MemoryBackend } from '../memory/memory-backend.js'
import { CASSANDRA_TABLE_SPEC, type CassandraTableSpec } from './spec.js'
import { CassandraTableSink } from './table-sink.js'
import { cassandraResourceType, normaliseReplication } from './table-resource.js'
import { observeCassandra } from './table-observe.js'

const asTable = (e: Entity): CassandraTableSpec => e as CassandraTableSpec

export const cassandraConnector: Connector<LiveEnv, MemoryBackend> = {
  config: CASSANDRA_TABLE_SPEC,
  live: (env): ConnectorRuntime => ({
    sink: (e) => {
      const t = asTable(e)
      const c = t.cassandra
      return new CassandraTableSink({
        name: t.name, client: env.cassandra(), keyspace: c.keyspace, table: c.table, columns: c.columns,
        keyColumns: [...c.primaryKey, ...c.clusteringKey], settings: env.settings, concurrency: c.concurrency ?? env.cassandraConcurrency,
      })
    },
    observe: (e, _groups, o) => observeCassandra(env.cassandra(), env.settings, o?.detail ? { keyspace: asTable(e).cassandra.keyspace, table: asTable(e).cassandra.table } : undefined),
  }),
  embedded: (memory): ConnectorRuntime => ({
    sink: (e) => memory.tableSink(asTable(e)),
    stored: (e) => {
      const t = asTable(e)
      return { records: [...(memory.tables.get(t.name)?.rows.values() ?? [])], primaryKey: [...t.cassandra.primaryKey, ...t.cassandra.clusteringKey] }
    },
  }),
  resources: (e) => {
    const c = asTable(e).cassandra
    return [
      { kind: 'cassandra_keyspace', name: c.keyspace, replication: normaliseReplication(c.replication) },
      { kind: 'cassandra_table', name: `${c.keyspace}.${c.table}`, keyspace: c.keyspace, table: c.table, partitionKey: [...c.primaryKey], clusteringKey: [...c.clusteringKey], columns: { ...c.columns } },
    ]
  },
  resourceTypes: [cassandraResourceType],
}
