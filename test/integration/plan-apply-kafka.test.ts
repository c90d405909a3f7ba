/**
 * plan/apply against real Kafka, registry and Postgres (no Cassandra in these specs): create from
 * scratch, no-op re-apply, partition increase and config change, partition decrease reported
 * impossible and refused, stale plan hash refused, staging-table drift, history rows.
 * Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import pg from 'pg'
import { LiveClients } from '../../connectors/live-clients.js'
import { buildPlan, planHasChanges } from '../../runner/reconcile/planner.js'
import { applyPipelines } from '../../runner/reconcile/apply-executor.js'
import { recentApplies } from '../../runner/reconcile/apply-history.js'
import { ConflictError } from '../../core/errors.js'
import { kafka } from '../../connectors/kafka/client.js'
import { cleanup, makeSpec, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > kafka, registry, postgres')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const clients = new LiveClients(settings)
const topic = `plan_${sfx}`
const spec = (o: { partitions?: number; topicConfig?: Record<string, string> } = {}) => makeSpec({ suffix: sfx, withCassandra: false, ...o })
const admin = kafka(settings).admin()
const db = new pg.Pool({ connectionString: settings.databaseUrl, max: 1 })

const partitionsOf = async (name: string): Promise<number> => (await admin.fetchTopicMetadata({ topics: [name] })).topics[0].partitions.length

test.before(async () => {
  await requireServices(settings, ['postgres', 'kafka', 'registry'])
  await admin.connect()
})

test.after(async () => {
  await admin.disconnect().catch(() => {})
  await db.end().catch(() => {})
  await clients.close()
  await cleanup(settings, sfx)
})

test('create from scratch: database, state tables, staging table, topic + dlq, subject', async () => {
  const plan = await buildPlan([spec({ topicConfig: { 'retention.ms': '3600000' } })], clients)
  assert.equal(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`), [
    `create postgres_database rtds_${sfx}`,
    'create postgres_state_tables rtds',
    `create postgres_table plan_${sfx}.staging`,
    `create kafka_topic ${topic}`,
    `create kafka_topic ${topic}.dlq`,
    `create registry_subject ${topic}-value`,
  ])
  assert.equal(plan.summary, { create: 6, update: 0, destroy: 0, impossible: 0, unchanged: 0, breaking: 0 })
  const r = await applyPipelines([spec({ topicConfig: { 'retention.ms': '3600000' } })], clients, { files: ['a.yaml'] })
  assert.is(r.applied.filter((a) => a.status === 'done').length, 5, 'the database is created before the lock, the 5 others under it')
  assert.is(await partitionsOf(topic), 2)
  assert.is(await partitionsOf(`${topic}.dlq`), 1)
  const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] })
  assert.is(cfg.resources[0].configEntries[0].configValue, '3600000')
  const cols = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'staging' ORDER BY ordinal_position`, [`plan_${sfx}`])
  assert.equal(cols.rows.map((x) => x.column_name), ['id', 'key', 'value', 'origin', 'created_at', 'published_at', 'attempts', 'last_error'])
  const res = await fetch(`${settings.schemaRegistryUrl}/subjects/${topic}-value/versions/latest`)
  assert.is(res.status, 200)
})

test('second apply of the same files: no changes, recorded', async () => {
  const s = spec({ topicConfig: { 'retention.ms': '3600000' } })
  const plan = await buildPlan([s], clients)
  assert.is(planHasChanges(plan), false, JSON.stringify(plan.changes.filter((c) => c.action !== 'unchanged')))
  const r = await applyPipelines([s], clients, { files: ['a.yaml'] })
  assert.equal(r.applied, [])
  const history = await recentApplies(await clients.pg(), 5)
  assert.is(history.length, 2)
  assert.equal(history[0].changes, [])
  assert.is(history[1].changes.length, 5)
  assert.is(history[1].appliedBy, process.env.USER || (await import('node:os')).userInfo().username)
  assert.equal(history[1].files, ['a.yaml'])
})

test('partition increase and config change are an update', async () => {
  const s = spec({ partitions: 4, topicConfig: { 'retention.ms': '7200000' } })
  const c = (await buildPlan([s], clients)).changes.find((x) => x.name === topic)!
  assert.is(c.action, 'update')
  assert.equal(c.details.map((d) => `${d.attr}: ${d.from} → ${d.to}`), ['partitions: 2 → 4', 'retention.ms: 3600000 → 7200000'])
  await applyPipelines([s], clients, { files: ['a.yaml'] })
  assert.is(await partitionsOf(topic), 4)
  assert.is(planHasChanges(await buildPlan([s], clients)), false)
})

test('partition decrease is impossible: reported, and apply refuses without touching anything', async () => {
  const s = spec({ partitions: 3, topicConfig: { 'retention.ms': '1000000' } })
  const plan = await buildPlan([s], clients)
  const c = plan.changes.find((x) => x.name === topic)!
  assert.is(c.action, 'impossible')
  assert.is(plan.summary.impossible, 1)
  try {
    await applyPipelines([s], clients, { files: ['a.yaml'] })
    assert.unreachable('apply must refuse')
  } catch (err) {
    assert.instance(err, ConflictError)
    assert.match((err as Error).message, /impossible/)
  }
  assert.is(await partitionsOf(topic), 4)
  const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] })
  assert.is(cfg.resources[0].configEntries[0].configValue, '7200000', 'the config change of the same plan was not applied either')
})

test('a plan hash the live state moved away from is refused; the current one is applied', async () => {
  const s = spec({ partitions: 5, topicConfig: { 'retention.ms': '7200000' } })
  const reviewed = await buildPlan([s], clients)
  await admin.createPartitions({ topicPartitions: [{ topic: `${topic}.dlq`, count: 2 }] }) // someone else changes the live state
  try {
    await applyPipelines([s], clients, { files: ['a.yaml'], planHash: reviewed.hash })
    assert.unreachable('a stale plan must be refused')
  } catch (err) {
    assert.instance(err, ConflictError)
    assert.match((err as Error).message, /moved away from the reviewed plan/)
  }
  assert.is(await partitionsOf(topic), 4, 'nothing applied')
  const current = await buildPlan([s], clients)
  assert.is.not(current.hash, reviewed.hash)
  await applyPipelines([s], clients, { files: ['a.yaml'], planHash: current.hash.slice(0, 19) })
  assert.is(await partitionsOf(topic), 5)
})

test('staging table drift: a missing column is added; a changed type needs --allow-destroy', async () => {
  await db.query(`ALTER TABLE "plan_${sfx}"."staging" DROP COLUMN last_error`)
  let c = (await buildPlan([spec({ partitions: 5, topicConfig: { 'retention.ms': '7200000' } })], clients)).changes.find((x) => x.kind === 'postgres_table')!
  assert.is(c.action, 'update')
  assert.equal(c.details.map((d) => d.attr), ['column last_error'])
  const s = spec({ partitions: 5, topicConfig: { 'retention.ms': '7200000' } })
  await applyPipelines([s], clients, { files: ['a.yaml'] })
  await db.query(`ALTER TABLE "plan_${sfx}"."staging" ALTER COLUMN attempts TYPE bigint`)
  c = (await buildPlan([s], clients)).changes.find((x) => x.kind === 'postgres_table')!
  assert.is(c.action, 'replace')
  assert.is(c.destructive, true)
  await applyPipelines([s], clients, { files: ['a.yaml'] }).then(() => assert.unreachable('needs --allow-destroy'), (err) => assert.instance(err, ConflictError))
  await applyPipelines([s], clients, { files: ['a.yaml'], allowDestroy: true })
  const t = await db.query(`SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'staging' AND column_name = 'attempts'`, [`plan_${sfx}`])
  assert.is(t.rows[0].data_type, 'integer')
  assert.is(planHasChanges(await buildPlan([s], clients)), false)
})

test.run()
