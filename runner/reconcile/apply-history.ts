/**
 * The apply history in `rtds.applies`: who applied which files, with which plan hash, and what
 * changed (including an apply that failed part-way and one that changed nothing).
 */
import type pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { STATE_SCHEMA, pgIdent } from '../../connectors/postgres/ddl.js'
import { classifyPgError } from '../../connectors/postgres/client.js'
import type { ChangeAction, ChangeDetail, ResourceKind } from '../../connectors/resource-model.js'

/** What happened to one change during an apply. */
export interface AppliedChange {
  readonly kind: ResourceKind
  readonly name: string
  readonly action: ChangeAction
  readonly status: 'done' | 'failed' | 'not started'
  readonly details: readonly ChangeDetail[]
  readonly error?: string
}

/** One row of `rtds.applies`. */
export interface ApplyRecord {
  readonly appliedBy: string
  readonly host: string
  readonly files: readonly string[]
  readonly planHash: string
  readonly changes: readonly AppliedChange[]
}

/** Inserts one apply; returns its id. */
export async function recordApply(pool: pg.Pool, settings: Pick<ConnectionSettings, 'databaseUrl'>, rec: ApplyRecord): Promise<number> {
  try {
    const r = await pool.query<{ id: string }>(
      `INSERT INTO ${pgIdent(STATE_SCHEMA)}."applies" (applied_by, host, files, plan_hash, changes)
       VALUES ($1, $2, $3::jsonb, $4, $5::jsonb) RETURNING id`,
      [rec.appliedBy, rec.host, JSON.stringify(rec.files), rec.planHash, JSON.stringify(rec.changes)],
    )
    return Number(r.rows[0].id)
  } catch (err) {
    throw classifyPgError(err, settings, 'recording the apply in rtds.applies')
  }
}

/** The most recent applies, newest first. */
export async function recentApplies(pool: pg.Pool, limit = 10): Promise<Array<ApplyRecord & { id: number; appliedAt: Date }>> {
  const r = await pool.query(
    `SELECT id, applied_at, applied_by, host, files, plan_hash, changes FROM ${pgIdent(STATE_SCHEMA)}."applies" ORDER BY id DESC LIMIT $1`,
    [limit],
  )
  return r.rows.map((row) => ({
    id: Number(row.id), appliedAt: row.applied_at, appliedBy: row.applied_by, host: row.host,
    files: row.files, planHash: row.plan_hash, changes: row.changes,
  }))
}
