/**
 * plan/apply against real Cassandra (with Kafka, registry, Postgres): keyspace and table created
 * from scratch, an added column is a safe ALTER TABLE ADD, a column type change and a primary-key
 * change are destructive — refused without --allow-destroy, done with it.
 * Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LiveClients } from '../../connectors/live-clients.js'
import { buildPlan, planHasChanges } from '../../runner/reconcile/planner.js'
import { applyPipelines } from '../../runner/reconcile/apply-executor.js'
import { ConflictError } from '../../core/errors.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { cleanup, makeSpec, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > cassandra')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const clients = new LiveClients(settings)
const ks = `ks_${sfx}`
const cass = cassandraClient(settings)
const spec = (columns?: Record<string, string>, primaryKey?: string[]) => makeSpec({ suffix: sfx, columns, primaryKey })
const tableChange = async (columns?: Record<string, string>, primaryKey?: string[]) =>
  (await buildPlan([spec(columns, primaryKey)], clients)).changes.find((c) => c.kind === 'cassandra_table')!

const liveColumns = async (): Promise<Record<string, string>> => {
  const rs = await cass.execute('SELECT column_name, type, kind FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [ks, 'users'], { prepare: true })
  return Object.fromEntries(rs.rows.map((r) => [r.column_name, `${r.type}${r.kind === 'partition_key' ? ' pk' : ''}`]))
}

test.before(() => requireServices(settings, ['postgres', 'kafka', 'registry', 'cassandra']))

test.after(async () => {
  await cass.shutdown().catch(() => {})
  await clients.close()
  await cleanup(settings, sfx)
})

test('keyspace and table are created, visible in system_schema; re-plan is empty', async () => {
  const plan = await buildPlan([spec()], clients)
  const mine = plan.changes.filter((c) => c.kind.startsWith('cassandra_')).map((c) => `${c.action} ${c.kind} ${c.name}`)
  assert.equal(mine, [`create cassandra_keyspace ${ks}`, `create cassandra_table ${ks}.users`])
  await applyPipelines([spec()], clients, { files: ['c.yaml'] })
  const rs = await cass.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [ks], { prepare: true })
  assert.is(rs.rows[0].replication.replication_factor, '1')
  assert.equal(await liveColumns(), { id: 'uuid pk', email: 'text', age: 'int' })
  assert.is(planHasChanges(await buildPlan([spec()], clients)), false)
})

test('an added column is a safe ALTER TABLE ADD', async () => {
  const cols = { id: 'uuid', email: 'text', age: 'int', nickname: 'text' }
  const c = await tableChange(cols)
  assert.is(c.action, 'update')
  assert.is(c.destructive, false)
  assert.equal(c.steps, [{ op: 'cql', cql: `ALTER TABLE "${ks}"."users" ADD "nickname" text` }])
  await cass.execute(`INSERT INTO "${ks}"."users" (id, email, age) VALUES (uuid(), 'a@b.c', 3)`)
  await applyPipelines([spec(cols)], clients, { files: ['c.yaml'] })
  assert.is((await liveColumns()).nickname, 'text')
  const n = await cass.execute(`SELECT count(*) AS n FROM "${ks}"."users"`)
  assert.is(Number(n.rows[0].n), 1, 'the row survived')
})

test('a column type change is destructive: refused without --allow-destroy, done with it', async () => {
  const cols = { id: 'uuid', email: 'text', age: 'bigint', nickname: 'text' }
  const c = await tableChange(cols)
  assert.is(c.action, 'replace')
  assert.is(c.destructive, true)
  assert.ok(c.details.some((d) => d.attr === 'column age' && d.from === 'int' && d.to === 'bigint' && d.mark === '-'))
  await applyPipelines([spec(cols)], clients, { files: ['c.yaml'] }).then(
    () => assert.unreachable('needs --allow-destroy'),
    (err) => {
      assert.instance(err, ConflictError)
      assert.match((err as Error).message, new RegExp(`destroys data \\(cassandra_table ${ks}\\.users\\)`))
    },
  )
  assert.is((await liveColumns()).age, 'int', 'nothing changed')
  await applyPipelines([spec(cols)], clients, { files: ['c.yaml'], allowDestroy: true })
  assert.is((await liveColumns()).age, 'bigint')
  assert.is(planHasChanges(await buildPlan([spec(cols)], clients)), false)
})

test('a primary key change is destructive; a dropped column too', async () => {
  const cols = { id: 'uuid', email: 'text', age: 'bigint', nickname: 'text' }
  const pk = await tableChange(cols, ['email'])
  assert.is(pk.action, 'replace')
  assert.ok(pk.details.some((d) => d.attr === 'primary key' && d.from === '((id))' && d.to === '((email))'))
  const dropped = await tableChange({ id: 'uuid', email: 'text', age: 'bigint' })
  assert.is(dropped.action, 'update')
  assert.is(dropped.destructive, true)
  await applyPipelines([spec({ id: 'uuid', email: 'text', age: 'bigint' })], clients, { files: ['c.yaml'] }).then(
    () => assert.unreachable('needs --allow-destroy'),
    (err) => assert.instance(err, ConflictError),
  )
  await applyPipelines([spec(cols, ['email'])], clients, { files: ['c.yaml'], allowDestroy: true })
  assert.is((await liveColumns()).email, 'text pk')
})

test.run()
