/**
 * The Kafka topic sink (the outbox relay's destination): values encoded in the Confluent wire
 * format through the registry, key = record key, headers carried along; produced with the
 * backend's idempotent producer (`idempotent: true`, `maxInFlightRequests: 1`) and `acks: -1`
 * (all in-sync replicas). `write` resolves after the broker acknowledged the whole batch.
 */
import type { IHeaders, Message, Producer } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import { RecordError } from '../../core/errors.js'
import type { RecordFailure, Sink, StreamRecord } from '../../core/stream.js'
import type { CodecSchema, RegistryValueCodec } from '../registry/value-codec.js'
import { classifyKafkaError } from './client.js'

export interface KafkaTopicSinkOptions {
  /** Sink name (the topic's name in the pipeline). */
  readonly name: string
  /** Kafka topic to produce to (usually the same as `name`). */
  readonly topic: string
  /** The backend's connected idempotent producer (`idempotent: true`, `maxInFlightRequests: 1`), connected on first use. */
  readonly producer: () => Promise<Producer>
  readonly codec: RegistryValueCodec
  /** The topic's declared value schema; absent → plain JSON values. */
  readonly value?: CodecSchema
  readonly settings: Pick<ConnectionSettings, 'kafkaBrokers'>
}

/** Kafka headers as plain string values (kafkajs accepts strings). */
export const toKafkaHeaders = (h: Readonly<Record<string, string>> | undefined): IHeaders | undefined =>
  h && Object.keys(h).length > 0 ? { ...h } : undefined

/** A Kafka topic as a sink; see the module comment. */
export class KafkaTopicSink implements Sink {
  readonly name: string
  constructor(private readonly opts: KafkaTopicSinkOptions) {
    this.name = opts.name
  }

  async write(records: readonly StreamRecord[]): Promise<readonly RecordFailure[]> {
    const failures: RecordFailure[] = []
    const messages: Message[] = []
    // encoding is CPU work plus one cached registry lookup: sequential keeps the order
    for (const record of records) {
      try {
        const value = await this.opts.codec.encode(this.opts.value, record.value)
        messages.push({ key: record.key, value, headers: toKafkaHeaders(record.headers) })
      } catch (err) {
        if (err instanceof RecordError) failures.push({ record, error: err })
        else throw err
      }
    }
    if (messages.length === 0) return failures
    try {
      await (await this.opts.producer()).send({ topic: this.opts.topic, acks: -1, messages })
    } catch (err) {
      throw classifyKafkaError(err, this.opts.settings, `produce ${messages.length} record(s) to topic ${this.opts.topic}`)
    }
    return failures
  }

  /** The producer is owned by the backend, which disconnects it. */
  async close(): Promise<void> {}
}
