/**
 * Helpers shared by the connector integration tests and the end-to-end tests: connection settings
 * from the environment, unique names, and reachability checks that FAIL (never skip) with the
 * command that starts the servers.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { connectionSettings, redactUrl, type ConnectionSettings } from '../../core/settings.js'
import { kafka } from '../../connectors/kafka/client.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'

export const settings: ConnectionSettings = connectionSettings()

/** `prefix_<8 random hex>`: a lower-case identifier valid in Postgres, CQL and Kafka. */
export const unique = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`

const START = 'start the servers with `npm run services:up`'

/**
 * Makes sure the database of DATABASE_URL exists (creating it through the `postgres` database when
 * missing) and answers; throws a message naming the start command otherwise.
 */
export async function requirePostgres(s: ConnectionSettings = settings): Promise<void> {
  const url = new URL(s.databaseUrl)
  const db = url.pathname.replace(/^\//, '') || 'postgres'
  const admin = new URL(s.databaseUrl)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
  } catch (err) {
    throw new Error(`Postgres is not reachable at ${redactUrl(s.databaseUrl)} (${(err as Error).message}): ${START}`)
  }
  try {
    const has = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])
    if (has.rowCount === 0) await client.query(`CREATE DATABASE "${db.replace(/"/g, '')}"`).catch(() => {})
  } finally {
    await client.end()
  }
}

/** Throws (naming the start command) unless the Kafka cluster answers `describeCluster`. */
export async function requireKafka(s: ConnectionSettings = settings): Promise<void> {
  const admin = kafka(s, { retry: { retries: 1 } }).admin()
  try {
    await admin.connect()
    await admin.describeCluster()
  } catch (err) {
    throw new Error(`Kafka is not reachable at ${s.kafkaBrokers.join(',')} (${(err as Error).message}): ${START}`)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}

/** Throws (naming the start command) unless the registry answers `GET /subjects`. */
export async function requireRegistry(s: ConnectionSettings = settings): Promise<void> {
  const base = s.schemaRegistryUrl.replace(/\/$/, '')
  try {
    const res = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(3000) })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
  } catch (err) {
    throw new Error(`the schema registry is not reachable at ${redactUrl(base)} (${(err as Error).message}): ${START}`)
  }
}

/** Throws (naming the start command) unless Cassandra answers a query on `system.local`. */
export async function requireCassandra(s: ConnectionSettings = settings): Promise<void> {
  const client = cassandraClient(s)
  try {
    await client.execute('SELECT release_version FROM system.local')
  } catch (err) {
    throw new Error(`Cassandra is not reachable at ${s.cassandraContactPoints.join(',')} (${(err as Error).message}): ${START}`)
  } finally {
    await client.shutdown().catch(() => {})
  }
}

/** Polls `check` every `everyMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T>, timeoutMs: number, what: string, everyMs = 250): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
