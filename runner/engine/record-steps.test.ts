import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { CONNECTOR_CATALOG, compilePipeline } from '../../connectors/index.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { RecordError } from '../../core/errors.js'
import { compileRecordSteps, dlqTopicOf, type Prepared } from './record-steps.js'
import { expectedRow } from '../../test/helpers/users-fixture.js'

function usersSpec(): PipelineSpec {
  const r = compilePipeline('pipelines/users.yaml', readFileSync('pipelines/users.yaml', 'utf8'), { env: { ...process.env, RANDOMUSER_URL: 'http://x/' } })
  assert.ok(r.spec, JSON.stringify(r.diagnostics))
  return r.spec!
}
const errorOf = (p: Prepared): RecordError => { assert.ok('error' in p, JSON.stringify(p)); return (p as { error: RecordError }).error }
const outputsOf = (p: Prepared) => { assert.ok('outputs' in p, JSON.stringify(p)); return (p as { outputs: any[] }).outputs }

const test = suite('runner > engine > record-steps')

test('ingest: the key is login.uuid; the value is validated against the relayed topic schema', async () => {
  const spec = usersSpec()
  const ingest = compileRecordSteps(spec, spec.stages.ingest, CONNECTOR_CATALOG)
  const u: any = generateUser(4, 0)
  const [out] = outputsOf(await ingest({ key: null, value: u, origin: 'o' }))
  assert.is(out.key, u.login.uuid)
  assert.is(out.origin, 'o')
  const bad: any = generateUser(4, 1)
  delete bad.email
  delete bad.phone
  const e = errorOf(await ingest({ key: null, value: bad, origin: 'o' }))
  assert.is(e.reason, 'validation')
  assert.match(e.message, 'does not match the value schema of topic users_created: email: missing; phone: missing')
  const nokey: any = generateUser(4, 2)
  delete nokey.login
  assert.is(errorOf(await ingest({ key: null, value: nokey, origin: 'o' })).reason, 'key')
})

test('store: the transform gives the reference row; a row missing a column is a validation failure', async () => {
  const spec = usersSpec()
  const store = compileRecordSteps(spec, spec.stages.store, CONNECTOR_CATALOG)
  const u: any = generateUser(4, 3)
  const [out] = outputsOf(await store({ key: u.login.uuid, value: u, origin: 'kafka:users_created/0@1' }))
  // transform outputs are null-prototype objects, as jsonata makes them: compare their data
  assert.equal({ ...(out.value as object) }, expectedRow(u))
  assert.is(out.key, u.login.uuid)
  const partial: any = generateUser(4, 4)
  delete partial.picture
  const e = errorOf(await store({ key: 'k', value: partial, origin: 'o' }))
  assert.is(e.reason, 'validation')
  assert.match(e.message, 'picture: missing')
})

test('a transform that fails or runs too long is a transform failure (the stage goes on)', async () => {
  const spec = usersSpec()
  const slow = { ...spec, settings: { transform: { timeout: 50, maxDepth: 500 } } }
  const loop = compileRecordSteps(slow, { ...spec.stages.store, transform: { expr: '($f := function($n){ $n > 0 ? $f($n + 1) : 0 }; $f(1))', pos: spec.stages.store.pos } }, CONNECTOR_CATALOG)
  const t0 = Date.now()
  const e = errorOf(await loop({ key: 'k', value: {}, origin: 'o' }))
  assert.is(e.reason, 'transform')
  assert.match(e.message, /D101[12]/)
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`)
  const spin = compileRecordSteps(slow, { ...spec.stages.store, transform: { expr: '$count([1..20000000].($ * 2))', pos: spec.stages.store.pos } }, CONNECTOR_CATALOG)
  const t1 = Date.now()
  const e2 = errorOf(await spin({ key: 'k', value: {}, origin: 'o' }))
  assert.is(e2.reason, 'transform')
  assert.ok(Date.now() - t1 < 3000, `took ${Date.now() - t1} ms`)
  const nothing = compileRecordSteps(spec, { ...spec.stages.store, transform: { expr: 'missing.field', pos: spec.stages.store.pos } }, CONNECTOR_CATALOG)
  assert.match(errorOf(await nothing({ key: 'k', value: {}, origin: 'o' })).message, 'produced no value')
})

test('dead-letter topic names', () => {
  const spec = usersSpec()
  assert.is(dlqTopicOf(spec, spec.stages.ingest), 'users_created.dlq')
  assert.is(dlqTopicOf(spec, spec.stages.publish), 'users_created.dlq')
  assert.is(dlqTopicOf(spec, spec.stages.store), 'users_created.dlq')
})

test.run()
