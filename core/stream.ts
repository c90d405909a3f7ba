/**
 * The contracts between the engine (`runner/engine/`) and the connectors. Every system — real
 * (Postgres, Kafka + registry, Cassandra, HTTP) or embedded (in-process, `connectors/memory/`) —
 * is driven through these few interfaces, so one engine runs `rtds run`, `rtds run --embedded`
 * and `rtds test`.
 *
 * Delivery contract (DESIGN §5): a source hands the engine a batch and keeps it "in flight" until
 * `ack()`; the engine calls `ack()` only after every record of the batch was durably written to
 * every sink of the stage or dead-lettered. A source therefore moves its position (Kafka offset,
 * outbox `published_at`, HTTP 202) only in `ack()`. `nack()` means "not done, give it back later"
 * (the source re-delivers it or, for a request/response source, answers with an error).
 */

/** One record moving through a pipeline. */
export interface StreamRecord {
  /** Deterministic key (Kafka key, staging key, row id), or null when the topic declares none. */
  readonly key: string | null
  /** The decoded value (plain JSON data). */
  readonly value: unknown
  /**
   * Where the record came from, for dead-letter headers and logs, e.g.
   * `http:randomuser page=3 index=4`, `http_server:api request=17 index=0`, `kafka:users_created/2@1532`,
   * `postgres:rtds.staging_users id=88`.
   */
  readonly origin: string
  /** Optional headers carried along (Kafka headers in and out). */
  readonly headers?: Readonly<Record<string, string>>
}

/** A batch delivered by a source; see the delivery contract above. */
export interface SourceBatch {
  readonly records: readonly StreamRecord[]
  /** Bytes of the records' values as the source received them, when it knows (metrics; else estimated). */
  readonly bytes?: number
  /** Every record is durable downstream (written or dead-lettered): move the source's position. */
  ack(): Promise<void>
  /** The batch could not be completed (a sink is down past its retries, shutdown before the write). */
  nack(error: Error): Promise<void>
}

/** A source of records: an HTTP pull, the HTTP ingestion API, a generator, a staging outbox, a topic. */
export interface Source {
  readonly name: string
  /**
   * Produces batches until `signal` aborts or, for a finite source (a pull in `--once` mode, a
   * drained outbox in `--once` mode), until it is exhausted. Awaits `emit` for each batch, which is
   * how back-pressure reaches the source. Must not throw for one bad record (that is the engine's
   * dead-letter path); throws only when the source itself cannot continue.
   */
  run(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void>
  /** Releases connections. Idempotent. */
  close(): Promise<void>
}

/** A failure of one record inside a sink write: the engine dead-letters it, the rest of the batch stands. */
export interface RecordFailure {
  readonly record: StreamRecord
  readonly error: Error
}

/** A destination: a staging table, a topic, a Cassandra table, stdout, memory. */
export interface Sink {
  readonly name: string
  /**
   * Writes the records durably and resolves only after the server acknowledged them (Postgres
   * COMMIT, Kafka acks=all, Cassandra write ack). Records that can never be written (a value that
   * does not fit the schema or the columns) are returned as failures; a server that is unavailable
   * makes the promise reject with a retriable `ConnectionError` (the engine retries with backoff).
   */
  write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]>
  /**
   * Records the sink can usefully have in flight across concurrent `write` calls (a sink with a
   * shared window of in-flight writes, e.g. Cassandra). When set, the stage keeps dispatching groups
   * while fewer records than that are being written, instead of waiting for each group (no barrier
   * per batch); acks still happen per group and the source commits only the low watermark.
   */
  readonly window?: number
  /** Subscribes to the sink's commits (a group-committing sink reports each transaction: size and latency). */
  observe?(listener: (fact: SinkCommitFact) => void): void
  close(): Promise<void>
}

/** One commit of a group-committing sink. */
export interface SinkCommitFact {
  readonly records: number
  readonly bytes: number
  /** How long the commit took. */
  readonly ms: number
  /** Writes (stage groups) that joined it. */
  readonly writes: number
}

/** Where failed records go: `<topic>.dlq` (the topic the record came from or was heading to). */
export interface DeadLetterSink {
  send(
    dlqTopic: string,
    record: StreamRecord,
    info: { readonly stage: string; readonly error: Error },
  ): Promise<void>
  close(): Promise<void>
}

/** Header names written on every dead-lettered record. */
export const DLQ_HEADERS = {
  stage: 'rtds.stage',
  error: 'rtds.error',
  reason: 'rtds.reason',
  origin: 'rtds.origin',
  pipeline: 'rtds.pipeline',
  at: 'rtds.at',
  /** How many times the record was replayed from the dead-letter topic (`rtds dlq replay`) before failing again. */
  replays: 'rtds.replays',
} as const

/** The dead-letter topic of `topic` (`<topic>.dlq`): the one place that name is made. */
export function dlqTopicName(topic: string): string {
  return `${topic}.dlq`
}
