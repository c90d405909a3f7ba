/**
 * Raw Kafka ceiling: kafkajs alone producing the users' Avro values (Confluent wire format, the
 * same bytes size as rtds' relay produces) with an idempotent producer and acks=all, then a consumer
 * group reading them back with a no-op `eachBatch`.
 */
import { readFileSync } from 'node:fs'
import avro from 'avsc'
import type { Kafka } from 'kafkajs'

const avsc = JSON.parse(readFileSync(new URL('../../schemas/randomuser_user.avsc', import.meta.url), 'utf8'))

/** The wire-format value of a randomuser user (schema id 0: the raw bench never decodes through a registry). */
export function wireValue(type: avro.Type, user: unknown): Buffer {
  const body = type.toBuffer(user)
  const out = Buffer.alloc(5 + body.length)
  body.copy(out, 5)
  return out
}

export const userType = (): avro.Type => avro.Type.forSchema(avsc)

export interface KafkaCeiling {
  readonly produceRowsPerSec: number
  readonly consumeRowsPerSec: number
}

/** Produces `messages` to a fresh `topic` (3 partitions) in chunks of 1000, then consumes them all; rates in rows/s. */
export async function kafkaCeiling(kafka: Kafka, topic: string, messages: readonly { key: string; value: Buffer }[]): Promise<KafkaCeiling> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    let began = process.hrtime.bigint()
    // a few sends in flight (kafkajs batches per partition inside each send)
    const CHUNK = 1000, PARALLEL = 4
    let next = 0
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < messages.length) {
        const chunk = messages.slice(next, (next += CHUNK))
        await producer.send({ topic, acks: -1, messages: chunk as { key: string; value: Buffer }[] })
      }
    }))
    const produceRowsPerSec = messages.length / (Number(process.hrtime.bigint() - began) / 1e9)
    await producer.disconnect()

    const consumer = kafka.consumer({ groupId: `${topic}.noop`, maxBytesPerPartition: 1048576, maxWaitTimeInMs: 200 })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    let seen = 0
    let finish!: () => void
    const done = new Promise<void>((r) => (finish = r))
    began = process.hrtime.bigint()
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length
        if (seen >= messages.length) finish()
      },
    })
    await done
    const consumeRowsPerSec = messages.length / (Number(process.hrtime.bigint() - began) / 1e9)
    await consumer.disconnect()
    return { produceRowsPerSec, consumeRowsPerSec }
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.deleteGroups([`${topic}.noop`]).catch(() => {})
    await admin.disconnect().catch(() => {})
  }
}
