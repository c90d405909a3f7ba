/**
 * The Cassandra table sink: one prepared `INSERT` (an upsert by primary key) per record, through a
 * sliding window of at most `concurrency` writes in flight (default {@link DEFAULT_CASSANDRA_CONCURRENCY})
 * shared by every `write` call of the sink: a write that is acknowledged lets the next queued one
 * start at once, whichever call it belongs to, so concurrent calls (the stage keeps several groups
 * in flight, see `window`) keep the window full — there is no barrier per batch. Identifiers are
 * validated and quoted, values converted to the column types (`toCql`) and bound. Each `write`
 * resolves after every write of ITS records was acknowledged (consistency LOCAL_QUORUM). A record whose value cannot be converted, or that lacks a primary
 * key column, is a per-record failure; an unavailable cluster rejects the whole `write` with a
 * retriable `ConnectionError` (rewriting the records is harmless: upserts). Fields of the value
 * that are not columns of the table are ignored; columns the value lacks are left unset.
 */
import cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../../core/settings.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import type { RecordFailure, Sink, StreamRecord } from '../../core/stream.js'
import { classifyCassandraError, cqlIdent } from './client.js'
import { toCql } from './value-convert.js'

export interface CassandraTableSinkOptions {
  readonly name: string
  readonly client: cassandra.Client
  readonly keyspace: string
  readonly table: string
  /** Column → CQL type, in order (the spec's `cassandra.columns`). */
  readonly columns: Readonly<Record<string, string>>
  /** Partition key columns followed by clustering columns: required in every row. */
  readonly keyColumns: readonly string[]
  readonly settings: Pick<ConnectionSettings, 'cassandraContactPoints'>
  /** Writes in flight at most (the window), default {@link DEFAULT_CASSANDRA_CONCURRENCY}. */
  readonly concurrency?: number
}

/**
 * Default window of a Cassandra sink. Measured with `npm run bench` on the 2-core box (three runs,
 * raw driver, rows/s at 64/128/256/512/1024 in flight): 9.2k/10.3k/13.9k/10.5k/16.3k,
 * 7.2k/10.4k/13.8k/17.8k/15.0k, 1.5k/3.6k/7.2k/6.0k/7.8k: steep up to 256, a noisy plateau beyond;
 * 512 is the middle of the plateau (the consumer stage measured 5.7k rows/s at 1024 vs 4.6k at 256).
 */
export const DEFAULT_CASSANDRA_CONCURRENCY = 512

/** A counting semaphore with FIFO waiters. */
class Window {
  private used = 0
  private readonly waiters: (() => void)[] = []
  constructor(readonly size: number) {}
  get inFlight(): number {
    return this.used
  }
  acquire(): Promise<void> | undefined {
    if (this.used < this.size) {
      this.used++
      return undefined
    }
    return new Promise<void>((r) => this.waiters.push(r))
  }
  release(): void {
    const next = this.waiters.shift()
    if (next) next() // the slot passes straight to the next waiter
    else this.used--
  }
}

/** A Cassandra table as a sink; see the module comment. */
export class CassandraTableSink implements Sink {
  readonly name: string
  /** Records worth keeping in flight towards this sink (its window): the stage dispatches groups up to it. */
  readonly window: number
  private readonly cql: string
  private readonly names: string[]
  private readonly slots: Window
  constructor(private readonly opts: CassandraTableSinkOptions) {
    this.name = opts.name
    this.window = Math.max(1, opts.concurrency ?? DEFAULT_CASSANDRA_CONCURRENCY)
    this.slots = new Window(this.window)
    this.names = Object.keys(opts.columns)
    if (this.names.length === 0) throw new RtdsError(`table ${opts.keyspace}.${opts.table} declares no columns`, { hint: 'declare `columns` or a row `schema` for the table' })
    for (const k of opts.keyColumns) if (!(k in opts.columns)) throw new RtdsError(`key column ${k} is not a column of ${opts.keyspace}.${opts.table}`)
    const cols = this.names.map(cqlIdent)
    this.cql = `INSERT INTO ${cqlIdent(opts.keyspace)}.${cqlIdent(opts.table)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`
  }

  /** The bound parameters of one row, or a `RecordError` saying why the row cannot be written. */
  params(value: unknown): unknown[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RecordError('conversion', `a row must be an object of column values, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`)
    }
    const row = value as Record<string, unknown>
    for (const k of this.opts.keyColumns) {
      if (row[k] === undefined || row[k] === null) throw new RecordError('conversion', `primary key column ${k} is missing`)
    }
    return this.names.map((c) => toCql(c, this.opts.columns[c], row[c]))
  }

  /** Writes in flight right now (all calls together). */
  get inFlight(): number {
    return this.slots.inFlight
  }

  async write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]> {
    const failures: RecordFailure[] = []
    let fatal: RtdsError | undefined
    const options = { prepare: true, consistency: cassandra.types.consistencies.localQuorum }
    const one = async (record: StreamRecord): Promise<void> => {
      let params: unknown[]
      try {
        params = this.params(record.value)
      } catch (err) {
        failures.push({ record, error: err as Error })
        return
      }
      const wait = this.slots.acquire()
      if (wait) await wait
      try {
        if (fatal) return // the cluster is unavailable: the whole write is retried
        await this.opts.client.execute(this.cql, params, options)
      } catch (err) {
        const e = classifyCassandraError(err, this.opts.settings, `upsert into ${this.opts.keyspace}.${this.opts.table}`)
        if (e instanceof RecordError) failures.push({ record, error: e })
        else fatal ??= e
      } finally {
        this.slots.release()
      }
    }
    await Promise.all(records.map(one))
    if (fatal) throw fatal
    return failures
  }

  /** The client is owned by the backend, which shuts it down. */
  async close(): Promise<void> {}
}
