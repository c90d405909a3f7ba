/**
 * Connected clients for tests that talk to the REAL servers (`npm run services:up`): Kafka, the
 * schema registry, Postgres, Cassandra. Each helper proves the server answers a real request and
 * otherwise FAILS with `<server> not reachable at <addr>: run \`npm run services:up\`` (tests never
 * skip). Addresses come from {@link connectionSettings} (KAFKA_BROKERS, SCHEMA_REGISTRY_URL,
 * DATABASE_URL, CASSANDRA_CONTACT_POINTS), so the same tests run against docker-compose too.
 * Callers close what they get (`disconnect()`, `end()`, `shutdown()`).
 */
import { randomBytes } from 'node:crypto'
import { logLevel, type Kafka } from 'kafkajs'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type pg from 'pg'
import type cassandra from 'cassandra-driver'
import { connectionSettings, redactUrl, type ConnectionSettings } from '../../core/settings.js'
import { kafka as kafkaFactory } from '../../connectors/kafka/client.js'
import { registry as registryFactory } from '../../connectors/registry/client.js'
import { pgPool as pgPoolFactory } from '../../connectors/postgres/client.js'
import { cassandraClient as cassandraFactory } from '../../connectors/cassandra/client.js'

const START = 'run `npm run services:up`'
const IDENT = /^[a-z_][a-z0-9_]*$/

/** The settings the helpers use (environment with the documented defaults). */
export const serverSettings = (): ConnectionSettings => connectionSettings()

function unreachable(server: string, addr: string, err: unknown): Error {
  const why = (err as Error)?.message ?? String(err)
  return new Error(`${server} not reachable at ${addr}: ${START} (${why})`, { cause: err })
}

/**
 * `<prefix>_<10 random hex>`: unique per call, lower-case, valid as a Kafka topic, Postgres
 * database/schema/table, CQL keyspace/table and registry subject. `prefix` must itself match
 * `^[a-z_][a-z0-9_]*$` (at most 30 characters, so the result fits CQL's 48).
 */
export function uniqueName(prefix: string): string {
  if (!IDENT.test(prefix) || prefix.length > 30) throw new Error(`uniqueName: invalid prefix ${JSON.stringify(prefix)} (want ^[a-z_][a-z0-9_]*$, max 30)`)
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/** A kafkajs client whose brokers answered `describeCluster`. */
export async function kafkaClient(clientId = 'rtds-test'): Promise<Kafka> {
  const s = serverSettings()
  const probe = kafkaFactory(s, { clientId, connectionTimeout: 3000, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 } })
  const admin = probe.admin()
  try {
    await admin.connect()
    await admin.describeCluster()
  } catch (err) {
    throw unreachable('Kafka', s.kafkaBrokers.join(','), err)
  } finally {
    await admin.disconnect().catch(() => {})
  }
  return kafkaFactory(s, { clientId })
}

/** A `@kafkajs/confluent-schema-registry` client whose registry answered `GET /subjects`. */
export async function registryClient(): Promise<SchemaRegistry> {
  const s = serverSettings()
  const where = redactUrl(s.schemaRegistryUrl)
  try {
    const u = new URL(s.schemaRegistryUrl)
    const headers: Record<string, string> = {}
    if (u.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
    u.username = ''
    u.password = ''
    const res = await fetch(`${u.toString().replace(/\/$/, '')}/subjects`, { headers, signal: AbortSignal.timeout(5000) })
    if (res.status !== 200) throw new Error(`GET /subjects answered HTTP ${res.status}`)
  } catch (err) {
    throw unreachable('schema registry', where, err)
  }
  return registryFactory(s)
}

/**
 * A `pg.Pool` on DATABASE_URL, or on the same server with `database` instead (created when missing;
 * it must match `^[a-z_][a-z0-9_]*$`). The pool answered `SELECT 1`.
 */
export async function pgPool(database?: string): Promise<pg.Pool> {
  const s = serverSettings()
  const url = new URL(s.databaseUrl)
  if (database !== undefined) {
    if (!IDENT.test(database)) throw new Error(`pgPool: invalid database name ${JSON.stringify(database)}`)
    const admin = pgPoolFactory({ databaseUrl: s.databaseUrl }, { max: 1, applicationName: 'rtds-test' })
    try {
      const has = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
      if (has.rowCount === 0) {
        await admin.query(`CREATE DATABASE "${database}"`).catch((e: { code?: string }) => { if (e.code !== '42P04') throw e })
      }
    } catch (err) {
      if ((err as { code?: string }).code === undefined) throw unreachable('Postgres', redactUrl(s.databaseUrl), err)
      throw err
    } finally {
      await admin.end().catch(() => {})
    }
    url.pathname = `/${database}`
  }
  const pool = pgPoolFactory({ databaseUrl: url.toString() }, { applicationName: 'rtds-test' })
  try {
    await pool.query('SELECT 1')
  } catch (err) {
    await pool.end().catch(() => {})
    if ((err as { code?: string }).code === '3D000') throw err // database missing: not a reachability problem
    throw unreachable('Postgres', redactUrl(url.toString()), err)
  }
  return pool
}

/**
 * A connected `cassandra-driver` client (it answered a query on `system.local`). With `keyspace`,
 * the client USEs it; pass `{ create: true }` to create it first (SimpleStrategy, RF 1).
 */
export async function cassandraClient(keyspace?: string, opts: { create?: boolean } = {}): Promise<cassandra.Client> {
  const s = serverSettings()
  const where = s.cassandraContactPoints.join(',')
  if (keyspace !== undefined && !IDENT.test(keyspace)) throw new Error(`cassandraClient: invalid keyspace ${JSON.stringify(keyspace)}`)
  if (keyspace !== undefined && opts.create) {
    const c = await cassandraClient()
    try {
      await c.execute(`CREATE KEYSPACE IF NOT EXISTS "${keyspace}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
    } finally {
      await c.shutdown()
    }
  }
  const client = cassandraFactory(s, keyspace ? { keyspace } : {})
  try {
    await client.connect()
    await client.execute('SELECT release_version FROM system.local')
  } catch (err) {
    await client.shutdown().catch(() => {})
    if (keyspace && /keyspace/i.test((err as Error).message ?? '')) throw err
    throw unreachable('Cassandra', where, err)
  }
  return client
}
