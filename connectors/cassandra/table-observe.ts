/** The probe of a Cassandra table (`observe` of the Cassandra connector): Cassandra's health (`system.local` answers). */
import type cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../../core/settings.js'
import type { Observation } from '../connector.js'
import { probe } from '../observe.js'
import { classifyCassandraError } from './client.js'

export async function observeCassandra(client: cassandra.Client, settings: Pick<ConnectionSettings, 'cassandraContactPoints'>): Promise<Observation> {
  const r = await probe('cassandra', async () => {
    try {
      await client.execute('SELECT release_version FROM system.local', [], { readTimeout: 2000 })
    } catch (err) {
      throw classifyCassandraError(err, settings, 'probe Cassandra')
    }
  })
  return { servers: [r.health] }
}
