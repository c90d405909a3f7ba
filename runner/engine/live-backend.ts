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
import type { ConnectionSettings } from '../../dsl/settings.js'
import type { CassandraTableSpec, PostgresTableSpec, TopicSpec } from '../../dsl/spec.js'
import type { DeadLetterSink, Sink, Source } from '../../connectors/types.js'
import { pgPool } from '../../connectors/postgres/client.js'
import { PostgresStagingSink } from '../../connectors/postgres/staging-sink.js'
import { PostgresOutboxSource } from '../../connectors/postgres/outbox-source.js'
import { PostgresRunHistory } from '../../connectors/postgres/run-history.js'
import { kafka, classifyKafkaError } from '../../connectors/kafka/client.js'
import { KafkaTopicSink } from '../../connectors/kafka/topic-sink.js'
import { KafkaTopicSource } from '../../connectors/kafka/topic-source.js'
import { KafkaDeadLetterSink } from '../../connectors/kafka/dlq-sink.js'
import { registry } from '../../connectors/registry/client.js'
import { RegistryValueCodec } from '../../connectors/registry/value-codec.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { CassandraTableSink } from '../../connectors/cassandra/table-sink.js'
import type { Backend, RunHistory, StagingSourceOptions, TopicSourceOptions } from './backend.js'

export interface LiveBackendOptions {
  /** Pipeline name (the DLQ `rtds.pipeline` header, client ids). */
  readonly pipeline: string
  readonly settings: ConnectionSettings
  /** Writes in flight per Cassandra sink, default 32. */
  readonly cassandraConcurrency?: number
  /** Postgres pool size, default 10 (each in-flight outbox batch holds one connection; at most 4 per relay). */
  readonly pgPoolSize?: number
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
export class LiveBackend implements Backend {
  readonly mode = 'live' as const
  private readonly settings: ConnectionSettings
  private pool: pg.Pool | undefined
  private kafkaClient: Kafka | undefined
  private registryClient: SchemaRegistry | undefined
  private codecInstance: RegistryValueCodec | undefined
  private cassandra: cassandra.Client | undefined
  private dlq: KafkaDeadLetterSink | undefined
  private history: PostgresRunHistory | undefined
  private readonly sources = new Set<Source>()
  private closed = false
  private readonly producer = lazy<Producer>(async () => {
    const p = this.kafkaOf().producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    try {
      await p.connect()
    } catch (err) {
      throw classifyKafkaError(err, this.settings, 'connect the Kafka producer')
    }
    return p
  })
  private readonly admin = lazy<Admin>(async () => {
    const a = this.kafkaOf().admin()
    try {
      await a.connect()
    } catch (err) {
      throw classifyKafkaError(err, this.settings, 'connect the Kafka admin client')
    }
    return a
  })

  constructor(private readonly opts: LiveBackendOptions) {
    this.settings = opts.settings
  }

  private pgOf(): pg.Pool {
    return (this.pool ??= pgPool(this.settings, { max: this.opts.pgPoolSize ?? 10, applicationName: `rtds ${this.opts.pipeline}` }))
  }
  private kafkaOf(): Kafka {
    return (this.kafkaClient ??= kafka(this.settings, { clientId: `rtds-${this.opts.pipeline}` }))
  }
  private codec(): RegistryValueCodec {
    return (this.codecInstance ??= new RegistryValueCodec((this.registryClient ??= registry(this.settings)), this.settings))
  }
  private cassandraOf(): cassandra.Client {
    return (this.cassandra ??= cassandraClient(this.settings))
  }

  topicSink(topic: TopicSpec): Sink {
    return new KafkaTopicSink({
      name: topic.name, topic: topic.name, producer: () => this.producer.get(), codec: this.codec(), value: topic.value, settings: this.settings,
    })
  }

  topicSource(topic: TopicSpec, opts: TopicSourceOptions): Source {
    const source = new KafkaTopicSource({
      name: topic.name, topic: topic.name, group: opts.group, stage: opts.stage, once: opts.once, batchSize: opts.batchSize,
      kafka: this.kafkaOf(), codec: this.codec(), value: topic.value, settings: this.settings, onUndecodable: opts.onUndecodable,
      partitionsConsumedConcurrently: Math.max(1, Math.min(topic.partitions, 8)),
    })
    this.sources.add(source)
    return source
  }

  stagingSink(table: PostgresTableSpec): Sink {
    return new PostgresStagingSink({ name: table.name, pool: this.pgOf(), settings: this.settings, schema: table.postgres.schema, table: table.postgres.table })
  }

  stagingSource(table: PostgresTableSpec, opts: StagingSourceOptions): Source {
    const source = new PostgresOutboxSource({
      name: table.name, pool: this.pgOf(), settings: this.settings, schema: table.postgres.schema, table: table.postgres.table,
      batchSize: opts.batchSize, once: opts.once, maxInFlight: Math.max(1, Math.min(4, (this.opts.pgPoolSize ?? 10) - 4)),
    })
    this.sources.add(source)
    return source
  }

  tableSink(table: CassandraTableSpec): Sink {
    const c = table.cassandra
    return new CassandraTableSink({
      name: table.name, client: this.cassandraOf(), keyspace: c.keyspace, table: c.table, columns: c.columns,
      keyColumns: [...c.primaryKey, ...c.clusteringKey], settings: this.settings, concurrency: this.opts.cassandraConcurrency,
    })
  }

  deadLetters(): DeadLetterSink {
    return (this.dlq ??= new KafkaDeadLetterSink({
      pipeline: this.opts.pipeline, producer: () => this.producer.get(), admin: () => this.admin.get(), settings: this.settings,
    }))
  }

  runHistory(): RunHistory {
    return (this.history ??= new PostgresRunHistory(this.pgOf(), this.settings))
  }

  /** Closes sources still open (rolling back claimed outbox rows), then every client. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await settleWithin([...this.sources].map((s) => s.close()), CLOSE_TIMEOUT_MS)
    const producer = this.producer.peek(), admin = this.admin.peek()
    await settleWithin([
      producer?.then((p) => p.disconnect()),
      admin?.then((a) => a.disconnect()),
      this.cassandra?.shutdown(),
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
