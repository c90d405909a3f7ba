/**
 * An in-process Cassandra-like table: rows keyed by their primary key, written by upsert (a
 * replayed row replaces the stored one, as an INSERT does in Cassandra).
 */
import type { CassandraTableSpec } from '../cassandra/spec.js'
import { RecordError } from '../../core/errors.js'
import type { RecordFailure, Sink } from '../../core/stream.js'
import type { FaultHook } from './memory-faults.js'

/** See the module comment. */
export class MemoryTable {
  /** Primary key (JSON of the key columns' values) → row. Insertion order is kept. */
  readonly rows = new Map<string, Readonly<Record<string, unknown>>>()
  /** Upserts performed (including replays). */
  writes = 0
  constructor(readonly spec: CassandraTableSpec) {}

  private keyOf(row: Record<string, unknown>): string | RecordError {
    const cols = [...this.spec.cassandra.primaryKey, ...this.spec.cassandra.clusteringKey]
    const missing = cols.filter((c) => row[c] === undefined || row[c] === null)
    if (missing.length) return new RecordError('validation', `primary key column(s) missing: ${missing.join(', ')}`)
    return JSON.stringify(cols.map((c) => row[c]))
  }

  sink(faults?: FaultHook): Sink {
    return {
      name: this.spec.name,
      write: async (records) => {
        const failures: RecordFailure[] = []
        const ok: [string, Record<string, unknown>][] = []
        for (const record of records) {
          const row = record.value
          if (row === null || typeof row !== 'object' || Array.isArray(row)) {
            failures.push({ record, error: new RecordError('validation', 'a table row must be an object') })
            continue
          }
          const key = this.keyOf(row as Record<string, unknown>)
          if (key instanceof RecordError) failures.push({ record, error: key })
          else ok.push([key, structuredClone(row as Record<string, unknown>)])
        }
        if (ok.length) await faults?.({ kind: 'table', name: this.spec.name, records: ok.length })
        for (const [key, row] of ok) {
          this.rows.set(key, row)
          this.writes++
        }
        return failures
      },
      close: async () => {},
    }
  }
}
