/**
 * Reads a dead-letter topic (`<topic>.dlq`) from its start to the end offsets seen when the read
 * began (so records dead-lettered meanwhile — a replay failing again — are not read), with a
 * throw-away consumer group that is deleted afterwards. Values are the JSON the DLQ sink wrote
 * (`{"rawBase64": ...}` for bytes that could not be decoded).
 */
import type { Admin, Kafka } from 'kafkajs'
import { randomBytes } from 'node:crypto'
import type { ConnectionSettings } from '../../core/settings.js'
import { classifyKafkaError } from './client.js'
import { headersToStrings } from './topic-source.js'

/** One dead letter as stored. */
export interface StoredDeadLetter {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  /** The JSON value (`{ rawBase64 }` for undecodable bytes); a value that is not JSON is kept as text. */
  readonly value: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** See the module comment. Resolves `[]` for a topic that does not exist or is empty. */
export async function readDeadLetters(kafka: Kafka, admin: Admin, topic: string, settings: Pick<ConnectionSettings, 'kafkaBrokers'>, timeoutMs = 60_000): Promise<StoredDeadLetter[]> {
  let ends: { partition: number; low: string; high: string }[]
  try {
    const topics = await admin.listTopics()
    if (!topics.includes(topic)) return []
    ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: p.low, high: p.high }))
  } catch (err) {
    throw classifyKafkaError(err, settings, `read the offsets of ${topic}`)
  }
  const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]))
  if (pending.size === 0) return []
  const groupId = `rtds-dlq-read-${randomBytes(6).toString('hex')}`
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 })
  const out: StoredDeadLetter[] = []
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)), timeoutMs)
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = pending.get(partition)
          if (end === undefined || BigInt(message.offset) >= end) return
          const text = message.value?.toString('utf8') ?? 'null'
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch {
            value = text
          }
          out.push({ topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value, headers: headersToStrings(message.headers) ?? {} })
          if (BigInt(message.offset) + 1n >= end) pending.delete(partition)
          if (pending.size === 0) {
            clearTimeout(timer)
            resolve()
          }
        },
      }).catch((err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  } catch (err) {
    throw classifyKafkaError(err, settings, `read dead letters of ${topic}`)
  } finally {
    await consumer.disconnect().catch(() => {})
    await admin.deleteGroups([groupId]).catch(() => {})
  }
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
}
