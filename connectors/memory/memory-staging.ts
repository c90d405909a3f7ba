/**
 * An in-process staging (outbox) table: rows `(id, key, value, origin, published)`. The sink
 * inserts a batch atomically (all rows become visible together, after the fault hook, i.e. after
 * the "commit"); the source claims unpublished, unlocked rows oldest first and holds them locked
 * until ack (published) or nack (unlocked again) — the semantics of the Postgres outbox.
 */
import { sleep } from '../../core/retry.js'
import type { PostgresTableSpec } from '../postgres/spec.js'
import { toJsonb } from '../postgres/jsonb.js'
import type { StagingSourceOptions } from '../backend.js'
import { ConnectionError, RecordError } from '../../core/errors.js'
import type { RecordFailure, Sink, Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { FaultHook } from './memory-faults.js'

/** One staged row. */
export interface StagingRow {
  readonly id: number
  readonly key: string | null
  readonly value: unknown
  readonly origin: string
  published: boolean
  locked: boolean
  attempts: number
}

/** See the module comment. */
export class MemoryStagingTable {
  readonly rows: StagingRow[] = []
  private nextId = 1
  constructor(readonly spec: PostgresTableSpec) {}

  /** Unpublished rows (published or not yet claimed). */
  unpublished(): StagingRow[] {
    return this.rows.filter((r) => !r.published)
  }

  sink(faults?: FaultHook): Sink {
    return {
      name: this.spec.name,
      write: async (records) => {
        const failures: RecordFailure[] = []
        const ok: { record: StreamRecord; json: string }[] = []
        for (const record of records) {
          const json = toJsonb(record.value)
          if (json instanceof RecordError) failures.push({ record, error: json })
          else ok.push({ record, json })
        }
        if (ok.length === 0) return failures
        await faults?.({ kind: 'staging', name: this.spec.name, records: ok.length })
        for (const { record, json } of ok)
          this.rows.push({ id: this.nextId++, key: record.key, value: JSON.parse(json), origin: record.origin, published: false, locked: false, attempts: 0 })
        return failures
      },
      close: async () => {},
    }
  }

  source(opts: StagingSourceOptions): Source {
    const table = this
    const where = `${this.spec.postgres.schema}.${this.spec.postgres.table}`
    const inFlight = new Set<Promise<void>>()
    const nackedIds = new Set<number>()
    let lastNack: Error | undefined
    let closed = false
    return {
      name: this.spec.name,
      async run(emit, signal) {
        while (!signal.aborted && !closed) {
          const claim = table.rows.filter((r) => !r.published && !r.locked && !(opts.once && nackedIds.has(r.id))).slice(0, opts.batchSize)
          if (claim.length === 0) {
            if (opts.once) {
              if (inFlight.size === 0) break
              await Promise.race(inFlight)
            } else await sleep(50, signal)
            continue
          }
          for (const r of claim) r.locked = true
          await emit(batch(claim))
        }
        while (inFlight.size > 0) await Promise.race(inFlight)
        if (opts.once && nackedIds.size > 0 && !signal.aborted)
          throw new ConnectionError(`${nackedIds.size} staged row(s) of ${where} could not be published: ${lastNack?.message ?? 'nacked'}`, {
            cause: lastNack,
            hint: 'they stay in the outbox and are published by the next run',
          })
      },
      async close() {
        closed = true
      },
    }
    function batch(rows: StagingRow[]): SourceBatch {
      let done!: () => void
      const tracker = new Promise<void>((r) => (done = r))
      inFlight.add(tracker)
      let settled = false
      const finish = (): void => {
        settled = true
        inFlight.delete(tracker)
        done()
      }
      return {
        records: rows.map((r) => ({ key: r.key, value: structuredClone(r.value), origin: `postgres:${where} id=${r.id}`, headers: { 'rtds.upstream': r.origin } })),
        async ack() {
          if (settled) return
          for (const r of rows) (r.published = true), (r.locked = false)
          finish()
        },
        async nack(error) {
          if (settled) return
          lastNack = error
          for (const r of rows) {
            r.locked = false
            r.attempts++
            if (opts.once) nackedIds.add(r.id)
          }
          finish()
        },
      }
    }
  }
}
