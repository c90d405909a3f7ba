/**
 * The engine's only door to storage. A `Backend` hands the engine the sources and sinks of the
 * pipeline's topics and tables; the engine never talks to Postgres, Kafka, the registry or
 * Cassandra itself. Two implementations exist:
 *
 * - `LiveBackend` (`runner/engine/live-backend.ts`): the real servers (Postgres outbox, Kafka with
 *   Avro through the registry, Cassandra, Kafka DLQ topics, `rtds.runs`).
 * - `MemoryBackend` (`connectors/memory/`): in-process, with the same semantics (partitions by key
 *   hash, offsets, consumer-group commits, outbox claim/ack, upserts by primary key, DLQ topics
 *   with headers) — the embedded `rtds run --embedded` and the engine's unit tests.
 *
 * The delivery contract is the one of `connectors/types.ts`, restated per member below:
 * a source moves its position ONLY inside `SourceBatch.ack()`, which the engine calls after every
 * record of the batch was written (the sink's `write` resolved) or dead-lettered (the DLQ `send`
 * resolved). With `parallelism > 1` (and with a bounded queue of several batches) the engine may
 * ack batches of one source OUT OF ORDER: a source with ordered positions (Kafka offsets) must
 * move its committed position only over the contiguous prefix of acked batches (per partition).
 * `nack()` hands a batch back: the source redelivers it later (or, in `once` mode, leaves it for
 * the next run); it never counts as done.
 *
 * Restarts: in streaming mode, when a source's `run` throws a retriable error (e.g. a
 * `ConnectionError` because the broker or database is down), the engine calls `run` AGAIN on the
 * same object after a backoff with jitter (batches emitted before the failure may still be in flight
 * and are acked or nacked as usual). A source must therefore support being run again after a failed
 * run (reconnect, resume from committed positions).
 */
import type { RecordFailure, DeadLetterSink, Sink, Source, StreamRecord } from '../../connectors/types.js'
import type { CassandraTableSpec, PostgresTableSpec, TopicSpec } from '../../dsl/spec.js'

export type { RecordFailure, DeadLetterSink, Sink, Source, StreamRecord }

/** Options of {@link Backend.topicSource}. */
export interface TopicSourceOptions {
  /** Consumer group; the engine passes `rtds.<pipeline>.<stage>`. Committed offsets are per group. */
  readonly group: string
  /** The consuming stage's name (logs, client ids). */
  readonly stage: string
  /**
   * `true` (`rtds run --once`): read from the group's committed offsets up to the end offsets seen
   * when `run` starts, then return from `run` once every emitted batch was settled (acked or
   * nacked). `false`: consume until the signal aborts.
   */
  readonly once: boolean
  /** Records per emitted batch at most (the stage's `batch.size`). */
  readonly batchSize: number
  /**
   * Called for a record whose value cannot be decoded (bad magic byte, unknown schema id, Avro
   * that does not match). `raw.value` is the undecoded value bytes (a `Buffer`, or null for a
   * tombstone); `raw.origin` is `kafka:<topic>/<partition>@<offset>`. The engine dead-letters it
   * and resolves; only then may the source count that offset as done (it is not part of any batch).
   * If the promise rejects the source must not move past that offset (treat it like a nack).
   */
  onUndecodable(raw: StreamRecord, error: Error): Promise<void>
}

/** Options of {@link Backend.stagingSource}. */
export interface StagingSourceOptions {
  /** `true`: return from `run` when no unpublished row is left and every claimed batch was settled. */
  readonly once: boolean
  /** Rows claimed per batch (the stage's `batch.size`). */
  readonly batchSize: number
}

/** One scheduled (or `--once`) run of a pipeline source. */
export interface RunStart {
  readonly pipeline: string
  readonly source: string
  /** `schedule`, `once` or `manual`. */
  readonly trigger: string
}

/** The outcome of a run. */
export interface RunOutcome {
  readonly status: 'succeeded' | 'failed' | 'cancelled'
  /** Records the run's pulls produced (emitted to the stage). */
  readonly records: number
  /** Of those, how many were dead-lettered. */
  readonly deadLettered: number
  readonly error?: string
}

/**
 * Records runs (Postgres `rtds.runs` in live mode; a list in memory). Structurally the same as
 * `PostgresRunHistory`'s `start`/`finish`.
 */
export interface RunHistory {
  /** Records the start of a run and returns its id. */
  start(run: RunStart): Promise<number>
  /** Records the outcome of run `id`. */
  finish(id: number, outcome: RunOutcome): Promise<void>
}

/**
 * Storage for one pipeline of one `rtds run` (the DLQ `rtds.pipeline` header names that pipeline);
 * see the module comment for the delivery contract.
 */
export interface Backend {
  /** `live`: the real servers. `embedded`: in-process (no services, no network). */
  readonly mode: 'live' | 'embedded'

  /**
   * A sink writing to `topic`: the value is encoded with the topic's value schema (Avro or JSON
   * Schema, Confluent wire format in live mode), the Kafka key is `record.key`, `record.headers`
   * become Kafka headers. `write` resolves after the broker acknowledged every record (acks=all,
   * idempotent producer). A value that does not fit the schema is returned as a `RecordFailure`
   * (the engine dead-letters it); an unreachable broker rejects with a retriable `ConnectionError`
   * and the engine retries the whole `write` (harmless: keys are deterministic).
   * The engine may call `write` concurrently from several workers.
   */
  topicSink(topic: TopicSpec): Sink

  /**
   * A source reading `topic` in consumer group `opts.group` (several processes with the same group
   * share the partitions). Emits batches of decoded records (`origin` = `kafka:<topic>/<p>@<offset>`,
   * `key` = the Kafka key as a string, `headers` = the Kafka headers). The group's offsets are
   * committed only in `ack()` and only over the contiguous prefix of settled work per partition
   * (acked batches and undecodable records already dead-lettered). A nacked batch is redelivered
   * (seek back) after a pause. `run` awaits `emit`, which is how back-pressure pauses consumption.
   */
  topicSource(topic: TopicSpec, opts: TopicSourceOptions): Source

  /**
   * A sink inserting into a Postgres staging (outbox) table: one transaction per `write` with
   * (key, value jsonb, origin); `write` resolves after COMMIT (the HTTP API's 202 waits for it).
   * An unstorable value (e.g. `\u0000`) is returned as a `RecordFailure`; a database that is down
   * rejects with a retriable `ConnectionError`.
   */
  stagingSink(table: PostgresTableSpec): Sink

  /**
   * The outbox relay's source: claims unpublished rows (`FOR UPDATE SKIP LOCKED`, oldest first,
   * `batchSize` per batch) and holds them while in flight. `ack()` marks exactly those rows
   * published (the position moves); `nack()` releases them unpublished. Records carry the row's
   * key and value; `origin` = `postgres:<schema>.<table> id=<n>`.
   */
  stagingSource(table: PostgresTableSpec, opts: StagingSourceOptions): Source

  /**
   * A sink upserting rows into a Cassandra table (prepared INSERT, bounded concurrency); `write`
   * resolves after every row was acknowledged. `record.value` is the row (column → value); a row
   * the table cannot take (missing primary key, wrong type) is a `RecordFailure`; an unreachable
   * cluster rejects with a retriable `ConnectionError`.
   */
  tableSink(table: CassandraTableSpec): Sink

  /**
   * Where failed records go: `send(dlqTopic, record, {stage, error})` writes the record (value as
   * JSON, or the raw bytes when `record.value` is a `Buffer`; key kept) to topic `dlqTopic` with
   * the `DLQ_HEADERS` of `connectors/types.ts` (stage, error message, reason = `RecordError.reason`
   * or `sink`, origin, pipeline, at). Resolves after the write was acknowledged; rejects with a
   * retriable `ConnectionError` when the broker is down (the engine retries; the source batch
   * stays unacked meanwhile). One instance per backend; the engine does not close it.
   */
  deadLetters(): DeadLetterSink

  /** Run history (`rtds.runs` in live mode). One instance per backend. */
  runHistory(): RunHistory

  /** Closes every client the backend opened (sinks and sources are closed by the engine first). Idempotent. */
  close(): Promise<void>
}
