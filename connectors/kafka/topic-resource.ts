/**
 * Kafka topics as resources of `rtds plan` / `rtds apply`: read with the admin API (list, metadata,
 * describeConfigs), compared with what the files declare, changed by create / createPartitions /
 * alterConfigs. Only the config keys a file declares are managed, so broker defaults never show up
 * as a permanent diff.
 */
import type { Admin, ConfigResourceTypes } from 'kafkajs'
import type { Change, ChangeDetail, DesiredTopic, Step } from '../resource-model.js'
import type { ConnectionSettings } from '../../core/settings.js'
import { classifyKafkaError } from './client.js'
import { RtdsError } from '../../core/errors.js'
import type { ResourceType } from '../connector.js'
import type { DeclaredResource } from '../resource-model.js'
import { retry } from '../../core/retry.js'

const TOPIC_RESOURCE = 2 as ConfigResourceTypes // ConfigResourceTypes.TOPIC
const TOPIC_CONFIG_SOURCE = 1 // ConfigSource.TOPIC_CONFIG: set on the topic itself

/** A topic as it exists on the cluster. */
export interface LiveTopic {
  readonly partitions: number
  readonly replicationFactor: number
  /** Every config value (any source) by name; sensitive values are left out. */
  readonly config: Readonly<Record<string, string>>
  /** Configs set on the topic itself (what a non-incremental alterConfigs must preserve). */
  readonly overrides: Readonly<Record<string, string>>
}

/** Reads the live state of the named topics; absent topics are missing from the map. */
export async function readTopics(admin: Admin, names: readonly string[], settings: Pick<ConnectionSettings, 'kafkaBrokers'>): Promise<Map<string, LiveTopic>> {
  const out = new Map<string, LiveTopic>()
  try {
    const existing = new Set(await admin.listTopics())
    const present = names.filter((n) => existing.has(n))
    if (present.length === 0) return out
    const meta = await admin.fetchTopicMetadata({ topics: present })
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((name) => ({ type: TOPIC_RESOURCE, name })) })
    for (const t of meta.topics) {
      const res = configs.resources.find((r) => r.resourceName === t.name)
      const config: Record<string, string> = {}
      const overrides: Record<string, string> = {}
      for (const e of res?.configEntries ?? []) {
        if (e.isSensitive || e.configValue === null) continue
        config[e.configName] = e.configValue
        if (e.configSource === TOPIC_CONFIG_SOURCE) overrides[e.configName] = e.configValue
      }
      out.set(t.name, {
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        config,
        overrides,
      })
    }
    return out
  } catch (err) {
    throw classifyKafkaError(err, settings, 'reading Kafka topics')
  }
}

/**
 * Plans one topic: create; partition increase; config changes; a partition decrease or a
 * replication-factor change is `impossible` (Kafka cannot do it in place).
 */
export function planTopic(d: DesiredTopic, live: LiveTopic | undefined, files: readonly string[]): Change {
  const base = { kind: d.kind, name: d.name, destructive: false, breaking: false, files }
  if (!live) {
    const details: ChangeDetail[] = [
      { attr: 'partitions', to: String(d.partitions) },
      { attr: 'replication_factor', to: String(d.replicationFactor) },
      ...Object.entries(d.config).map(([k, v]) => ({ attr: k, to: v })),
    ]
    const step: Step = { op: 'kafka.createTopic', topic: d.name, partitions: d.partitions, replicationFactor: d.replicationFactor, config: d.config }
    return { ...base, action: 'create', details, steps: [step], live: null }
  }
  const managed = Object.fromEntries(Object.keys(d.config).sort().map((k) => [k, live.config[k] ?? null]))
  const fingerprint = { partitions: live.partitions, replicationFactor: live.replicationFactor, config: managed }
  const details: ChangeDetail[] = []
  const steps: Step[] = []
  let impossible = false
  if (live.partitions < d.partitions) {
    details.push({ attr: 'partitions', from: String(live.partitions), to: String(d.partitions) })
    steps.push({ op: 'kafka.createPartitions', topic: d.name, count: d.partitions })
  } else if (live.partitions > d.partitions && !d.minPartitions) {
    impossible = true
    details.push({ attr: 'partitions', from: String(live.partitions), to: String(d.partitions), mark: '!', note: 'Kafka cannot decrease partitions: create a new topic instead' })
  }
  if (live.replicationFactor !== d.replicationFactor) {
    impossible = true
    details.push({ attr: 'replication_factor', from: String(live.replicationFactor), to: String(d.replicationFactor), mark: '!', note: 'changing the replication factor needs a partition reassignment, which rtds does not do' })
  }
  const changed = Object.entries(d.config).filter(([k, v]) => live.config[k] !== v)
  for (const [k, v] of changed) details.push({ attr: k, from: live.config[k] ?? '(unset)', to: v })
  if (changed.length) {
    // AlterConfigs replaces the topic's whole override set: keep the overrides not declared here
    steps.push({ op: 'kafka.alterConfigs', topic: d.name, config: { ...live.overrides, ...d.config } })
  }
  if (impossible) return { ...base, action: 'impossible', details, steps: [], live: fingerprint }
  return { ...base, action: steps.length ? 'update' : 'unchanged', details, steps, live: fingerprint }
}

/** Runs one Kafka step. */
export async function applyTopicStep(step: Step, admin: Admin, settings: Pick<ConnectionSettings, 'kafkaBrokers'>): Promise<void> {
  try {
    if (step.op === 'kafka.createTopic') {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{
          topic: step.topic,
          numPartitions: step.partitions,
          replicationFactor: step.replicationFactor,
          configEntries: Object.entries(step.config).map(([name, value]) => ({ name, value })),
        }],
      })
    } else if (step.op === 'kafka.createPartitions') {
      await admin.createPartitions({ topicPartitions: [{ topic: step.topic, count: step.count }] })
    } else if (step.op === 'kafka.alterConfigs') {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC_RESOURCE, name: step.topic, configEntries: Object.entries(step.config).map(([name, value]) => ({ name, value })) }],
      })
    } else {
      throw new RtdsError(`not a Kafka step: ${step.op}`)
    }
  } catch (err) {
    throw classifyKafkaError(err, settings, `${step.op} ${'topic' in step ? step.topic : ''}`.trim())
  }
}

/** Kafka topics in `plan`/`apply`: one metadata read for every declared topic. */
export const kafkaResourceType: ResourceType = {
  kinds: ['kafka_topic'],
  ops: ['kafka.createTopic', 'kafka.createPartitions', 'kafka.alterConfigs'],
  async plan(declared, clients) {
    const admin = await clients.kafkaAdmin()
    const live = await retry(() => readTopics(admin, declared.map((d) => d.resource.name), clients.settings), { maxAttempts: 3, initialDelayMs: 300 })
    const out = new Map<DeclaredResource, Change>()
    for (const d of declared) if (d.resource.kind === 'kafka_topic') out.set(d, planTopic(d.resource, live.get(d.resource.name), d.files))
    return out
  },
  apply: async (step, clients) => applyTopicStep(step, await clients.kafkaAdmin(), clients.settings),
}
