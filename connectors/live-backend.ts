/**
 * The engine's `Backend` for the real servers: Postgres staging outbox + run history, Kafka topics
 * with values in the Confluent wire format through the schema registry, Cassandra tables, and
 * Kafka `<topic>.dlq` dead letters. Every client is created lazily from `ConnectionSettings` on first
 * use (so a pipeline that never touches Cassandra never connects to it) and closed by `close()`.
 */
import type { Admin, Kafka, Producer } from 'kafkajs'
import type pg from 'pg'
import type cassandra from 'cassandra-driver'
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { ConnectionSettings } from '../core/settings.js'
import type { DeadLetterSink, Source } from '../core/stream.js'
import { pgPool } from './postgres/client.js'
import { PostgresRunHistory } from './postgres/run-history.js'
import { kafka, classifyKafkaError } from './kafka/client.js'
import { KafkaDeadLetterSink } from './kafka/dlq-sink.js'
import { registry } from './registry/client.js'
import { RegistryValueCodec } from './registry/value-codec.js'
import { cassandraClient } from './cassandra/client.js'
import { runtimes, type ConnectorRegistry, type ConnectorRuntime } from './connector.js'
import { CONNECTORS } from './index.js'
import type { Backend, RunHistory } from './backend.js'

/** What the live connectors share: the pipeline's lazily opened clients (connectors/<system>/connector.ts `live`). */
export interface LiveEnv {
  readonly pipeline: string
  readonly settings: ConnectionSettings
  /** Writes in flight per Cassandra sink (undefined: the sink's default). */
  readonly cassandraConcurrency?: number
  /** Size of the Postgres pool (each in-flight outbox batch holds one connection). */
  readonly pgPoolSize: number
  pg(): pg.Pool
  kafka(): Kafka
  /** The idempotent producer, connected on first use. */
  producer(): Promise<Producer>
  /** The admin client, connected on first use (dead-letter topics, lag probes). */
  admin(): Promise<Admin>
  codec(): RegistryValueCodec
  cassandra(): cassandra.Client
  /** Registers a source so that `close()` closes it (rolling back claimed outbox rows). */
  track<S extends Source>(source: S): S
}

export interface LiveBackendOptions {
  /** Pipeline name (the DLQ `rtds.pipeline` header, client ids). */
  readonly pipeline: string
  readonly settings: ConnectionSettings
  /** Writes in flight per Cassandra sink, default 32. */
  readonly cassandraConcurrency?: number
  /** Postgres pool size, default 10 (each in-flight outbox batch holds one connection; at most 4 per relay). */
  readonly pgPoolSize?: number
  /** The connectors (default: rtds' registry). */
  readonly connectors?: ConnectorRegistry
}

/** Memoises an async connect; a failed attempt is forgotten so the next call retries. */
function lazy<T>(make: () => Promise<T>): { get(): Promise<T>; peek(): Promise<T> | undefined } {
  let p: Promise<T> | undefined
  return {
    get: () => (p ??= make().catch((err) => { p = undefined; throw err })),
    peek: () => p,
  }
}

/** The live `Backend`; see the module comment. */
export class LiveBackend implements Backend, LiveEnv {
  readonly mode = 'live' as const
  readonly settings: ConnectionSettings
  private pool: pg.Pool | undefined
  private kafkaClient: Kafka | undefined
  private registryClient: SchemaRegistry | undefined
  private codecInstance: RegistryValueCodec | undefined
  private cassandraClient: cassandra.Client | undefined
  private dlq: KafkaDeadLetterSink | undefined
  private history: PostgresRunHistory | undefined
  private readonly sources = new Set<Source>()
  private closed = false
  private readonly producerOnce = lazy<Producer>(async () => {
    const p = this.kafka().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    try {
      await p.connect()
    } catch (err) {
      throw classifyKafkaError(err, this.settings, 'connect the Kafka producer')
    }
    return p
  })
  private readonly adminOnce = lazy<Admin>(async () => {
    const a = this.kafka().admin()
    try {
      await a.connect()
    } catch (err) {
      throw classifyKafkaError(err, this.settings, 'connect the Kafka admin client')
    }
    return a
  })

  readonly runtime: (kind: string) => ConnectorRuntime

  constructor(private readonly opts: LiveBackendOptions) {
    this.settings = opts.settings
    this.runtime = runtimes(opts.connectors ?? CONNECTORS, 'live', this)
  }

  get pipeline(): string {
    return this.opts.pipeline
  }
  get cassandraConcurrency(): number | undefined {
    return this.opts.cassandraConcurrency
  }
  get pgPoolSize(): number {
    return this.opts.pgPoolSize ?? 10
  }
  pg(): pg.Pool {
    return (this.pool ??= pgPool(this.settings, { max: this.pgPoolSize, applicationName: `rtds ${this.opts.pipeline}` }))
  }
  kafka(): Kafka {
    return (this.kafkaClient ??= kafka(this.settings, { clientId: `rtds-${this.opts.pipeline}` }))
  }
  producer(): Promise<Producer> {
    return this.producerOnce.get()
  }
  admin(): Promise<Admin> {
    return this.adminOnce.get()
  }
  codec(): RegistryValueCodec {
    return (this.codecInstance ??= new RegistryValueCodec((this.registryClient ??= registry(this.settings)), this.settings))
  }
  cassandra(): cassandra.Client {
    return (this.cassandraClient ??= cassandraClient(this.settings))
  }
  track<S extends Source>(source: S): S {
    this.sources.add(source)
    return source
  }

  deadLetters(): DeadLetterSink {
    return (this.dlq ??= new KafkaDeadLetterSink({
      pipeline: this.opts.pipeline, producer: () => this.producer(), admin: () => this.admin(), settings: this.settings,
    }))
  }

  runHistory(): RunHistory {
    return (this.history ??= new PostgresRunHistory(this.pg(), this.settings))
  }

  /** Closes sources still open (rolling back claimed outbox rows), then every client. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await settleWithin([...this.sources].map((s) => s.close()), CLOSE_TIMEOUT_MS)
    const producer = this.producerOnce.peek(), admin = this.adminOnce.peek()
    await settleWithin([
      producer?.then((p) => p.disconnect()),
      admin?.then((a) => a.disconnect()),
      this.cassandraClient?.shutdown(),
      this.pool?.end(),
    ], CLOSE_TIMEOUT_MS)
  }
}

/**
 * How long closing may take. A client still reconnecting to a server that went away (kafkajs after
 * a broker restart) can hang in disconnect: nothing is in flight any more by then, so it is abandoned.
 */
const CLOSE_TIMEOUT_MS = 10_000

async function settleWithin(promises: readonly (Promise<unknown> | undefined)[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  await Promise.race([Promise.allSettled(promises), late])
  clearTimeout(timer)
}
