/**
 * The dead-letter sink: produces a failed record to `<topic>.dlq` (creating that topic with one
 * partition on first use when it is missing) with the `DLQ_HEADERS` naming the stage, the error,
 * the reason, the origin, the pipeline and the time. The value is plain JSON (no registry), so a
 * broken record is always storable: the original value as JSON, or — for bytes that could not be
 * decoded (`Buffer`/`Uint8Array` values) — `{"rawBase64": "..."}`.
 */
import { retry } from '../../core/retry.js'
import type { Admin, Producer } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { DLQ_HEADERS, type DeadLetterSink, type StreamRecord } from '../../core/stream.js'
import { classifyKafkaError } from './client.js'

export interface KafkaDeadLetterSinkOptions {
  /** Pipeline name, written in the `rtds.pipeline` header. */
  readonly pipeline: string
  /** The backend's producer, connected on first use (acks=all is requested per send). */
  readonly producer: () => Promise<Producer>
  /** The backend's admin client, connected on first use (creates missing `.dlq` topics). */
  readonly admin: () => Promise<Admin>
  readonly settings: Pick<ConnectionSettings, 'kafkaBrokers'>
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/

/** The JSON value of a dead letter; see the module comment. */
export function deadLetterValue(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify({ rawBase64: Buffer.from(value).toString('base64') })
  try {
    const text = JSON.stringify(value)
    return text === undefined ? 'null' : text
  } catch {
    return JSON.stringify({ unserialisable: String(value) })
  }
}

/** Dead letters to Kafka `<topic>.dlq`; see the module comment. */
export class KafkaDeadLetterSink implements DeadLetterSink {
  private readonly ensured = new Map<string, Promise<void>>()
  constructor(private readonly opts: KafkaDeadLetterSinkOptions) {}

  async send(dlqTopic: string, record: StreamRecord, info: { readonly stage: string; readonly error: Error }): Promise<void> {
    if (!TOPIC.test(dlqTopic)) throw new RtdsError(`invalid dead-letter topic name ${JSON.stringify(dlqTopic)}`)
    await this.ensure(dlqTopic)
    const reason = info.error instanceof RecordError ? info.error.reason : 'sink'
    const headers: Record<string, string> = {
      ...(record.headers ?? {}),
      [DLQ_HEADERS.stage]: info.stage,
      [DLQ_HEADERS.error]: info.error.message.slice(0, 4000),
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.origin]: record.origin,
      [DLQ_HEADERS.pipeline]: this.opts.pipeline,
      [DLQ_HEADERS.at]: new Date().toISOString(),
    }
    const producer = await this.opts.producer()
    // right after creation the producer's metadata may not know the topic yet: a few short retries
    const unknownTopic = (err: unknown): boolean =>
      /does not host this topic-partition|UNKNOWN_TOPIC/i.test((err as Error)?.message ?? '') ||
      /does not host this topic-partition/i.test(String((err as { cause?: Error })?.cause?.message ?? ''))
    try {
      await retry(() => producer.send({ topic: dlqTopic, acks: -1, messages: [{ key: record.key, value: deadLetterValue(record.value), headers }] }),
        { maxAttempts: 11, initialDelayMs: 600, maxDelayMs: 2500, retriable: unknownTopic })
    } catch (err) {
      throw classifyKafkaError(err, this.opts.settings, `dead-letter a record to ${dlqTopic}`)
    }
  }

  /** Creates the topic (1 partition) once per process when it does not exist. */
  private ensure(topic: string): Promise<void> {
    let p = this.ensured.get(topic)
    if (!p) {
      p = (async () => {
        const admin = await this.opts.admin()
        const existing = await admin.listTopics()
        if (existing.includes(topic)) return
        // createTopics resolves false when the topic already exists (another process won the race)
        await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
      })().catch((err) => {
        this.ensured.delete(topic)
        throw classifyKafkaError(err, this.opts.settings, `create dead-letter topic ${topic}`)
      })
      this.ensured.set(topic, p)
    }
    return p
  }

  /** Producer and admin are owned by the backend, which disconnects them. */
  async close(): Promise<void> {}
}
