/**
 * `rtds plan` / `rtds apply` as a user runs them, on a temporary copy of pipelines/users.yaml with
 * unique names (topic `users_created_<id>`, keyspace `ks_<id>`, database `rtds_<id>`): exit codes
 * (--detailed-exitcode), the done check of the issue, an invalid file applying nothing, a server
 * that is down. Needs the services: `npm run services:up`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { REPO_ROOT } from '../helpers/golden.js'
import { kafka } from '../../connectors/kafka/client.js'
import { maintenanceUrl } from '../../connectors/live-clients.js'
import { cleanup, testSettings, uniqueSuffix, requireServices } from './plan-apply-fixtures.js'

const test = suite('integration > plan-apply > cli')
const sfx = uniqueSuffix()
const settings = testSettings(sfx)
const topic = `users_created_${sfx}`
const keyspace = `ks_${sfx}`
const dir = join(tmpdir(), `rtds-plan-${sfx}`)
const file = join(dir, 'pipelines', 'users.yaml')
const env = { ...process.env, DATABASE_URL: settings.databaseUrl, RANDOMUSER_URL: 'http://127.0.0.1:9/api/' }

function rtds(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/integration/plan-apply-cli.ts'), ...args], {
    cwd: REPO_ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000,
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: maintenanceUrl(settings.databaseUrl) })
  await c.connect()
  try {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
  } finally {
    await c.end()
  }
}

test.before(async () => {
  await requireServices(settings, ['postgres', 'kafka', 'registry', 'cassandra'])
  mkdirSync(join(dir, 'pipelines'), { recursive: true })
  cpSync(join(REPO_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true })
  cpSync(join(REPO_ROOT, 'pipelines/transforms'), join(dir, 'pipelines/transforms'), { recursive: true })
  const text = readFileSync(join(REPO_ROOT, 'pipelines/users.yaml'), 'utf8')
    .replace(/\busers_created\b/g, topic)
    .replace(/keyspace: spark_streams/, `keyspace: ${keyspace}`)
  writeFileSync(file, text)
})

test.after(async () => {
  rmSync(dir, { recursive: true, force: true })
  await cleanup(settings, sfx, { topic, keyspace })
})

test('an invalid file: apply exits 1, prints the diagnostic, touches nothing', async () => {
  const bad = join(dir, 'pipelines', 'bad.yaml')
  writeFileSync(bad, readFileSync(file, 'utf8').replace('partitions: 3', 'partitions: three'))
  try {
    const r = rtds(['apply', file, bad])
    assert.is(r.code, 1, r.out + r.err)
    assert.match(r.err, /bad\.yaml:\d+:\d+ error RTDS\d+ .*partitions/)
    assert.match(r.err, /nothing was planned or applied/)
    assert.is(await databaseExists(`rtds_${sfx}`), false, 'not even the database was created')
    const admin = kafka(settings).admin()
    await admin.connect()
    const topics = await admin.listTopics()
    await admin.disconnect()
    assert.not.ok(topics.includes(topic))
  } finally {
    rmSync(bad)
  }
})

test('done check: plan lists the creates (exit 2), apply creates them, a second plan exits 0', () => {
  const plan = rtds(['plan', file, '--detailed-exitcode'])
  assert.is(plan.code, 2, plan.out + plan.err)
  for (const line of [
    `  + postgres_table rtds.staging_users`,
    `  + kafka_topic ${topic}`,
    `  + kafka_topic ${topic}.dlq`,
    `  + registry_subject ${topic}-value`,
    `  + cassandra_keyspace ${keyspace}`,
    `  + cassandra_table ${keyspace}.created_users`,
  ]) assert.ok(plan.out.includes(line + '\n'), `missing "${line}" in:\n${plan.out}`)
  assert.match(plan.out, /Plan: 8 to create, 0 to update, 0 to destroy, 0 impossible\.\nPlan hash: sha256:[0-9a-f]{64}\n$/)
  const hash = /Plan hash: (sha256:[0-9a-f]{64})/.exec(plan.out)![1]
  const apply = rtds(['apply', file, '--plan-hash', hash])
  assert.is(apply.code, 0, apply.out + apply.err)
  assert.match(apply.out, /Apply complete: 7 created, 0 updated, 0 re-created\. Recorded as apply #1 in rtds\.applies\./)
  const again = rtds(['plan', file, '--detailed-exitcode'])
  assert.is(again.code, 0, again.out + again.err)
  assert.match(again.out, /^No changes\. The live systems match the files \(8 resources\)\./)
  const second = rtds(['apply', file])
  assert.is(second.code, 0)
  assert.match(second.out, /No changes: the live systems already match the files\. Recorded as apply #2/)
})

test('--json plan: summary, hash and changes', () => {
  const r = rtds(['plan', file, '--json'])
  assert.is(r.code, 0, r.err)
  const doc = JSON.parse(r.out)
  assert.equal(doc.files, [file])
  assert.match(doc.hash, /^sha256:[0-9a-f]{64}$/)
  assert.is(doc.summary.unchanged, 8)
  assert.ok(doc.changes.every((c: { action: string }) => c.action === 'unchanged'))
})

test('a server that is down: the address and `npm run services:up` are named; exit 2 (1 with --detailed-exitcode)', () => {
  const r = rtds(['plan', file], { KAFKA_BROKERS: '127.0.0.1:1' })
  assert.is(r.code, 2, r.out + r.err)
  assert.match(r.err, /Kafka at 127\.0\.0\.1:1 is unavailable/)
  assert.match(r.err, /npm run services:up/)
  const d = rtds(['plan', file, '--detailed-exitcode'], { SCHEMA_REGISTRY_URL: 'http://u:s3cret@127.0.0.1:1/apis/ccompat/v7' })
  assert.is(d.code, 1, d.out + d.err)
  assert.match(d.err, /schema registry at http:\/\/u:\*\*\*@127\.0\.0\.1:1\/apis\/ccompat\/v7 is unavailable/)
  assert.not.match(d.err + d.out, /s3cret/)
})

test.run()
