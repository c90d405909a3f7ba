/** Config spec of a Kafka topic declared under `topics:`. */
import { objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

export const KAFKA_TOPIC_SPEC: ConnectorConfigSpec = {
  key: 'kafka', role: 'topic', secrets: [],
  description: 'A Kafka topic, created by `rtds apply`, with its value schema registered in the schema registry.',
  schema: objectSchema('A Kafka topic.', {
    partitions: { description: 'Number of partitions (the unit of consumer parallelism). 1 to 1,000: each costs the broker files and memory.', type: 'integer', minimum: 1, maximum: 1000, default: 1 },
    replicationFactor: { description: 'Replication factor. 1 to 5 (at most the number of brokers).', type: 'integer', minimum: 1, maximum: 5, default: 1 },
    key: { description: 'JSONata evaluated on the record value giving the Kafka key (deterministic keys make replays harmless).', type: 'string', minLength: 1, examples: ['login.uuid'] },
    value: { description: 'Value schema file, relative to the pipeline file: Avro (.avsc) or JSON Schema (.json).', type: 'string', pattern: '\\.(avsc|json)$', examples: ['../schemas/randomuser_user.avsc'] },
    subject: { description: 'Schema registry subject. Default `<topic>-value`.', type: 'string', minLength: 1 },
    config: { description: 'Kafka topic configs (retention.ms, cleanup.policy...).', type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  }),
}
