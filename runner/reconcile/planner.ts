/**
 * The planner: desired resources + live state → a plan (changes in dependency order, a summary and
 * a hash). Reads the four systems concurrently; a system no resource needs is never contacted.
 */
import { createHash } from 'node:crypto'
import type { PipelineSpec } from '../../dsl/spec.js'
import { planPgDatabase, planStagingTable, planStateTables, pgDatabaseExists } from '../../connectors/postgres/table-resource.js'
import { planTopic, readTopics } from '../../connectors/kafka/topic-resource.js'
import { planSubject } from '../../connectors/registry/subject-resource.js'
import { planCassandraTable, planKeyspace, readCassandraTable, readKeyspace } from '../../connectors/cassandra/table-resource.js'
import { retry } from '../retry.js'
import { desiredResources, type DeclaredResource } from './desired-state.js'
import { databaseName, type LiveClients } from './live-clients.js'
import type { Change, CompatibilityLevel, Plan, PlanSummary } from './resource-model.js'

/** Options of {@link buildPlan}. */
export interface PlanOptions {
  /** Compatibility level set on subjects rtds creates, default `FULL`. */
  readonly compatibility?: CompatibilityLevel
}

/**
 * Plans the resources the specs declare against the live systems behind `clients`.
 *
 * @example
 * const clients = new LiveClients(connectionSettings())
 * try { const plan = await buildPlan([spec], clients) } finally { await clients.close() }
 */
export async function buildPlan(specs: readonly PipelineSpec[], clients: LiveClients, opts: PlanOptions = {}): Promise<Plan> {
  const declared = desiredResources(specs, { database: databaseName(clients.settings.databaseUrl), compatibility: opts.compatibility })
  const byKind = (k: string): DeclaredResource[] => declared.filter((d) => d.resource.kind.startsWith(k))
  const results = new Map<DeclaredResource, Change>()

  const postgres = async (): Promise<void> => {
    const exists = await pgDatabaseExists(clients)
    for (const d of byKind('postgres_')) {
      const r = d.resource
      if (r.kind === 'postgres_database') results.set(d, planPgDatabase(r, exists, d.files))
      else if (r.kind === 'postgres_state_tables') results.set(d, await planStateTables(r, clients, exists, d.files))
      else if (r.kind === 'postgres_table') results.set(d, await planStagingTable(r, clients, exists, d.files))
    }
  }
  const kafka = async (): Promise<void> => {
    const topics = byKind('kafka_topic')
    if (!topics.length) return
    const admin = await clients.kafkaAdmin()
    const live = await retry(() => readTopics(admin, topics.map((d) => d.resource.name), clients.settings), { maxAttempts: 3, initialDelayMs: 300 })
    for (const d of topics) if (d.resource.kind === 'kafka_topic') results.set(d, planTopic(d.resource, live.get(d.resource.name), d.files))
  }
  const registry = async (): Promise<void> => {
    for (const d of byKind('registry_subject')) if (d.resource.kind === 'registry_subject') results.set(d, await planSubject(d.resource, clients.registry(), d.files))
  }
  const cassandra = async (): Promise<void> => {
    const items = byKind('cassandra_')
    if (!items.length) return
    const client = await clients.cassandra()
    for (const d of items) {
      const r = d.resource
      if (r.kind === 'cassandra_keyspace') results.set(d, planKeyspace(r, await readKeyspace(client, clients.settings, r.name), d.files))
      else if (r.kind === 'cassandra_table') results.set(d, planCassandraTable(r, await readCassandraTable(client, clients.settings, r.keyspace, r.table), d.files))
    }
  }
  // settle all before failing so no reader is left running against a closing client
  const settled = await Promise.allSettled([postgres(), kafka(), registry(), cassandra()])
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
  const changes = declared.map((d) => results.get(d)!)
  return { changes, summary: summarise(changes), hash: planHash(changes) }
}

/** Counts as Terraform does: a replace is one create and one destroy. */
export function summarise(changes: readonly Change[]): PlanSummary {
  const n = (a: Change['action']): number => changes.filter((c) => c.action === a).length
  return {
    create: n('create') + n('replace'),
    update: n('update'),
    destroy: n('destroy') + n('replace'),
    impossible: n('impossible'),
    unchanged: n('unchanged'),
    breaking: changes.filter((c) => c.breaking).length,
  }
}

/**
 * `sha256:<hex>` of the normalised change set (kind, name, action, steps) and the live-state
 * fingerprint of every resource. The database itself is left out: `apply` creates a missing
 * database before it can take its lock, so it is a precondition, not part of the reviewed plan.
 */
export function planHash(changes: readonly Change[]): string {
  const material = changes
    .filter((c) => c.kind !== 'postgres_database')
    .map((c) => ({ kind: c.kind, name: c.name, action: c.action, steps: c.steps, live: c.live }))
  return 'sha256:' + createHash('sha256').update(JSON.stringify(material)).digest('hex')
}

/** Whether a plan changes anything. */
export const planHasChanges = (p: Plan): boolean => p.changes.some((c) => c.action !== 'unchanged')
