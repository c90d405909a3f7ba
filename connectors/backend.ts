/**
 * The engine's only door to storage. A `Backend` hands the engine the sources and sinks of the
 * pipeline's topics and tables; the engine never talks to Postgres, Kafka, the registry or
 * Cassandra itself. Two implementations exist:
 *
 * - `LiveBackend` (`connectors/live-backend.ts`): the real servers (Postgres outbox, Kafka with
 *   Avro through the registry, Cassandra, Kafka DLQ topics, `rtds.runs`).
 * - `MemoryBackend` (`connectors/memory/`): in-process, with the same semantics (partitions by key
 *   hash, offsets, consumer-group commits, outbox claim/ack, upserts by primary key, DLQ topics
 *   with headers) — the embedded `rtds run --embedded` and the engine's unit tests.
 *
 * The delivery contract is the one of `core/stream.ts`:
 * a source moves its position ONLY inside `SourceBatch.ack()`, which the engine calls after every
 * record of the batch was written (the sink's `write` resolved) or dead-lettered (the DLQ `send`
 * resolved). With `parallelism > 1` (and with a bounded queue of several batches) the engine may
 * ack batches of one source OUT OF ORDER: a source with ordered positions (Kafka offsets) must
 * move its committed position only over the contiguous prefix of acked batches (per partition).
 * `nack()` hands a batch back: the source redelivers it later (or, in `once` mode, leaves it for
 * the next run); it never counts as done.
 *
 * Restarts: in streaming mode (and in every mode before it emitted anything), when a source's `run` throws a retriable error (e.g. a
 * `ConnectionError` because the broker or database is down), the engine calls `run` AGAIN on the
 * same object after a backoff with jitter (batches emitted before the failure may still be in flight
 * and are acked or nacked as usual). A source must therefore support being run again after a failed
 * run (reconnect, resume from committed positions).
 */
import type { RecordFailure, DeadLetterSink, Sink, Source, StreamRecord } from '../core/stream.js'
import type { ConnectorRuntime, ReadOptions } from './connector.js'

export type { RecordFailure, DeadLetterSink, Sink, Source, StreamRecord }

/** How the embedded twins read a topic (`ReadOptions` of connectors/connector.ts). */
export type TopicSourceOptions = ReadOptions
/** How the embedded twins read a staging table (group and undecodable records do not apply). */
export type StagingSourceOptions = Pick<ReadOptions, 'once' | 'batchSize'>

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
 * Records runs (Postgres `rtds.runs` in live mode, `PostgresRunHistory`; a list in memory).
 * `PostgresRunHistory`'s `start`/`finish`.
 */
export interface RunHistory {
  /** Records the start of a run and returns its id. */
  start(run: RunStart): Promise<number>
  /** Records the outcome of run `id`. */
  finish(id: number, outcome: RunOutcome): Promise<void>
  /** The latest runs of a pipeline, newest first (`rtds status`, the console). */
  recent?(pipeline: string, limit?: number): Promise<readonly (RunOutcome & { readonly id: number; readonly source: string; readonly trigger: string; readonly startedAt: Date; readonly finishedAt: Date | null })[]>
}

/**
 * Storage for one pipeline of one `rtds run` (the DLQ `rtds.pipeline` header names that pipeline);
 * see the module comment for the delivery contract.
 */
export interface Backend {
  /** `live`: the real servers. `embedded`: in-process (no services, no network). */
  readonly mode: 'live' | 'embedded'

  /**
   * The implementation of connector `kind` on this backend (made once, from the registry): its
   * sinks resolve `write` only after the server acknowledged every record (a value that does not
   * fit is a `RecordFailure`, an unreachable server rejects with a retriable `ConnectionError`);
   * its readers move their position only in `ack()`; see the module comment.
   */
  runtime(kind: string): ConnectorRuntime

  /**
   * Where failed records go: `send(dlqTopic, record, {stage, error})` writes the record (value as
   * JSON, or the raw bytes when `record.value` is a `Buffer`; key kept) to topic `dlqTopic` with
   * the `DLQ_HEADERS` of `core/stream.ts` (stage, error message, reason = `RecordError.reason`
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
