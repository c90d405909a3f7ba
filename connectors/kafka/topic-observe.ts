/**
 * The probe of a topic (`observe` of the Kafka connector): consumer lag of each reading group per
 * partition (end offset − committed offset; a group that committed nothing lags from the low
 * watermark), Kafka's health, and the registry's when the topic has a value schema.
 */
import type { Admin } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import type { TopicSpec } from '../../dsl/spec.js'
import type { Observation, ServerHealth } from '../connector.js'
import { probe } from '../observe.js'
import { classifyKafkaError } from './client.js'
import { probeRegistry, subjectVersion } from '../registry/registry-observe.js'

/** Lag per group and partition of `topic`. */
export async function topicLag(admin: Admin, topic: string, groups: readonly string[]): Promise<{ group: string; partition: number; lag: number }[]> {
  // a topic that does not exist (not applied yet) has no lag; asking for its offsets would retry for long
  if (!(await admin.listTopics()).includes(topic)) return []
  const offsets = await admin.fetchTopicOffsets(topic)
  const out: { group: string; partition: number; lag: number }[] = []
  for (const group of groups) {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
    for (const p of offsets) {
      const c = committed?.partitions.find((x) => x.partition === p.partition)
      const at = c && c.offset !== '-1' ? BigInt(c.offset) : BigInt(p.low)
      const lag = BigInt(p.high) - at
      out.push({ group, partition: p.partition, lag: Number(lag > 0n ? lag : 0n) })
    }
  }
  return out
}

/** See the module comment. */
export async function observeTopic(topic: TopicSpec, groups: readonly string[], admin: () => Promise<Admin>, settings: ConnectionSettings, detail = false): Promise<Observation> {
  const kafka = await probe('kafka', async () => {
    try {
      return await topicLag(await admin(), topic.name, groups)
    } catch (err) {
      throw classifyKafkaError(err, settings, `read the offsets of ${topic.name}`)
    }
  })
  const servers: ServerHealth[] = [kafka.health]
  if (topic.value) servers.push(await probeRegistry(settings))
  const subject = detail && topic.value ? { name: topic.value.subject, version: await subjectVersion(settings, topic.value.subject) } : undefined
  return { servers, ...(kafka.value ? { lag: kafka.value } : {}), ...(subject ? { subject } : {}) }
}
