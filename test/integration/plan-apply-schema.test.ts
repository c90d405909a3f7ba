/**
 * plan/apply against the real registry (+ Kafka, Postgres): compatible evolution (a field added
 * with a default) is a plain update; an incompatible one (a required field removed, a type changed)
 * is flagged breaking with the field named, refused by apply without --allow-breaking.
 * Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LiveClients } from '../../connectors/live-clients.js'
import { buildPlan } from '../../runner/reconcile/planner.js'
import { applyPipelines } from '../../runner/reconcile/apply-executor.js'
import { formatPlan } from '../../runner/reconcile/plan-format.js'
import { ConflictError } from '../../core/errors.js'
import { avroSchema, cleanup, makeSpec, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > schema evolution')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const clients = new LiveClients(settings)
const subject = `plan_${sfx}-value`
const spec = (schema?: unknown) => makeSpec({ suffix: sfx, withCassandra: false, schema })
const subjectChange = async (schema?: unknown) => (await buildPlan([spec(schema)], clients)).changes.find((c) => c.name === subject)!

const base = [
  { name: 'id', type: 'string' },
  { name: 'email', type: 'string' },
  { name: 'age', type: 'int' },
]

test.before(() => requireServices(settings, ['postgres', 'kafka', 'registry']))

test.after(async () => {
  await clients.close()
  await cleanup(settings, sfx)
})

test('version 1 is registered on create, with the FULL compatibility level', async () => {
  const c = await subjectChange()
  assert.is(c.action, 'create')
  await applyPipelines([spec()], clients, { files: ['t.yaml'] })
  const again = await subjectChange()
  assert.is(again.action, 'unchanged', 'the same schema, re-read from the registry, is unchanged (normal form)')
  assert.equal(again.live, { version: 1, schema: (again.live as { schema: string }).schema, level: 'FULL' })
})

test('whitespace and key order do not make a diff', async () => {
  const shuffled = { fields: base.map((f) => ({ type: { type: f.type }, name: f.name })), namespace: 'rtds.test', name: 'PlanUser', type: 'record' }
  assert.is((await subjectChange(shuffled)).action, 'unchanged')
})

test('a field added with a default is a compatible new version', async () => {
  const v2 = avroSchema([...base, { name: 'nickname', type: ['null', 'string'], default: null }])
  const c = await subjectChange(v2)
  assert.is(c.action, 'update')
  assert.is(c.breaking, false)
  assert.is(c.verdict?.compatible, true)
  await applyPipelines([spec(v2)], clients, { files: ['t.yaml'] })
  const after = await subjectChange(v2)
  assert.is(after.action, 'unchanged')
  assert.is((after.live as { version: number }).version, 2)
})

test('a removed required field is breaking and named; apply refuses without --allow-breaking', async () => {
  const v3 = avroSchema([base[0], base[2], { name: 'nickname', type: ['null', 'string'], default: null }])
  const plan = await buildPlan([spec(v3)], clients)
  const c = plan.changes.find((x) => x.name === subject)!
  assert.is(c.breaking, true)
  assert.is(c.verdict?.compatible, false, 'verdict comes from the registry')
  assert.equal(c.verdict?.breakingFields, ['email: removed (it had no default)'])
  const text = formatPlan(plan)
  assert.match(text, /!! registry_subject plan_\w+-value/)
  assert.match(text, /!!\s+breaks: email: removed \(it had no default\)/)
  try {
    await applyPipelines([spec(v3)], clients, { files: ['t.yaml'] })
    assert.unreachable('apply must refuse')
  } catch (err) {
    assert.instance(err, ConflictError)
    assert.match((err as Error).message, /email: removed/)
  }
  assert.is((await subjectChange(v3)).action, 'update', 'nothing was registered')
})

test('a type change is breaking and named; --allow-breaking registers it', async () => {
  const v3 = avroSchema([base[0], base[1], { name: 'age', type: 'string' }, { name: 'nickname', type: ['null', 'string'], default: null }])
  const c = await subjectChange(v3)
  assert.is(c.breaking, true)
  assert.equal(c.verdict?.breakingFields, ['age: type changed from int to string'])
  await applyPipelines([spec(v3)], clients, { files: ['t.yaml'], allowBreaking: true })
  const after = await subjectChange(v3)
  assert.is(after.action, 'unchanged')
  assert.equal(after.live, { version: 3, schema: (after.live as { schema: string }).schema, level: 'FULL' }, 'level restored after the forced registration')
})

test.run()
