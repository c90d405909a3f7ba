/**
 * Run history in `rtds.runs` (see `stateTablesDdl`): one row per scheduled (or `--once`) run of a
 * source, with its outcome. Creates the state tables on first use when they are missing, so a
 * pipeline runs even before `rtds apply` touched the state schema.
 */
import type pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { classifyPgError } from './client.js'
import { STATE_SCHEMA, pgIdent, stateTablesDdl } from './ddl.js'
import type { RunHistory, RunOutcome, RunStart } from '../backend.js'

/** What starts a run: the schedule, `--once`, or a manual trigger. */

export type { RunOutcome }

/** One recorded run, as read back by {@link PostgresRunHistory.recent}. */
export interface RunRow extends RunOutcome {
  readonly id: number
  readonly pipeline: string
  readonly source: string
  readonly trigger: string
  readonly startedAt: Date
  readonly finishedAt: Date | null
}

/** Run history on `rtds.runs`. */
export class PostgresRunHistory implements RunHistory {
  private ready: Promise<void> | undefined
  private readonly runs = `${pgIdent(STATE_SCHEMA)}."runs"`
  constructor(
    private readonly pool: pg.Pool,
    private readonly settings: Pick<ConnectionSettings, 'databaseUrl'>,
  ) {}

  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      const exists = await this.pool.query(`SELECT to_regclass($1) AS t`, [`${STATE_SCHEMA}.runs`])
      if (exists.rows[0]?.t) return
      for (const ddl of stateTablesDdl()) {
        // another process may create the same objects at the same moment: that is fine
        await this.pool.query(ddl).catch((err: { code?: string }) => {
          if (err?.code !== '23505' && err?.code !== '42P07' && err?.code !== '42P06') throw err
        })
      }
    })().catch((err) => {
      this.ready = undefined
      throw classifyPgError(err, this.settings, 'create the rtds state tables')
    })
    return this.ready
  }

  /** Records the start of a run; returns its id. */
  async start(run: RunStart): Promise<number> {
    await this.ensure()
    try {
      const res = await this.pool.query<{ id: string }>(
        `INSERT INTO ${this.runs} (pipeline, source, trigger) VALUES ($1, $2, $3) RETURNING id::text AS id`,
        [run.pipeline, run.source, run.trigger],
      )
      return Number(res.rows[0].id)
    } catch (err) {
      throw classifyPgError(err, this.settings, 'record a run start')
    }
  }

  /** Records the outcome of run `id`. */
  async finish(id: number, outcome: RunOutcome): Promise<void> {
    try {
      await this.pool.query(
        `UPDATE ${this.runs} SET finished_at = now(), status = $2, records = $3, dead_lettered = $4, error = $5 WHERE id = $1`,
        [id, outcome.status, outcome.records, outcome.deadLettered, outcome.error?.slice(0, 4000) ?? null],
      )
    } catch (err) {
      throw classifyPgError(err, this.settings, 'record a run outcome')
    }
  }

  /** The latest runs of a pipeline, newest first. */
  async recent(pipeline: string, limit = 20): Promise<RunRow[]> {
    await this.ensure()
    const res = await this.pool.query(
      `SELECT id::int AS id, pipeline, source, trigger, started_at, finished_at, status, records, dead_lettered, error
         FROM ${this.runs} WHERE pipeline = $1 ORDER BY id DESC LIMIT $2`,
      [pipeline, limit],
    )
    return res.rows.map((r) => ({
      id: r.id, pipeline: r.pipeline, source: r.source, trigger: r.trigger, startedAt: r.started_at, finishedAt: r.finished_at,
      status: r.status, records: r.records, deadLettered: r.dead_lettered, ...(r.error ? { error: r.error } : {}),
    }))
  }
}
