/**
 * The rtds error family. Connectors classify failures into these; the retry module (runner/retry.ts)
 * decides from `retriable` whether to try again. Messages never contain secrets.
 */
export class RtdsError extends Error {
  /** Whether trying the same operation again may succeed (server down, timeout, leader moved). */
  readonly retriable: boolean
  /** What the user can do about it, printed as `Try this: ...`. */
  readonly hint?: string
  constructor(message: string, opts: { cause?: unknown; retriable?: boolean; hint?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.retriable = opts.retriable ?? false
    this.hint = opts.hint
  }
}

/** Thrown for a bad command line or missing file: the CLI exits 2. */
export class UsageError extends RtdsError {}

/** Thrown when a server (Kafka, registry, Postgres, Cassandra, an HTTP source) cannot be reached or fails. Retriable by default. */
export class ConnectionError extends RtdsError {
  constructor(message: string, opts: { cause?: unknown; retriable?: boolean; hint?: string } = {}) {
    super(message, { retriable: true, ...opts })
  }
}

/** Thrown for one record that cannot be processed (decode, validation, transform): it goes to the dead-letter topic. Never retriable. */
export class RecordError extends RtdsError {
  /** Stable short reason, e.g. `validation`, `decode`, `transform`. */
  readonly reason: string
  constructor(reason: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { ...opts, retriable: false })
    this.reason = reason
  }
}

/** Thrown when live state forbids an action (destructive change without --allow-destroy, lock held). */
export class ConflictError extends RtdsError {}
