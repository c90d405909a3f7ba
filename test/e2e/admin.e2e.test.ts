/**
 * The admin endpoint of `rtds run` against the real servers: N users posted to the ingestion API of
 * a unique copy of users.yaml; `/metrics`, parsed by a strict Prometheus text parser (test/helpers/prometheus-text.ts), shows N
 * received and N sent at every stage, the consumer lag back to 0 on every partition, an empty
 * staging backlog, every server up, latency histograms and process metrics; `/healthz` and
 * `/readyz` answer 200; mutations are refused (405).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../integration/connectors-support.js'
import { scrape, sample, samples } from '../helpers/prometheus-text.js'
import { applyLiveCopy, freePort, randomUser, rtds, servePages, startRtds, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > admin endpoint')
let live: LiveCopy | undefined
test.before(async () => {
  live = await applyLiveCopy()
})
test.after(async () => {
  await live?.close()
})

test('N users through the API: received = sent = N per stage, lag back to 0, servers up, ready', async () => {
  const { copy } = live!
  const N = 25
  const empty = await servePages([])
  const adminPort = await freePort()
  const admin = `http://127.0.0.1:${adminPort}`
  const runner = startRtds(['run', copy.file, '--progress', '0', '--admin', `127.0.0.1:${adminPort}`], { RANDOMUSER_URL: empty.url })
  try {
    await waitFor(async () => (await fetch(`${admin}/healthz`).catch(() => undefined))?.ok, 60000, `the admin endpoint (output: ${runner.output()})`)
    const api = `http://127.0.0.1:${copy.apiPort}/api/data`
    const users = Array.from({ length: N }, (_, i) => randomUser(7000 + i, copy.tag))
    const post = (body: unknown) => fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const first = await waitFor(async () => post(users[0]).catch(() => undefined), 60000, `the API (output: ${runner.output()})`)
    assert.is(first.status, 202)
    // the rest in requests of one and of several users
    for (let i = 1; i < N; ) {
      const n = i % 2 ? 1 : 4
      const res = await post(n === 1 ? users[i] : users.slice(i, i + n))
      assert.is(res.status, 202, await res.text())
      i += n
    }
    const m = await waitFor(async () => {
      const f = await scrape(`${admin}/metrics`)
      const stored = sample(f, 'rtds_records_sent_total', { stage: 'store', component: 'created_users' }) ?? 0
      const lag = samples(f, 'rtds_consumer_lag_records', { stage: 'store' })
      // the relay marks rows published after the broker acknowledged: the consumer may store them first
      const backlog = sample(f, 'rtds_staging_backlog_rows', { stage: 'publish' })
      return stored >= N && lag.length > 0 && lag.every((l) => l.value === 0) && backlog === 0 ? f : undefined
    }, 60000, `N stored, lag and backlog 0 on /metrics (output: ${runner.output()})`)
    const pipeline = copy.pipeline
    const at = (stage: string, component: string) => ({ pipeline, stage, component })
    assert.is(sample(m, 'rtds_records_received_total', at('ingest', 'api')), N, 'ingest received N from the API')
    assert.is(sample(m, 'rtds_records_received_total', at('ingest', 'randomuser')), 0, 'nothing pulled (no schedule fired)')
    assert.is(sample(m, 'rtds_records_sent_total', at('ingest', 'staging_users')), N, 'ingest staged N')
    assert.is(sample(m, 'rtds_records_received_total', at('publish', 'staging_users')), N, 'the relay claimed N')
    assert.is(sample(m, 'rtds_records_sent_total', at('publish', copy.topic)), N, 'the relay published N')
    assert.is(sample(m, 'rtds_records_received_total', at('store', copy.topic)), N, 'the consumer read N')
    assert.is(sample(m, 'rtds_records_sent_total', at('store', 'created_users')), N, 'N stored in Cassandra')
    assert.ok((sample(m, 'rtds_received_bytes_total', at('ingest', 'api')) ?? 0) > N * 500, 'bytes received counted')
    const lag = samples(m, 'rtds_consumer_lag_records', { pipeline, stage: 'store', component: copy.topic })
    assert.equal(lag.map((l) => l.labels.partition).sort(), ['0', '1', '2'], 'lag of each of the 3 partitions')
    assert.is(sample(m, 'rtds_staging_backlog_rows', at('publish', 'staging_users')), 0, 'staging backlog empty')
    for (const server of ['kafka', 'registry', 'postgres', 'cassandra']) assert.is(sample(m, 'rtds_server_up', { pipeline, server }), 1, `${server} up`)
    assert.ok((sample(m, 'rtds_write_duration_seconds', at('store', 'created_users')) ?? 0) >= 1, 'write latency observed')
    assert.ok((sample(m, 'rtds_batch_duration_seconds', at('store', 'store')) ?? 0) >= 1, 'batch latency observed')
    assert.ok((sample(m, 'rtds_commit_duration_seconds', at('publish', 'publish')) ?? 0) >= 1, 'commit latency observed')
    assert.is(sample(m, 'rtds_writes_in_flight', at('store', 'store')), 0, 'nothing in flight once stored')
    assert.ok(sample(m, 'rtds_schedule_next_fire_timestamp_seconds', at('ingest', 'randomuser'))! * 1000 > Date.now(), 'next fire time of the @daily schedule in the future')
    assert.ok(m.has('process_cpu_seconds_total') && m.has('process_resident_memory_bytes'), 'process metrics')

    const ready = await fetch(`${admin}/readyz`)
    assert.is(ready.status, 200)
    assert.equal(await ready.json(), { status: 'ready', reasons: [] })
    // rtds status finds the running process and reads the servers
    const status = await rtds(['status', copy.file, '--admin', `127.0.0.1:${adminPort}`, '--json'])
    assert.is(status.code, 0, `${status.stdout}\n${status.stderr}`)
    const [st] = JSON.parse(status.stdout).pipelines
    assert.is(st.running, admin)
    const stage = (n: string) => st.stages.find((x: { name: string }) => x.name === n)
    assert.equal([stage('ingest').received, stage('publish').sent, stage('store').sent, stage('store').lag, stage('publish').backlog], [N, N, N, 0, 0])
    assert.ok(st.servers.every((x: { up: boolean }) => x.up), JSON.stringify(st.servers))
    assert.ok(st.subjects[0].version >= 1, 'subject version')
    assert.equal(st.deadLetters, { total: 0, byReason: {} })
    assert.ok(Date.parse(st.schedules[0].next) > Date.now())
    // partly down: Cassandra unreachable is named, the rest is still reported
    const partly = await rtds(['status', copy.file, '--admin', `127.0.0.1:${adminPort}`, '--json'], { CASSANDRA_CONTACT_POINTS: '127.0.0.1:1' })
    assert.is(partly.code, 1, partly.stderr)
    const doc = JSON.parse(partly.stdout)
    assert.is(doc.error.code, 'SERVER_UNAVAILABLE')
    assert.match(doc.error.message, /cassandra/)
    assert.is(doc.pipelines[0].stages.find((x: { name: string }) => x.name === 'store').lag, 0, 'lag still read from Kafka')

    assert.is((await fetch(`${admin}/metrics`, { method: 'POST' })).status, 405)
    assert.is((await fetch(`${admin}/nope`)).status, 404)
  } finally {
    runner.child.kill('SIGTERM')
    const done = await runner.done
    await empty.close()
    assert.is(done.code, 0, `rtds run did not stop cleanly:\n${done.stdout}\n${done.stderr}`)
  }
})

test.run()
