import { RecordError } from '../../core/errors.js'
import type { Backend, DeadLetterSink, RecordFailure, Sink, StreamRecord } from '../../connectors/backend.js'

/** One record a sink durably wrote (failures excluded), in write order. */
export interface WrittenRecord {
  readonly key: string | null
  readonly value: unknown
}

/** One dead letter as `rtds test` compares it: the DLQ headers that are deterministic, plus the record. */
export interface DeadLetterView {
  readonly stage: string
  readonly reason: string
  readonly error: string
  readonly key: string | null
  readonly value: unknown
}

/**
 * What a run wrote, by destination, recorded as the engine wrote it through the backend: topic
 * records, staging rows and table rows (only those the sink accepted), and dead letters by DLQ topic.
 */
export interface Recording {
  readonly topics: Map<string, WrittenRecord[]>
  readonly tables: Map<string, WrittenRecord[]>
  readonly deadLetters: Map<string, DeadLetterView[]>
}

const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}

function recordingSink(inner: Sink, into: WrittenRecord[]): Sink {
  return {
    name: inner.name,
    async write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]> {
      const failures = await inner.write(records)
      const failed = new Set(failures.map((f) => f.record))
      for (const r of records) if (!failed.has(r)) into.push({ key: r.key, value: r.value })
      return failures
    },
    close: () => inner.close(),
  }
}

/**
 * Wraps a backend (the in-process `MemoryBackend` in `rtds test`) so that every accepted write and
 * every dead letter is also recorded, in order, for the expectations of a test case. Reads, sources,
 * semantics and the delivery contract are the inner backend's, untouched: the engine cannot tell.
 */
export function recordingBackend(inner: Backend): { backend: Backend; recording: Recording } {
  const recording: Recording = { topics: new Map(), tables: new Map(), deadLetters: new Map() }
  const list = (m: Map<string, WrittenRecord[]>, k: string): WrittenRecord[] => {
    if (!m.has(k)) m.set(k, [])
    return m.get(k)!
  }
  let dlq: DeadLetterSink | undefined
  const backend: Backend = {
    mode: inner.mode,
    runtime: (kind) => {
      const r = inner.runtime(kind)
      const sink = r.sink
      if (!sink) return r
      // a topic is written to `recording.topics`, a table (any connector) to `recording.tables`
      return { ...r, sink: (entity) => recordingSink(sink(entity), list('kind' in entity ? recording.tables : recording.topics, entity.name)) }
    },
    deadLetters: () => {
      if (dlq) return dlq
      const innerDlq = inner.deadLetters()
      dlq = {
        async send(dlqTopic, record, info) {
          await innerDlq.send(dlqTopic, record, info)
          const reason = info.error instanceof RecordError ? info.error.reason : 'sink'
          push(recording.deadLetters, dlqTopic, { stage: info.stage, reason, error: info.error.message, key: record.key, value: record.value })
        },
        close: () => innerDlq.close(),
      }
      return dlq
    },
    runHistory: () => inner.runHistory(),
    close: () => inner.close(),
  }
  return { backend, recording }
}
