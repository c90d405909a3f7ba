import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { planHash, summarise } from './planner.js'
import { planTopic } from '../../connectors/kafka/topic-resource.js'
import { formatPlan } from './plan-format.js'
import type { Change, DesiredTopic } from '../../connectors/resource-model.js'

const test = suite('runner > reconcile > planner')

const topic: DesiredTopic = { kind: 'kafka_topic', name: 'clicks', partitions: 6, replicationFactor: 1, config: { 'retention.ms': '1000' } }
const live = (partitions: number, retention = '1000') => ({ partitions, replicationFactor: 1, config: { 'retention.ms': retention, 'cleanup.policy': 'delete' }, overrides: { 'retention.ms': retention, 'max.message.bytes': '2000000' } })

test('topic: create, increase, config change keeps undeclared overrides, decrease impossible, server defaults ignored', () => {
  assert.is(planTopic(topic, undefined, []).action, 'create')
  assert.is(planTopic(topic, live(6), []).action, 'unchanged', 'cleanup.policy is not declared: no diff')
  const up = planTopic(topic, live(3, '500'), [])
  assert.is(up.action, 'update')
  assert.equal(up.steps, [
    { op: 'kafka.createPartitions', topic: 'clicks', count: 6 },
    { op: 'kafka.alterConfigs', topic: 'clicks', config: { 'retention.ms': '1000', 'max.message.bytes': '2000000' } },
  ])
  const down = planTopic(topic, live(8), [])
  assert.is(down.action, 'impossible')
  assert.equal(down.steps, [])
  assert.is(planTopic({ ...topic, name: 'clicks.dlq', partitions: 1, config: {}, minPartitions: true }, live(4), []).action, 'unchanged')
})

test('the hash covers steps and live state, not the database resource', () => {
  const a = [planTopic(topic, live(3), [])]
  const b = [planTopic(topic, live(4), [])]
  assert.is.not(planHash(a), planHash(b), 'live state moved: different hash')
  assert.is(planHash(a), planHash([planTopic(topic, live(3), ['other.yaml'])]), 'files do not matter')
  const db: Change = { kind: 'postgres_database', name: 'rtds', action: 'create', destructive: false, breaking: false, details: [], steps: [{ op: 'pg.createDatabase', database: 'rtds' }], live: null, files: [] }
  assert.is(planHash([db, ...a]), planHash(a))
  assert.match(planHash(a), /^sha256:[0-9a-f]{64}$/)
})

test('summary and text', () => {
  const changes = [planTopic(topic, undefined, []), planTopic(topic, live(8), []), planTopic(topic, live(6), [])]
  const plan = { changes, summary: summarise(changes), hash: planHash(changes) }
  assert.equal(plan.summary, { create: 1, update: 0, destroy: 0, impossible: 1, unchanged: 1, breaking: 0 })
  const text = formatPlan(plan)
  assert.match(text, /^  \+ kafka_topic clicks\n      \+ partitions = 6\n/)
  assert.match(text, /  ! kafka_topic clicks  \(impossible\)\n      ! partitions: 8 → 6/)
  assert.match(text, /1 unchanged \(--verbose lists them\)\.\nPlan: 1 to create, 0 to update, 0 to destroy, 1 impossible\.\nPlan hash: sha256:[0-9a-f]{64}\n$/)
  assert.not.match(text, /= kafka_topic/)
  assert.match(formatPlan(plan, { verbose: true }), /  = kafka_topic clicks\n/)
})

test.run()
