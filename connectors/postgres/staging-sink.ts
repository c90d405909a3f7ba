/**
 * The staging sink: writes a batch of records into a Postgres staging (outbox) table in ONE
 * transaction, as multi-row INSERTs with bound parameters (key, value jsonb, origin). `write`
 * resolves after COMMIT, which is what lets the HTTP API answer 202 only for durable records.
 */
import type pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { RecordError } from '../../core/errors.js'
import type { RecordFailure, Sink, StreamRecord } from '../../core/stream.js'
import { pgQualified } from './ddl.js'
import { withTransaction } from './client.js'

/** Rows per INSERT statement (3 parameters each, far below Postgres' 65535-parameter limit). */
const ROWS_PER_STATEMENT = 500

export interface PostgresStagingSinkOptions {
  /** Sink name (the table's name in the pipeline). */
  readonly name: string
  readonly pool: pg.Pool
  readonly settings: Pick<ConnectionSettings, 'databaseUrl'>
  /** Postgres schema and table of the staging table (validated and quoted). */
  readonly schema: string
  readonly table: string
}

/**
 * Serialises a record value for a jsonb column, or explains why it cannot be stored. Postgres
 * jsonb rejects `\u0000`, so such a value is a per-record failure rather than a failed batch.
 */
export function toJsonb(value: unknown): string | RecordError {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    return new RecordError('encode', `value cannot be serialised as JSON: ${(err as Error).message}`, { cause: err })
  }
  if (text === undefined) return new RecordError('encode', 'value is undefined or not JSON data')
  if (text.includes('\\u0000')) return new RecordError('encode', 'value contains a NUL character (\\u0000), which Postgres jsonb cannot store')
  return text
}

/** Postgres staging (outbox) table as a sink; see the module comment. */
export class PostgresStagingSink implements Sink {
  readonly name: string
  private readonly target: string
  constructor(private readonly opts: PostgresStagingSinkOptions) {
    this.name = opts.name
    this.target = pgQualified(opts.schema, opts.table)
  }

  /** Inserts every storable record in one transaction; resolves after COMMIT with the unstorable ones. */
  async write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]> {
    const failures: RecordFailure[] = []
    const rows: [string | null, string, string][] = []
    for (const record of records) {
      const json = toJsonb(record.value)
      if (json instanceof RecordError) failures.push({ record, error: json })
      else rows.push([record.key, json, record.origin])
    }
    if (rows.length === 0) return failures
    await withTransaction(this.opts.pool, this.opts.settings, `insert into staging table ${this.opts.schema}.${this.opts.table}`, async (client) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT)
        const params: (string | null)[] = []
        const tuples = chunk.map((row, j) => {
          params.push(...row)
          return `($${j * 3 + 1}, $${j * 3 + 2}::jsonb, $${j * 3 + 3})`
        })
        await client.query(`INSERT INTO ${this.target} (key, value, origin) VALUES ${tuples.join(', ')}`, params)
      }
    })
    return failures
  }

  /** The pool is owned by the backend, which ends it. */
  async close(): Promise<void> {}
}
