/**
 * Golden files of the human-readable plan (test/golden/plan/*.txt), produced against the real
 * services: a plan from scratch, a plan with every kind of change (update, breaking, destructive,
 * impossible), and the verbose no-change plan. Unique names and the hash are normalised
 * (`<id>`, `sha256:<hash>`). Re-record with UPDATE_GOLDEN=1, then review `git diff test/golden/plan`.
 * Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { expectGolden } from '../helpers/golden.js'
import { LiveClients } from '../../connectors/live-clients.js'
import { buildPlan } from '../../runner/reconcile/planner.js'
import { applyPipelines } from '../../runner/reconcile/apply-executor.js'
import { formatPlan } from '../../runner/reconcile/plan-format.js'
import { avroSchema, cleanup, makeSpec, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > golden plan output')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const clients = new LiveClients(settings)

const normalise = (text: string): string => text.split(sfx).join('<id>').replace(/sha256:[0-9a-f]{64}/g, 'sha256:<hash>')

test.before(() => requireServices(settings, ['postgres', 'kafka', 'registry', 'cassandra']))

test.after(async () => {
  await clients.close()
  await cleanup(settings, sfx)
})

test('create from scratch', async () => {
  const spec = makeSpec({ suffix: sfx, topicConfig: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } })
  const plan = await buildPlan([spec], clients)
  assert.match(formatPlan(plan), /Plan hash: sha256:[0-9a-f]{64}\n$/)
  expectGolden('test/golden/plan/create.txt', normalise(formatPlan(plan)))
  await applyPipelines([spec], clients, { files: ['g.yaml'] })
})

test('verbose plan without changes', async () => {
  const spec = makeSpec({ suffix: sfx, topicConfig: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } })
  expectGolden('test/golden/plan/no-changes-verbose.txt', normalise(formatPlan(await buildPlan([spec], clients), { verbose: true })))
})

test('update, breaking schema, added and retyped columns', async () => {
  const spec = makeSpec({
    suffix: sfx,
    partitions: 4,
    topicConfig: { 'cleanup.policy': 'delete', 'retention.ms': '172800000' },
    schema: avroSchema([{ name: 'id', type: 'string' }, { name: 'age', type: 'long' }, { name: 'country', type: 'string' }]),
    columns: { id: 'uuid', email: 'text', age: 'bigint', country: 'text' },
  })
  expectGolden('test/golden/plan/changes.txt', normalise(formatPlan(await buildPlan([spec], clients))))
})

test('partition decrease is impossible', async () => {
  const spec = makeSpec({ suffix: sfx, partitions: 1, topicConfig: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } })
  expectGolden('test/golden/plan/impossible.txt', normalise(formatPlan(await buildPlan([spec], clients))))
})

test.run()
