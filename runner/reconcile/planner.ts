/**
 * The planner: desired resources + live state → a plan (changes in dependency order, a summary and
 * a hash). Reads the four systems concurrently; a system no resource needs is never contacted.
 */
import { createHash } from 'node:crypto'
import type { PipelineSpec } from '../../dsl/spec.js'
import { CONNECTORS, type ConnectorRegistry } from '../../connectors/index.js'
import { desiredResources } from './desired-state.js'
import { databaseName, type LiveClients } from '../../connectors/live-clients.js'
import type { Change, CompatibilityLevel, DeclaredResource, Plan, PlanSummary } from '../../connectors/resource-model.js'

/** Options of {@link buildPlan}. */
export interface PlanOptions {
  /** Compatibility level set on subjects rtds creates, default `FULL`. */
  readonly compatibility?: CompatibilityLevel
  /** The connectors (default: rtds' registry). */
  readonly connectors?: ConnectorRegistry
}

/**
 * Plans the resources the specs declare against the live systems behind `clients`.
 *
 * @example
 * const clients = new LiveClients(connectionSettings())
 * try { const plan = await buildPlan([spec], clients) } finally { await clients.close() }
 */
export async function buildPlan(specs: readonly PipelineSpec[], clients: LiveClients, opts: PlanOptions = {}): Promise<Plan> {
  const declared = desiredResources(specs, { database: databaseName(clients.settings.databaseUrl), compatibility: opts.compatibility, connectors: opts.connectors })
  const results = new Map<DeclaredResource, Change>()
  const plans = (opts.connectors ?? CONNECTORS).resourceTypes().map(async (type) => {
    const mine = declared.filter((d) => type.kinds.includes(d.resource.kind))
    if (mine.length === 0) return // a system no resource needs is never contacted
    for (const [d, change] of await type.plan(mine, clients)) results.set(d, change)
  })
  // settle all before failing so no reader is left running against a closing client
  const settled = await Promise.allSettled(plans)
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
