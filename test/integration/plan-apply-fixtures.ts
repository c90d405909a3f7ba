/**
 * Hand-made pipeline specs with unique resource names for the plan/apply integration tests, a
 * unique Postgres database per test file (its own apply lock and history), and cleanup.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { PipelineSpec, TableSpec, TopicSpec } from '../../dsl/spec.js'
import { connectionSettings, type ConnectionSettings } from '../../core/settings.js'
import { kafka } from '../../connectors/kafka/client.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { maintenanceUrl } from '../../connectors/live-clients.js'

/** `t<8 hex>`: unique per call. */
export const uniqueSuffix = (): string => `t${randomBytes(4).toString('hex')}`

/** A user-like Avro record schema; `fields` replaces the field list. */
export function avroSchema(fields?: unknown[]): Record<string, unknown> {
  return {
    type: 'record',
    name: 'PlanUser',
    namespace: 'rtds.test',
    fields: fields ?? [
      { name: 'id', type: 'string' },
      { name: 'email', type: 'string' },
      { name: 'age', type: 'int' },
    ],
  }
}

/** Options of {@link makeSpec}. */
export interface SpecOptions {
  readonly suffix: string
  readonly partitions?: number
  readonly topicConfig?: Record<string, string>
  readonly schema?: unknown
  readonly columns?: Record<string, string>
  readonly primaryKey?: string[]
  readonly withTopic?: boolean
  readonly withCassandra?: boolean
}

const pos = (file: string) => ({ file, line: 1, col: 1 })

/** A spec declaring topic `plan_<suffix>` (+ subject), staging table `plan_<suffix>.staging` and Cassandra `ks_<suffix>.users`. */
export function makeSpec(o: SpecOptions): PipelineSpec {
  const file = `test/plan-${o.suffix}.yaml`
  const topic = `plan_${o.suffix}`
  const topics: Record<string, TopicSpec> = {}
  if (o.withTopic !== false) {
    topics[topic] = {
      name: topic, pos: pos(file), partitions: o.partitions ?? 2, replicationFactor: 1, key: 'id', config: o.topicConfig ?? {},
      value: { file: '/tmp/x.avsc', path: 'schemas/plan_user.avsc', type: 'AVRO', schema: o.schema ?? avroSchema(), subject: `${topic}-value` },
    }
  }
  const tables: Record<string, TableSpec> = {
    staging: { kind: 'postgres', name: 'staging', pos: pos(file), postgres: { schema: `plan_${o.suffix}`, table: 'staging' } },
  }
  if (o.withCassandra !== false) {
    tables.users = {
      kind: 'cassandra', name: 'users', pos: pos(file),
      cassandra: {
        keyspace: `ks_${o.suffix}`, table: 'users', replication: { class: 'SimpleStrategy', replication_factor: 1 },
        primaryKey: o.primaryKey ?? ['id'], clusteringKey: [],
        columns: o.columns ?? { id: 'uuid', email: 'text', age: 'int' },
      },
    }
  }
  return {
    file, dir: '/tmp', pipeline: `plan_${o.suffix}`, vars: {}, settings: { transform: { timeout: 1000, maxDepth: 500 } },
    sources: {}, topics, stages: {}, tables,
  }
}

/** Settings pointing at a unique database `rtds_<suffix>` on the shared server. */
export function testSettings(suffix: string): ConnectionSettings {
  const base = connectionSettings()
  const u = new URL(base.databaseUrl)
  u.pathname = `/rtds_${suffix}`
  return { ...base, databaseUrl: u.toString() }
}

/**
 * Fails (never skips) when a server the tests need is unreachable, naming its address and the
 * command that starts it. Call it in the suite's `before` hook.
 */
export async function requireServices(settings: ConnectionSettings, systems: ReadonlyArray<'postgres' | 'kafka' | 'registry' | 'cassandra'>): Promise<void> {
  const down: string[] = []
  const probe = async (name: string, where: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn()
    } catch (err) {
      down.push(`${name} at ${where} (${(err as Error).message.split('\n')[0].slice(0, 120)})`)
    }
  }
  const checks: Array<Promise<void>> = []
  if (systems.includes('postgres')) {
    checks.push(probe('Postgres', '127.0.0.1:5432', async () => {
      const c = new pg.Client({ connectionString: maintenanceUrl(settings.databaseUrl), connectionTimeoutMillis: 3000 })
      await c.connect()
      await c.end()
    }))
  }
  if (systems.includes('kafka')) {
    checks.push(probe('Kafka', settings.kafkaBrokers.join(','), async () => {
      const admin = kafka(settings, { logLevel: 0, retry: { retries: 1 } }).admin()
      try {
        await admin.connect()
        await admin.describeCluster()
      } finally {
        await admin.disconnect().catch(() => {})
      }
    }))
  }
  if (systems.includes('registry')) {
    checks.push(probe('schema registry', settings.schemaRegistryUrl, async () => {
      const r = await fetch(`${settings.schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(3000) })
      if (!r.ok) throw new Error(`HTTP ${r.status}`)
    }))
  }
  if (systems.includes('cassandra')) {
    checks.push(probe('Cassandra', settings.cassandraContactPoints.join(','), async () => {
      const c = cassandraClient(settings)
      try {
        await c.execute('SELECT release_version FROM system.local')
      } finally {
        await c.shutdown().catch(() => {})
      }
    }))
  }
  await Promise.all(checks)
  if (down.length) throw new Error(`unreachable: ${down.join('; ')} — start the services with \`npm run services:up\``)
}

/** Names a test created, when they differ from {@link makeSpec}'s. */
export interface CreatedNames {
  readonly topic?: string
  readonly keyspace?: string
}

/** Drops what a test created (topics, subject, keyspace, database); errors are ignored. */
export async function cleanup(settings: ConnectionSettings, suffix: string, names: CreatedNames = {}): Promise<void> {
  const topic = names.topic ?? `plan_${suffix}`
  const keyspace = names.keyspace ?? `ks_${suffix}`
  const admin = kafka(settings, { retry: { retries: 1 } }).admin()
  await admin.connect().then(async () => {
    const existing = new Set(await admin.listTopics())
    const mine = [topic, `${topic}.dlq`].filter((t) => existing.has(t))
    if (mine.length) await admin.deleteTopics({ topics: mine })
  }).catch(() => {}).finally(() => admin.disconnect().catch(() => {}))
  const subject = encodeURIComponent(`${topic}-value`)
  await fetch(`${settings.schemaRegistryUrl}/subjects/${subject}`, { method: 'DELETE' }).catch(() => {})
  await fetch(`${settings.schemaRegistryUrl}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => {})
  const cass = cassandraClient(settings)
  await cass.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`).catch(() => {})
  await cass.shutdown().catch(() => {})
  const c = new pg.Client({ connectionString: maintenanceUrl(settings.databaseUrl) })
  await c.connect().then(() => c.query(`DROP DATABASE IF EXISTS "rtds_${suffix}" WITH (FORCE)`)).catch(() => {}).finally(() => c.end().catch(() => {}))
}
