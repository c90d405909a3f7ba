/**
 * The outbox relay's source: claims unpublished rows of a staging table and hands them to the
 * engine, holding the row locks until the engine acks.
 *
 * Per batch, on a dedicated connection: `BEGIN; SELECT ... WHERE published_at IS NULL ORDER BY id
 * LIMIT n FOR UPDATE SKIP LOCKED` → emit → on `ack()`: `UPDATE ... SET published_at = now()` for
 * exactly those ids, `COMMIT`; on `nack()`: `ROLLBACK`, then bump `attempts`/`last_error` in a
 * separate statement. Rows stay locked while in flight, so several relays (processes or machines)
 * never publish a row twice; a relay that dies loses its connection and its locks, and the rows
 * become claimable again (at-least-once; the deterministic key makes replays harmless downstream).
 */
import pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { ConnectionError } from '../../core/errors.js'
import type { Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import { classifyPgError } from './client.js'
import { pgQualified } from './ddl.js'
import { listenForStaging, stagedCount, untilStaged } from './staging-signal.js'

export interface PostgresOutboxSourceOptions {
  /** Source name (the staging table's name in the pipeline). */
  readonly name: string
  readonly pool: pg.Pool
  readonly settings: Pick<ConnectionSettings, 'databaseUrl'>
  readonly schema: string
  readonly table: string
  /** Rows per claim, default 100. */
  readonly batchSize?: number
  /** `--once`: stop when a claim returns nothing and no batch is in flight (after `upstreamDone`). */
  readonly once?: boolean
  /** `--once` while the stages staging rows still run: a claim coming back empty ends the run only after this resolved. */
  readonly upstreamDone?: Promise<void>
  /**
   * Longest wait between empty claims, default 1000 ms: a relay is woken as soon as rows are staged
   * (by a staging commit in this process, or `LISTEN`/`NOTIFY` from other processes), the interval
   * is only the safety net.
   */
  readonly pollIntervalMs?: number
  /** LISTEN for staging commits of other processes (default true; needs one extra connection). */
  readonly listen?: boolean
  /**
   * Claimed batches in flight at most, default 4. Each holds a pooled connection (its open
   * transaction) until settled, so this must stay below the pool size.
   */
  readonly maxInFlight?: number
}

interface Row {
  /** The bigint id as text (selected under another name so ORDER BY id sorts numerically). */
  rid: string
  key: string | null
  value: unknown
  origin: string
}

/** Staging table as the relay's source; see the module comment. */
export class PostgresOutboxSource implements Source {
  readonly name: string
  private readonly target: string
  private readonly inFlight = new Set<Promise<void>>()
  /** Rollback of every unsettled batch, used by close() so no transaction outlives the source. */
  private readonly abandon = new Map<Promise<void>, () => Promise<void>>()
  /** Ids nacked during a `once` run: not re-claimed in this run (they stay unpublished for the next). */
  private readonly nacked = new Set<string>()
  private lastNackError: Error | undefined
  private closed = false

  constructor(private readonly opts: PostgresOutboxSourceOptions) {
    this.name = opts.name
    this.target = pgQualified(opts.schema, opts.table)
  }

  async run(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    const n = this.opts.batchSize ?? 100
    const poll = this.opts.pollIntervalMs ?? 1000
    const maxInFlight = Math.max(1, this.opts.maxInFlight ?? 4)
    const table = `${this.opts.schema}.${this.opts.table}`
    const unlisten = !this.opts.once && this.opts.listen !== false
      ? await listenForStaging(() => new pg.Client({ connectionString: this.opts.settings.databaseUrl, application_name: 'rtds relay listen' }))
      : async () => {}
    try {
      await this.claimLoop(emit, signal, n, poll, maxInFlight, table)
    } finally {
      await unlisten()
    }
  }

  private async claimLoop(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal, n: number, poll: number, maxInFlight: number, table: string): Promise<void> {
    const upstreamDone = this.opts.upstreamDone
    let upstreamEnded = !upstreamDone
    void upstreamDone?.then(() => (upstreamEnded = true))
    while (!signal.aborted && !this.closed) {
      // never wait on the pool for a connection: wait for a batch of ours to settle instead
      while (this.inFlight.size >= maxInFlight && !signal.aborted) await Promise.race(this.inFlight)
      if (signal.aborted || this.closed) break
      const seen = stagedCount(table)
      // sampled BEFORE the claim: an empty claim ends a once run only if upstream had ended before
      // its snapshot was taken — upstream may stage its last rows and end while the claim is on its way
      const endedBefore = upstreamEnded
      const claimed = await this.claim(n)
      if (!claimed) {
        if (this.opts.once && !endedBefore) {
          // upstream still staging: wait for its next commit (or its end), then claim again
          await Promise.race([untilStaged(table, poll, signal, seen), upstreamDone])
          continue
        }
        if (this.opts.once) {
          if (this.inFlight.size === 0) break
          await Promise.race(this.inFlight)
          continue
        }
        await untilStaged(table, poll, signal, seen)
        continue
      }
      await emit(claimed)
    }
    // a finite run ends only when every claimed batch was settled (acked or nacked)
    while (this.inFlight.size > 0) await Promise.race(this.inFlight)
    if (this.opts.once && this.nacked.size > 0 && !signal.aborted) {
      throw new ConnectionError(
        `${this.nacked.size} staged row(s) of ${this.opts.schema}.${this.opts.table} could not be published: ${this.lastNackError?.message ?? 'nacked'}`,
        { cause: this.lastNackError, hint: 'they stay in the outbox and are published by the next run' },
      )
    }
  }

  /** Opens a transaction and locks up to `n` unpublished rows; undefined when there are none. */
  private async claim(n: number): Promise<SourceBatch | undefined> {
    const what = `claim rows of staging table ${this.opts.schema}.${this.opts.table}`
    let client: pg.PoolClient
    try {
      client = await this.opts.pool.connect()
    } catch (err) {
      throw classifyPgError(err, this.opts.settings, what)
    }
    let rows: Row[]
    try {
      await client.query('BEGIN')
      const skip = this.opts.once && this.nacked.size > 0
      const res = await client.query<Row>(
        `SELECT id::text AS rid, key, value, origin FROM ${this.target}
          WHERE published_at IS NULL${skip ? ' AND NOT (id = ANY($2::bigint[]))' : ''}
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        skip ? [n, [...this.nacked]] : [n],
      )
      rows = res.rows
      if (rows.length === 0) {
        await client.query('COMMIT')
        client.release()
        return undefined
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      client.release(true)
      throw classifyPgError(err, this.opts.settings, what)
    }
    return this.batch(client, rows)
  }

  private batch(client: pg.PoolClient, rows: Row[]): SourceBatch {
    const ids = rows.map((r) => r.rid)
    const where = `${this.opts.schema}.${this.opts.table}`
    const records: StreamRecord[] = rows.map((r) => ({
      key: r.key,
      value: r.value,
      origin: `postgres:${where} id=${r.rid}`,
      headers: { 'rtds.upstream': r.origin },
    }))
    let settled = false
    let done!: () => void
    const tracker = new Promise<void>((resolve) => (done = resolve))
    this.inFlight.add(tracker)
    const finish = (broken: boolean): void => {
      client.release(broken)
      this.inFlight.delete(tracker)
      this.abandon.delete(tracker)
      done()
    }
    this.abandon.set(tracker, async () => {
      if (settled) return
      settled = true
      let broken = false
      await client.query('ROLLBACK').catch(() => (broken = true))
      finish(broken)
    })
    return {
      records,
      ack: async () => {
        if (settled) return
        settled = true
        try {
          await client.query(`UPDATE ${this.target} SET published_at = now() WHERE id = ANY($1::bigint[])`, [ids])
          await client.query('COMMIT')
          finish(false)
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {})
          finish(true)
          throw classifyPgError(err, this.opts.settings, `mark rows of ${where} published`)
        }
      },
      nack: async (error: Error) => {
        if (settled) return
        settled = true
        let broken = false
        await client.query('ROLLBACK').catch(() => (broken = true))
        finish(broken)
        if (this.opts.once) for (const id of ids) this.nacked.add(id)
        this.lastNackError = error
        await this.opts.pool
          .query(`UPDATE ${this.target} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [ids, error.message.slice(0, 2000)])
          .catch(() => {}) // bookkeeping only: the rows are unpublished either way
      },
    }
  }

  /**
   * Stops claiming and rolls back every batch still unsettled (its rows become claimable again),
   * so the pool can end. Idempotent.
   */
  async close(): Promise<void> {
    this.closed = true
    await Promise.all([...this.abandon.values()].map((rollback) => rollback()))
  }
}
