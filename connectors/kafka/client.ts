/**
 * Low-level Kafka access shared by the runtime (relay producer, consumer, DLQ) and by
 * `plan`/`apply` (admin): one client factory and one error classifier.
 */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'

/** Options of {@link kafka}. */
export interface KafkaClientOptions {
  /** Client id seen by the broker, default `rtds`. */
  readonly clientId?: string
  /** kafkajs log level, default ERROR (set `RTDS_KAFKA_LOG=info|debug` to see more). */
  readonly logLevel?: logLevel
  /** Connection timeout in ms, default 3000. */
  readonly connectionTimeout?: number
  /** kafkajs retry settings; default a few quick retries (the engine's retry module backs off). */
  readonly retry?: KafkaConfig['retry']
}

const LOG_LEVELS: Record<string, logLevel> = {
  nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG,
}

/**
 * A kafkajs client for `settings.kafkaBrokers`.
 *
 * @example
 * const admin = kafka(connectionSettings()).admin()
 */
export function kafka(settings: Pick<ConnectionSettings, 'kafkaBrokers'>, opts: KafkaClientOptions = {}): Kafka {
  const envLevel = LOG_LEVELS[(process.env.RTDS_KAFKA_LOG ?? '').toLowerCase()]
  return new Kafka({
    clientId: opts.clientId ?? 'rtds',
    brokers: [...settings.kafkaBrokers],
    connectionTimeout: opts.connectionTimeout ?? 3000,
    requestTimeout: 30000,
    logLevel: opts.logLevel ?? envLevel ?? logLevel.ERROR,
    logCreator: () => writeKafkaLog,
    retry: opts.retry ?? { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
  })
}

/**
 * Errors the broker reports while it elects a leader or loads a group coordinator: kafkajs retries
 * them itself, and if its retries run out the error reaches our classification anyway. Logged only
 * with `RTDS_KAFKA_LOG=debug`.
 */
const TRANSIENT = /coordinator is (loading|not available)|not the correct coordinator|no leader|leadership election|rebalanc/i

const LEVEL_NAMES: Record<number, string> = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' }

/** kafkajs log entries as one plain line on stderr: `kafka error: <message> (<error>)`. */
function writeKafkaLog(entry: { level: logLevel; log: { message: string; error?: string } }): void {
  const { message, error } = entry.log
  if (TRANSIENT.test(`${message} ${error ?? ''}`) && process.env.RTDS_KAFKA_LOG !== 'debug') return
  const level = LEVEL_NAMES[entry.level] ?? 'log'
  process.stderr.write(`kafka ${level}: ${message}${error ? ` (${error})` : ''}\n`)
}

/** kafkajs error names that mean the cluster is unreachable or busy right now. */
const RETRIABLE_NAMES = new Set([
  'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound', 'KafkaJSMetadataNotLoaded', 'KafkaJSTimeout', 'KafkaJSLockTimeout',
  'KafkaJSStaleTopicMetadataAssignment', 'KafkaJSConnectionClosedError',
])

/**
 * Protocol errors the Kafka protocol marks retriable that a broker answers while it starts, elects a
 * leader or loads a group coordinator (the first consumer group of a just-started broker gets
 * NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS for a while). kafkajs names some of them by their
 * old names; both are listed.
 */
const RETRIABLE_TYPES = new Set([
  'NOT_COORDINATOR', 'NOT_COORDINATOR_FOR_GROUP', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION', 'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REBALANCE_IN_PROGRESS', 'KAFKA_STORAGE_ERROR', 'NOT_CONTROLLER',
  'FETCH_SESSION_ID_NOT_FOUND', 'OFFSET_NOT_AVAILABLE', 'PREFERRED_LEADER_NOT_AVAILABLE', 'THROTTLING_QUOTA_EXCEEDED',
])

/**
 * Whether `err` or any error it wraps (`cause`, kafkajs' `originalError`) means "try again": kafkajs
 * wraps a retriable protocol error in a non-retriable one once its own retries ran out, and the
 * outer error then hides what the broker said.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  const seen = new Set<unknown>()
  for (let e = err as { name?: string; message?: string; retriable?: boolean; type?: string; cause?: unknown; originalError?: unknown } | undefined; e && typeof e === 'object' && !seen.has(e); e = (e.cause ?? e.originalError) as typeof e) {
    seen.add(e)
    if (RETRIABLE_NAMES.has(e.name ?? '') || e.retriable === true || RETRIABLE_TYPES.has(e.type ?? '')) return true
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection error|not the correct coordinator|coordinator is (loading|not available)/i.test(e.message ?? '')) return true
  }
  return false
}

/**
 * Maps a kafkajs failure to the rtds family: unreachable brokers, timeouts, retriable protocol
 * errors (leader moved, coordinator loading, not enough replicas) — also when wrapped — →
 * retriable `ConnectionError`; the rest → `RtdsError`.
 */
export function classifyKafkaError(err: unknown, settings: Pick<ConnectionSettings, 'kafkaBrokers'>, what = 'Kafka request'): RtdsError {
  if (err instanceof RtdsError) return err
  const e = err as { name?: string; message?: string; retriable?: boolean; type?: string } | undefined
  const msg = e?.message ?? String(err)
  const brokers = settings.kafkaBrokers.join(',')
  if (isRetriableKafkaError(err)) {
    return new ConnectionError(`${what} failed: Kafka at ${brokers} is unavailable (${msg})`, {
      cause: err,
      hint: 'start the services with `npm run services:up`, or set KAFKA_BROKERS',
    })
  }
  if (e?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition/i.test(msg)) {
    return new RtdsError(`${what} failed: ${msg}`, { cause: err, hint: 'run `rtds apply` to create the topics' })
  }
  return new RtdsError(`${what} failed: ${msg}`, { cause: err })
}
