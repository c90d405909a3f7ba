/**
 * The Cassandra table sink: one prepared `INSERT` (an upsert by primary key) per record, with
 * bounded concurrency (default 32 in flight), identifiers validated and quoted, values converted
 * to the column types (`toCql`) and bound. `write` resolves after every write was acknowledged
 * (consistency LOCAL_QUORUM). A record whose value cannot be converted, or that lacks a primary
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
  /** Writes in flight at most, default 32. */
  readonly concurrency?: number
}

/** A Cassandra table as a sink; see the module comment. */
export class CassandraTableSink implements Sink {
  readonly name: string
  private readonly cql: string
  private readonly names: string[]
  constructor(private readonly opts: CassandraTableSinkOptions) {
    this.name = opts.name
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

  async write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]> {
    const failures: RecordFailure[] = []
    let fatal: RtdsError | undefined
    let next = 0
    const options = { prepare: true, consistency: cassandra.types.consistencies.localQuorum }
    const worker = async (): Promise<void> => {
      while (next < records.length && !fatal) {
        const record = records[next++]
        let params: unknown[]
        try {
          params = this.params(record.value)
        } catch (err) {
          failures.push({ record, error: err as Error })
          continue
        }
        try {
          await this.opts.client.execute(this.cql, params, options)
        } catch (err) {
          const e = classifyCassandraError(err, this.opts.settings, `upsert into ${this.opts.keyspace}.${this.opts.table}`)
          if (e instanceof RecordError) failures.push({ record, error: e })
          else fatal ??= e
        }
      }
    }
    const n = Math.max(1, Math.min(this.opts.concurrency ?? 32, records.length))
    await Promise.all(Array.from({ length: n }, worker))
    if (fatal) throw fatal
    return failures
  }

  /** The client is owned by the backend, which shuts it down. */
  async close(): Promise<void> {}
}
