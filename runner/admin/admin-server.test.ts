import { readFileSync } from 'node:fs'
import http from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { EventBus } from '../../core/events.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { runPipeline } from '../engine/run-pipeline.js'
import { parseExposition, sample } from '../../test/helpers/prometheus-text.js'
import { isLoopback, parseAdminAddress, startAdminServer } from './admin-server.js'
import { Readiness } from './readiness.js'
import { ScheduleTriggers } from '../scheduler/triggers.js'

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

test('console: / and its assets served; /api/graph has every node with live figures; POSTs refused cross-origin, without JSON, without the token beyond loopback', async () => {
  const r = compilePipeline('pipelines/users.yaml', readFileSync('pipelines/users.yaml', 'utf8'), { env: { ...process.env, RANDOMUSER_URL: 'http://127.0.0.1:1/' } })
  const graph = r.graph!
  const backend = new MemoryBackend({ pipeline: graph.pipeline })
  const events = new EventBus()
  const triggers = new ScheduleTriggers()
  let fired = 0
  triggers.register('randomuser', () => fired++)
  const pipelines = [{ spec: graph.spec, backend, events, graph, triggers }]
  const admin = await startAdminServer({ host: '127.0.0.1', port: 0, pipelines, probeIntervalMs: 0 })
  // as if bound beyond loopback (the guard reads the configured host): with and without a token
  const open = await startAdminServer({ host: '0.0.0.0', port: 0, pipelines, probeIntervalMs: 0 })
  const locked = await startAdminServer({ host: '0.0.0.0', port: 0, pipelines, probeIntervalMs: 0, token: 's3cret-token' })
  try {
    const page = await fetch(`${admin.url}/`)
    assert.is(page.status, 200)
    assert.match(await page.text(), /<script src="console.js"/)
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    for (const asset of ['/console.js', '/console.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css']) assert.is((await fetch(admin.url + asset)).status, 200, asset)

    events.emit({ type: 'batch.read', stage: 'store', component: 'users_created', records: 3 })
    events.emit({ type: 'records.written', stage: 'store', component: 'created_users', records: 2, ms: 1 })
    events.emit({ type: 'record.dead_lettered', stage: 'store', component: 'users_created.dlq', dlqTopic: 'users_created.dlq', reason: 'transform', error: 'x', origin: 'o' })
    events.emit({ type: 'lag', stage: 'store', component: 'users_created', topic: 'users_created', partition: 0, lag: 7 })
    const g = (await (await fetch(`${admin.url}/api/graph`)).json()) as any
    const nodes = g.pipelines[0].nodes
    assert.equal(nodes.map((n: any) => n.id).sort(), graph.nodes.map((n) => n.id).sort())
    const store = nodes.find((n: any) => n.id === 'stage:store')
    assert.equal([store.received, store.sent, store.deadLettered, store.lag, store.health], [3, 2, 1, 7, 'warn'])
    assert.is(nodes.find((n: any) => n.id === 'stage:publish').health, 'ok')
    const rates = (await (await fetch(`${admin.url}/api/rates`)).json()) as any
    assert.ok(rates.pipelines.users.length >= 1)
    const dlq = await fetch(`${admin.url}/api/dlq`)
    assert.is(dlq.status, 200)
    assert.is(((await dlq.json()) as any).status, 'unavailable', 'no dead letters in embedded mode')

    const trigger = (url: string, headers: Record<string, string> = {}, body: unknown = { source: 'randomuser' }) =>
      fetch(`${url}/api/runs/trigger`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    assert.is((await trigger(admin.url, { origin: 'http://evil.example' })).status, 403)
    assert.is((await trigger(admin.url, { 'sec-fetch-site': 'cross-site' })).status, 403)
    assert.is((await trigger(admin.url, { 'content-type': 'text/plain' })).status, 415)
    assert.is((await fetch(`${admin.url}/api/runs/trigger`)).status, 405)
    assert.is(fired, 0)
    assert.is((await trigger(admin.url, { origin: admin.url, 'sec-fetch-site': 'same-origin' })).status, 200)
    assert.is(fired, 1)
    assert.is((await trigger(admin.url, {}, { source: 'api' })).status, 409, 'not a scheduled source')
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${admin.url}/api/graph`)
      http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: { host: `evil.example:${u.port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      }).on('error', reject)
    })
    assert.is(rebound, 403, 'a Host that is not loopback (DNS rebinding) is refused')
    const noToken = await trigger(open.url)
    assert.is(noToken.status, 403)
    assert.match(await noToken.text(), /--admin-token/)
    assert.is((await trigger(locked.url)).status, 401)
    assert.is((await trigger(locked.url, { authorization: 'Bearer wrong-token!' })).status, 401)
    assert.is((await trigger(locked.url, { authorization: 'Bearer s3cret-token' })).status, 200)
    assert.is(fired, 2)
  } finally {
    await admin.close()
    await open.close()
    await locked.close()
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
