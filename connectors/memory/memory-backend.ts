/**
 * The embedded backend (`rtds run --embedded`, engine unit tests): in-process topics with Kafka
 * semantics, staging outbox tables, Cassandra-like tables and DLQ topics with headers, created on
 * first use from the pipeline spec. No services, no network. Everything is kept in memory for the
 * life of the process; `snapshot()` shows what was stored.
 */
import type { TopicSpec } from '../../dsl/spec.js'
import type { CassandraTableSpec } from '../cassandra/spec.js'
import type { PostgresTableSpec } from '../postgres/spec.js'
import type { Backend, RunHistory, RunOutcome, RunStart, TopicSourceOptions, StagingSourceOptions } from '../backend.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { DLQ_HEADERS, type DeadLetterSink, type RecordFailure, type Sink, type Source, type StreamRecord } from '../../core/stream.js'
import { runtimes, type ConnectorRegistry, type ConnectorRuntime } from '../connector.js'
import { CONNECTORS } from '../index.js'
import type { FaultHook } from './memory-faults.js'
import { MemoryStagingTable } from './memory-staging.js'
import { MemoryTable } from './memory-table.js'
import { MemoryTopicSource } from './memory-topic-source.js'
import { MemoryTopic } from './memory-topic.js'

/** One dead-lettered record as stored in a memory DLQ topic. */
export interface DeadLetter {
  readonly key: string | null
  /** The record's value (raw bytes for an undecodable record). */
  readonly value: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** One recorded run. */
export interface MemoryRun extends RunStart {
  readonly id: number
  readonly startedAt: Date
  finishedAt?: Date
  outcome?: RunOutcome
}

export interface MemoryBackendOptions {
  /** Pipeline name written in the `rtds.pipeline` DLQ header. */
  readonly pipeline: string
  /** Fault injection for tests (delays, failures) run before every sink write. */
  readonly faults?: FaultHook
  /** The connectors (default: rtds' registry). */
  readonly connectors?: ConnectorRegistry
}

/** See the module comment. */
export class MemoryBackend implements Backend {
  readonly mode = 'embedded' as const
  readonly topics = new Map<string, MemoryTopic>()
  readonly staging = new Map<string, MemoryStagingTable>()
  readonly tables = new Map<string, MemoryTable>()
  readonly dlq = new Map<string, DeadLetter[]>()
  readonly runs: MemoryRun[] = []
  /** The embedded twin of connector `kind` (its `embedded()`), made once. */
  readonly runtime: (kind: string) => ConnectorRuntime
  constructor(readonly opts: MemoryBackendOptions) {
    this.runtime = runtimes(opts.connectors ?? CONNECTORS, 'embedded', this)
  }

  /** The memory topic of `spec` (created on first use). */
  topic(spec: TopicSpec): MemoryTopic {
    let t = this.topics.get(spec.name)
    if (!t) this.topics.set(spec.name, (t = new MemoryTopic(spec)))
    return t
  }

  stagingTable(spec: PostgresTableSpec): MemoryStagingTable {
    let t = this.staging.get(spec.name)
    if (!t) this.staging.set(spec.name, (t = new MemoryStagingTable(spec)))
    return t
  }

  table(spec: CassandraTableSpec): MemoryTable {
    let t = this.tables.get(spec.name)
    if (!t) this.tables.set(spec.name, (t = new MemoryTable(spec)))
    return t
  }

  topicSink(spec: TopicSpec): Sink {
    const topic = this.topic(spec)
    return {
      name: spec.name,
      write: async (records) => {
        const failures: RecordFailure[] = []
        const encoded: [StreamRecord, Buffer][] = []
        for (const record of records) {
          try {
            encoded.push([record, topic.codec.encode(record.value)])
          } catch (err) {
            failures.push({ record, error: err instanceof RtdsError ? err : new RecordError('validation', (err as Error).message, { cause: err }) })
          }
        }
        if (encoded.length) await this.opts.faults?.({ kind: 'topic', name: spec.name, records: encoded.length })
        for (const [record, bytes] of encoded) topic.append(record.key, bytes, record.headers ?? {})
        return failures
      },
      close: async () => {},
    }
  }

  topicSource(spec: TopicSpec, opts: TopicSourceOptions & { readonly upstreamDone?: Promise<void> }): Source {
    return afterUpstream(new MemoryTopicSource(this.topic(spec), opts), opts)
  }

  stagingSink(spec: PostgresTableSpec): Sink {
    return this.stagingTable(spec).sink(this.opts.faults)
  }

  stagingSource(spec: PostgresTableSpec, opts: StagingSourceOptions & { readonly upstreamDone?: Promise<void> }): Source {
    return afterUpstream(this.stagingTable(spec).source(opts), opts)
  }

  tableSink(spec: CassandraTableSpec): Sink {
    return this.table(spec).sink(this.opts.faults)
  }

  deadLetters(): DeadLetterSink {
    return {
      send: async (dlqTopic, record, info) => {
        await this.opts.faults?.({ kind: 'dlq', name: dlqTopic, records: 1 })
        const error = info.error
        const headers: Record<string, string> = {
          ...(record.headers ?? {}),
          [DLQ_HEADERS.stage]: info.stage,
          [DLQ_HEADERS.error]: error.message,
          [DLQ_HEADERS.reason]: error instanceof RecordError ? error.reason : 'sink',
          [DLQ_HEADERS.origin]: record.origin,
          [DLQ_HEADERS.pipeline]: this.opts.pipeline,
          [DLQ_HEADERS.at]: new Date().toISOString(),
        }
        const value = Buffer.isBuffer(record.value) ? Buffer.from(record.value) : structuredClone(record.value)
        let list = this.dlq.get(dlqTopic)
        if (!list) this.dlq.set(dlqTopic, (list = []))
        list.push({ key: record.key, value, headers })
      },
      close: async () => {},
    }
  }

  runHistory(): RunHistory {
    return {
      start: async (run) => {
        const id = this.runs.length + 1
        this.runs.push({ ...run, id, startedAt: new Date() })
        return id
      },
      finish: async (id, outcome) => {
        const run = this.runs[id - 1]
        if (run) (run.finishedAt = new Date()), (run.outcome = outcome)
      },
    }
  }

  /** What is stored: rows per table, messages per topic, dead letters per DLQ topic, staged rows. */
  snapshot(): {
    tables: Record<string, Readonly<Record<string, unknown>>[]>
    topics: Record<string, number>
    staging: Record<string, { rows: number; unpublished: number }>
    dlq: Record<string, number>
  } {
    return {
      tables: Object.fromEntries([...this.tables].map(([n, t]) => [n, [...t.rows.values()]])),
      topics: Object.fromEntries([...this.topics].map(([n, t]) => [n, t.endOffsets().reduce((a, b) => a + b, 0)])),
      staging: Object.fromEntries([...this.staging].map(([n, t]) => [n, { rows: t.rows.length, unpublished: t.unpublished().length }])),
      dlq: Object.fromEntries([...this.dlq].map(([n, l]) => [n, l.length])),
    }
  }

  async close(): Promise<void> {}
}

/** The embedded readers read what is there at start: in `--once` they start when their upstream ended. */
function afterUpstream(source: Source, opts: { readonly once: boolean; readonly upstreamDone?: Promise<void> }): Source {
  const upstream = opts.upstreamDone
  if (!opts.once || !upstream) return source
  return {
    name: source.name,
    run: async (emit, signal) => {
      await Promise.race([upstream, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))])
      if (!signal.aborted) await source.run(emit, signal)
    },
    close: () => source.close(),
  }
}
