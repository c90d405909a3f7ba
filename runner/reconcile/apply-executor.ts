/**
 * `apply` as a library: create a missing database, take the apply lock, re-plan under it, refuse a
 * stale, impossible, destructive or breaking plan unless allowed, execute the changes in dependency
 * order, record the apply in `rtds.applies`, release the lock.
 */
import type { PipelineSpec } from '../../dsl/spec.js'
import { applyPgStep, pgDatabaseExists } from '../../connectors/postgres/table-resource.js'
import { CONNECTORS, type ConnectorRegistry } from '../../connectors/index.js'
import { ConflictError, RtdsError } from '../../core/errors.js'
import { retry } from '../../core/retry.js'
import { acquireApplyLock, applier } from './apply-lock.js'
import { recordApply, type AppliedChange } from './apply-history.js'
import { buildPlan, type PlanOptions } from './planner.js'
import { databaseName, type LiveClients } from '../../connectors/live-clients.js'
import type { Change, Plan, Step } from '../../connectors/resource-model.js'
import { changeSymbol } from './plan-format.js'

/** Options of {@link applyPipelines}. */
export interface ApplyOptions extends PlanOptions {
  /** Pipeline files, as recorded in the history. */
  readonly files: readonly string[]
  /** Allow drop+create, dropped columns. */
  readonly allowDestroy?: boolean
  /** Allow registering a schema version the registry finds incompatible. */
  readonly allowBreaking?: boolean
  /** Refuse unless the plan under the lock has this hash (a full `sha256:<hex>` or a prefix of ≥ 12 hex digits). */
  readonly planHash?: string
  /** Wait for another apply's lock this long, default 30 000 ms. */
  readonly lockTimeoutMs?: number
  /** Called with the plan made under the lock, before it is checked and applied. */
  readonly onPlan?: (plan: Plan) => void
  /** Progress lines (`+ kafka_topic users_created: done`). */
  readonly log?: (line: string) => void
}

/** What an apply did. */
export interface ApplyResult {
  readonly plan: Plan
  readonly applied: readonly AppliedChange[]
  /** Id of the `rtds.applies` row. */
  readonly historyId: number
  /** When the lock was taken and released (epoch ms): two applies' windows never overlap. */
  readonly lockedAt: number
  readonly unlockedAt: number
  readonly waitedMs: number
}

const hashMatches = (given: string, actual: string): boolean => {
  const g = given.trim().toLowerCase().replace(/^sha256:/, '')
  const a = actual.replace(/^sha256:/, '')
  return g.length >= 12 && /^[0-9a-f]+$/.test(g) && a.startsWith(g)
}

/** Refuses a plan that may not run as is. */
function checkPlan(plan: Plan, opts: ApplyOptions): void {
  if (opts.planHash !== undefined && !hashMatches(opts.planHash, plan.hash)) {
    throw new ConflictError(`the live state moved away from the reviewed plan: expected ${opts.planHash}, the plan now is ${plan.hash}`, {
      hint: 'run `rtds plan` again, review the new plan and pass its hash',
    })
  }
  const list = (cs: Change[]): string => cs.map((c) => `${c.kind} ${c.name}`).join(', ')
  const impossible = plan.changes.filter((c) => c.action === 'impossible')
  if (impossible.length) {
    throw new ConflictError(`the plan has impossible changes (${list(impossible)}): nothing was applied`, {
      hint: 'Kafka cannot decrease partitions or change the replication factor in place: declare a new topic instead',
    })
  }
  const destructive = plan.changes.filter((c) => c.destructive)
  if (destructive.length && !opts.allowDestroy) {
    throw new ConflictError(`the plan destroys data (${list(destructive)}): nothing was applied`, {
      hint: 'review `rtds plan`, then run `rtds apply --allow-destroy` if the data may go',
    })
  }
  const breaking = plan.changes.filter((c) => c.breaking)
  if (breaking.length && !opts.allowBreaking) {
    const fields = breaking.flatMap((c) => c.verdict?.breakingFields ?? [])
    throw new ConflictError(`the plan registers an incompatible schema (${list(breaking)}${fields.length ? `: ${fields.join('; ')}` : ''}): nothing was applied`, {
      hint: 'make the change compatible (e.g. give new fields a default), or run `rtds apply --allow-breaking` once every consumer is ready',
    })
  }
}

/** Runs one step through the resource type that owns its operation. */
function runStep(step: Step, clients: LiveClients, registry: ConnectorRegistry): Promise<void> {
  return registry.stepRunner(step.op).apply(step, clients)
}

/**
 * Applies the specs' resources. Nothing is changed when the plan is refused; on a failing step the
 * apply stops, records what was done and rethrows.
 *
 * @example
 * const result = await applyPipelines([spec], new LiveClients(connectionSettings()), { files: ['pipelines/users.yaml'] })
 */
export async function applyPipelines(specs: readonly PipelineSpec[], clients: LiveClients, opts: ApplyOptions): Promise<ApplyResult> {
  const log = opts.log ?? (() => {})
  const db = databaseName(clients.settings.databaseUrl)
  if (!(await pgDatabaseExists(clients))) {
    await applyPgStep({ op: 'pg.createDatabase', database: db }, clients)
    log(`  + postgres_database ${db}: created`)
  }
  const lock = await acquireApplyLock(clients.settings, {
    timeoutMs: opts.lockTimeoutMs,
    onWait: (holder) => log(`waiting for the apply lock held by ${holder}...`),
  })
  const lockedAt = Date.now()
  try {
    const plan = await buildPlan(specs, clients, opts)
    opts.onPlan?.(plan)
    checkPlan(plan, opts)
    const applied: AppliedChange[] = []
    let failure: unknown
    for (const c of plan.changes) {
      if (c.action === 'unchanged' || c.kind === 'postgres_database') continue
      if (failure) {
        applied.push({ kind: c.kind, name: c.name, action: c.action, status: 'not started', details: c.details })
        continue
      }
      try {
        // a server that blips (leader moving, restart) gets a few tries; the steps are idempotent or fail clearly
        for (const step of c.steps) await retry(() => runStep(step, clients, opts.connectors ?? CONNECTORS), { maxAttempts: 4, initialDelayMs: 500 })
        applied.push({ kind: c.kind, name: c.name, action: c.action, status: 'done', details: c.details })
        log(`${changeSymbol(c).padStart(3)} ${c.kind} ${c.name}: ${c.action === 'create' ? 'created' : c.action === 'replace' ? 're-created' : 'updated'}`)
      } catch (err) {
        failure = err
        const message = err instanceof Error ? err.message : String(err)
        applied.push({ kind: c.kind, name: c.name, action: c.action, status: 'failed', details: c.details, error: message })
        log(`${changeSymbol(c).padStart(3)} ${c.kind} ${c.name}: FAILED (${message})`)
      }
    }
    const who = applier()
    let historyId = -1
    try {
      historyId = await recordApply(await clients.pg(), clients.settings, {
        appliedBy: who.user, host: who.host, files: opts.files, planHash: plan.hash, changes: applied,
      })
    } catch (err) {
      if (!failure) throw err
    }
    if (failure) {
      const done = applied.filter((a) => a.status === 'done').length
      throw new RtdsError(`apply stopped after ${done} of ${applied.length} changes: ${failure instanceof Error ? failure.message : String(failure)}`, {
        cause: failure,
        hint: (failure as RtdsError).hint ?? 'fix the cause and run `rtds apply` again: it continues from the live state',
      })
    }
    return { plan, applied, historyId, lockedAt, unlockedAt: Date.now(), waitedMs: lock.waitedMs }
  } finally {
    await lock.release()
  }
}
