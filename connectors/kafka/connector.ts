/**
 * The Kafka connector (role `topic`): topics declared under `topics:`, written with the
 * idempotent producer (values in the Confluent wire format through the schema registry), read by
 * consumer groups; each topic brings its `<topic>.dlq` and, with a value schema, its registry
 * subject (planned and applied by the registry's resource type).
 */
import type { Connector, ConnectorRuntime, Entity } from '../connector.js'
import type { LiveEnv } from '../live-backend.js'
import type { MemoryBackend } from '../memory/memory-backend.js'
import { sortObject, type DesiredResource } from '../resource-model.js'
import { dlqTopicName } from '../../core/stream.js'
import type { TopicSpec } from '../../dsl/spec.js'
import { registryResourceType } from '../registry/subject-resource.js'
import { KAFKA_TOPIC_SPEC } from './spec.js'
import { KafkaTopicSink } from './topic-sink.js'
import { KafkaTopicSource } from './topic-source.js'
import { kafkaResourceType } from './topic-resource.js'
import { observeTopic } from './topic-observe.js'

const asTopic = (e: Entity): TopicSpec => e as TopicSpec

export const kafkaConnector: Connector<LiveEnv, MemoryBackend> = {
  config: KAFKA_TOPIC_SPEC,
  live: (env): ConnectorRuntime => ({
    sink: (e) => {
      const topic = asTopic(e)
      return new KafkaTopicSink({ name: topic.name, topic: topic.name, producer: () => env.producer(), codec: env.codec(), value: topic.value, settings: env.settings })
    },
    reader: (e, opts) => {
      const topic = asTopic(e)
      return env.track(new KafkaTopicSource({
        name: topic.name, topic: topic.name, group: opts.group, stage: opts.stage, once: opts.once, upstreamDone: opts.upstreamDone, batchSize: opts.batchSize,
        kafka: env.kafka(), codec: env.codec(), value: topic.value, settings: env.settings, onUndecodable: opts.onUndecodable,
        partitionsConsumedConcurrently: Math.max(1, Math.min(topic.partitions, 8)),
      }))
    },
    observe: (e, groups, o) => observeTopic(asTopic(e), groups, () => env.admin(), env.settings, o?.detail),
  }),
  embedded: (memory): ConnectorRuntime => ({
    sink: (e) => memory.topicSink(asTopic(e)),
    reader: (e, opts) => memory.topicSource(asTopic(e), opts),
  }),
  resources: (e, ctx): DesiredResource[] => {
    const topic = asTopic(e)
    return [
      { kind: 'kafka_topic', name: topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor, config: sortObject(topic.config) },
      { kind: 'kafka_topic', name: dlqTopicName(topic.name), partitions: 1, replicationFactor: topic.replicationFactor, config: {}, minPartitions: true },
      ...(topic.value
        ? [{ kind: 'registry_subject' as const, name: topic.value.subject, schemaType: topic.value.type, schema: topic.value.schema, path: topic.value.path, compatibility: ctx.compatibility }]
        : []),
    ]
  },
  resourceTypes: [kafkaResourceType, registryResourceType],
}
