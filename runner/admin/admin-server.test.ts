import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { EventBus } from '../../core/events.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { runPipeline } from '../engine/run-pipeline.js'
import { parseExposition, sample } from '../../test/helpers/prometheus-text.js'
import { isLoopback, parseAdminAddress, startAdminServer } from './admin-server.js'
import { Readiness } from './readiness.js'

const test = suite('runner > admin > admin-server')

test('parseAdminAddress: host:port, :port, port, off; garbage is a usage error', () => {
  assert.equal(parseAdminAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 })
  assert.equal(parseAdminAddress(':0'), { host: '127.0.0.1', port: 0 })
  assert.equal(parseAdminAddress('9000'), { host: '127.0.0.1', port: 9000 })
  assert.equal(parseAdminAddress('[::1]:9464'), { host: '::1', port: 9464 })
  assert.is(parseAdminAddress('off'), undefined)
  assert.throws(() => parseAdminAddress('127.0.0.1:99999'), /invalid --admin/)
  assert.throws(() => parseAdminAddress('http://x'), /invalid --admin/)
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && !isLoopback('0.0.0.0'))
})

test('an embedded run of users.yaml: /metrics counts what every stage received and sent', async () => {
  const r = compilePipeline('pipelines/users.yaml', readFileSync('pipelines/users.yaml', 'utf8'), { env: { ...process.env, RANDOMUSER_URL: 'http://127.0.0.1:1/' } })
  const graph = r.graph!
  const backend = new MemoryBackend({ pipeline: graph.pipeline })
  const events = new EventBus()
  const admin = await startAdminServer({ host: '127.0.0.1', port: 0, pipelines: [{ spec: graph.spec, backend, events }], probeIntervalMs: 0 })
  try {
    const summary = await runPipeline(graph, backend, { once: true, runFor: 0, progressMs: 0, events })
    assert.is(summary.status, 'completed', summary.errors.join('\n'))
    const res = await fetch(`${admin.url}/metrics`)
    const m = parseExposition(await res.text())
    const n = summary.stages.ingest.in
    assert.ok(n > 0)
    const at = (stage: string, component: string) => ({ pipeline: 'users', stage, component })
    assert.is(sample(m, 'rtds_records_received_total', at('ingest', 'randomuser')), n)
    assert.is(sample(m, 'rtds_records_sent_total', at('ingest', 'staging_users')), summary.stages.ingest.out)
    assert.is(sample(m, 'rtds_records_received_total', at('publish', 'staging_users')), summary.stages.publish.in)
    assert.is(sample(m, 'rtds_records_sent_total', at('store', 'created_users')), summary.recordsStored)
    assert.is(sample(m, 'rtds_schedule_last_run_outcome', { ...at('ingest', 'randomuser'), outcome: 'succeeded' }), 1)
    assert.is(sample(m, 'rtds_schedule_runs_total', { ...at('ingest', 'randomuser'), outcome: 'succeeded' }), 1)
    assert.ok(sample(m, 'rtds_schedule_last_run_end_timestamp_seconds', at('ingest', 'randomuser'))! >= sample(m, 'rtds_schedule_last_run_start_timestamp_seconds', at('ingest', 'randomuser'))!)
    assert.is((await fetch(`${admin.url}/healthz`)).status, 200)
    assert.is((await fetch(`${admin.url}/readyz`)).status, 200)
  } finally {
    await admin.close()
    await backend.close()
  }
})

test('readiness: a server down or a stage retrying without progress past stuckMs → reasons; progress clears them', () => {
  let now = 0
  const ready = new Readiness({ stuckMs: 30_000, now: () => now })
  const bus = new EventBus()
  ready.watch('p', bus)
  assert.equal(ready.reasons(), [])
  bus.emit({ type: 'server.health', server: 'cassandra', up: false, error: 'no answer within 3000 ms' })
  assert.equal(ready.reasons(), ['p: cassandra is unreachable (no answer within 3000 ms)'])
  bus.emit({ type: 'server.health', server: 'cassandra', up: true })
  bus.emit({ type: 'retry', stage: 'store', component: 'created_users', what: 'write', attempt: 1, delayMs: 100, error: 'Cassandra down' })
  now = 29_000
  assert.equal(ready.reasons(), [])
  now = 31_000
  assert.match(ready.reasons().join(), /p: store stuck: retrying for 31 s \(Cassandra down\)/)
  bus.emit({ type: 'records.written', stage: 'store', component: 'created_users', records: 1, ms: 3 })
  assert.equal(ready.reasons(), [])
})

test.run()
