/**
 * An in-process topic with Kafka semantics: `partitions` append-only logs, a record's partition
 * chosen by its key (murmur2, like Kafka's default partitioner; round robin without a key),
 * offsets per partition, and committed offsets per consumer group. Values are stored ENCODED
 * (Avro binary for an Avro value schema, UTF-8 JSON otherwise), so consumers decode exactly as
 * they would from Kafka: fields outside the schema are dropped and bad bytes fail decoding.
 */
import avsc from 'avsc'
import type { TopicSpec } from '../../dsl/spec.js'
import { RecordError } from '../../core/errors.js'
import { schemaValidator } from '../../dsl/record-validate.js'
import { partitionOf } from './murmur2.js'

/** One stored message. */
export interface TopicMessage {
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: Buffer | null
  readonly headers: Readonly<Record<string, string>>
  readonly timestamp: number
}

/** Encoding and decoding of a topic's values. */
export interface ValueCodec {
  encode(value: unknown): Buffer
  decode(bytes: Buffer): unknown
}

/** The codec of a topic: Avro binary for an Avro value schema, JSON (validated) otherwise. */
export function codecOf(topic: TopicSpec): ValueCodec {
  const ref = topic.value
  if (ref?.type === 'AVRO') {
    const type = avsc.Type.forSchema(ref.schema as avsc.Schema)
    const validator = schemaValidator(ref)
    return {
      encode(value) {
        const reasons = validator.validate(value)
        if (reasons.length) throw new RecordError('encode', `value does not fit the Avro schema of ${topic.name}: ${reasons.join('; ')}`)
        return type.toBuffer(value)
      },
      decode(bytes) {
        return JSON.parse(JSON.stringify(type.fromBuffer(bytes)))
      },
    }
  }
  const validator = ref ? schemaValidator(ref) : undefined
  return {
    encode(value) {
      const reasons = validator?.validate(value) ?? []
      if (reasons.length) throw new RecordError('encode', `value does not fit the JSON Schema of ${topic.name}: ${reasons.join('; ')}`)
      return Buffer.from(JSON.stringify(value), 'utf8')
    },
    decode(bytes) {
      return JSON.parse(bytes.toString('utf8'))
    },
  }
}

/** See the module comment. */
export class MemoryTopic {
  readonly name: string
  readonly codec: ValueCodec
  readonly logs: TopicMessage[][]
  private readonly committed = new Map<string, number[]>()
  private waiters: (() => void)[] = []
  private roundRobin = 0

  constructor(readonly spec: TopicSpec) {
    this.name = spec.name
    this.codec = codecOf(spec)
    this.logs = Array.from({ length: Math.max(1, spec.partitions) }, () => [])
  }

  /** Appends an encoded message; returns its partition and offset. */
  append(key: string | null, value: Buffer | null, headers: Readonly<Record<string, string>> = {}): { partition: number; offset: number } {
    const partition = key === null ? this.roundRobin++ % this.logs.length : partitionOf(key, this.logs.length)
    const log = this.logs[partition]
    const offset = log.length
    log.push({ partition, offset, key, value, headers, timestamp: Date.now() })
    this.poke()
    return { partition, offset }
  }

  /** Wakes every consumer waiting for an append (also used after a consumer rewinds). */
  poke(): void {
    const waiting = this.waiters
    this.waiters = []
    for (const wake of waiting) wake()
  }

  /** End offsets (next offset to be written) per partition. */
  endOffsets(): number[] {
    return this.logs.map((l) => l.length)
  }

  /** Committed offsets of `group` (the next offset to read; 0 when nothing was committed). */
  committedOffsets(group: string): number[] {
    let c = this.committed.get(group)
    if (!c) this.committed.set(group, (c = this.logs.map(() => 0)))
    return c
  }

  /** Commits `offset` (next to read) for `group` on `partition`; never moves backwards. */
  commit(group: string, partition: number, offset: number): void {
    const c = this.committedOffsets(group)
    if (offset > c[partition]) c[partition] = offset
  }

  /** Resolves on the next append or when `signal` aborts. */
  waitForAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const done = (): void => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.waiters.push(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  /** Every message, decoded, in partition then offset order (tests and the embedded summary). */
  decodedMessages(): { partition: number; offset: number; key: string | null; value: unknown; headers: Readonly<Record<string, string>> }[] {
    return this.logs.flat().map((m) => ({ ...m, value: m.value === null ? null : this.codec.decode(m.value) }))
  }
}
