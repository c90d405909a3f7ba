/** Which topic a staging table is relayed to. */
import type { PipelineSpec, TopicSpec } from './spec.js'

/**
 * The topic the staging table `tableName` is relayed to by a stage (`from: <table>`,
 * `to: <topic>`). Records entering that table are validated against that topic's value schema.
 * Undefined when no stage relays the table to a topic.
 *
 * @example stagingTopicOf(spec, 'staging_users')?.name // 'users_created'
 */
export function stagingTopicOf(spec: PipelineSpec, tableName: string): TopicSpec | undefined {
  if (!spec.tables[tableName]) return undefined
  for (const stage of Object.values(spec.stages)) {
    if (!stage.from.includes(tableName)) continue
    for (const t of stage.to) if (spec.topics[t]) return spec.topics[t]
  }
  return undefined
}
