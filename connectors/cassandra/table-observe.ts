/** The probe of a Cassandra table (`observe` of the Cassandra connector): Cassandra's health (`system.local` answers). */
import type cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../../core/settings.js'
import type { Observation } from '../connector.js'
import { probe } from '../observe.js'
import { classifyCassandraError } from './client.js'

export async function observeCassandra(client: cassandra.Client, settings: Pick<ConnectionSettings, 'cassandraContactPoints'>, table?: { keyspace: string; table: string }): Promise<Observation> {
  const r = await probe('cassandra', async () => {
    try {
      await client.execute('SELECT release_version FROM system.local', [], { readTimeout: 2000 })
    } catch (err) {
      throw classifyCassandraError(err, settings, 'probe Cassandra')
    }
  })
  if (!table || !r.health.up) return { servers: [r.health] }
  // an estimate: partitions per token range as last computed by Cassandra (one row per partition here)
  const est = await probe('cassandra', async () => {
    const rs = await client.execute('SELECT partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?', [table.keyspace, table.table], { prepare: true })
    return rs.rows.reduce((n, row) => n + Number(row.get('partitions_count') ?? 0), 0)
  })
  return { servers: [r.health], ...(est.value !== undefined ? { rowsEstimate: est.value } : {}) }
}
