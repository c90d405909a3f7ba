import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../index.js'
import { runPipeline } from '../../runner/engine/run-pipeline.js'
import { ConnectionError } from '../../core/errors.js'
import { avroValidator } from '../../dsl/record-validate.js'
import { generateUser } from '../generate/randomuser-generate.js'
import { MemoryBackend } from '../memory/memory-backend.js'
import type { SourceBatch } from '../../core/stream.js'
import { HttpServerSource, type HttpServerSourceOptions } from './http-server-source.js'

const userSchema = JSON.parse(readFileSync('schemas/randomuser_user.avsc', 'utf8'))
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts a bare HttpServerSource whose batches are settled by `settle`. */
async function start(over: Partial<HttpServerSourceOptions>, settle: (b: SourceBatch) => Promise<void> = (b) => b.ack()) {
  const src = new HttpServerSource({ name: 'api', path: '/api/data', port: 0, host: '127.0.0.1', maxBodyBytes: 1 << 20, validator: avroValidator(userSchema), ...over })
  const ac = new AbortController()
  const batches: SourceBatch[] = []
  const running = src.run(async (b) => { batches.push(b); void settle(b) }, ac.signal)
  await src.listening
  const base = `http://127.0.0.1:${src.address()!.port}`
  return { base, batches, stop: async () => { ac.abort(); await running } }
}
const post = (url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })

const test = suite('connectors > http-server')

test('202 {accepted} for one user or an array; GET /healthz', async () => {
  const s = await start({})
  try {
    const one = await post(`${s.base}/api/data`, generateUser(1, 0))
    assert.is(one.status, 202)
    assert.equal(await one.json(), { accepted: 1 })
    const many = await post(`${s.base}/api/data`, [generateUser(1, 1), generateUser(1, 2)], { 'content-type': 'application/json; charset=utf-8' })
    assert.equal(await many.json(), { accepted: 2 })
    assert.is(s.batches[1].records[1].origin, 'http_server:api request=2 index=1')
    assert.is((await fetch(`${s.base}/healthz`)).status, 200)
    assert.is((await fetch(`${s.base}/api/data`)).status, 405)
    assert.is((await post(`${s.base}/other`, {})).status, 404)
  } finally {
    await s.stop()
  }
})

test('400 with every reason of every invalid record, and nothing emitted', async () => {
  const s = await start({})
  try {
    const bad1: any = generateUser(1, 3)
    delete bad1.email
    bad1.location.postcode = true
    const bad2: any = generateUser(1, 4)
    delete bad2.name
    const res = await post(`${s.base}/api/data`, [generateUser(1, 5), bad1, bad2, 7])
    assert.is(res.status, 400)
    const body = await res.json()
    assert.match(body.error, '3 of 4 record(s) invalid')
    assert.equal(body.rejected, [
      { index: 1, reasons: ['location.postcode: expected string or long, got boolean', 'email: missing'] },
      { index: 2, reasons: ['name: missing'] },
      { index: 3, reasons: ['(value): expected a JSON object'] },
    ])
    const garbled = await post(`${s.base}/api/data`, '{"gender": ')
    assert.is(garbled.status, 400)
    assert.match((await garbled.json()).error, 'invalid JSON')
    assert.is(s.batches.length, 0)
  } finally {
    await s.stop()
  }
})

test('415 for a wrong content type, 413 over the size limit (declared or streamed), 401 without the token', async () => {
  const s = await start({ maxBodyBytes: 2000, token: 's3cret' })
  const auth = { 'content-type': 'application/json', authorization: 'Bearer s3cret' }
  try {
    assert.is((await post(`${s.base}/api/data`, generateUser(1, 0))).status, 401)
    assert.is((await post(`${s.base}/api/data`, generateUser(1, 0), { ...auth, authorization: 'Bearer wrong!' })).status, 401)
    assert.is((await post(`${s.base}/api/data`, generateUser(1, 0), auth)).status, 202)
    assert.is((await post(`${s.base}/api/data`, generateUser(1, 0), { ...auth, 'content-type': 'text/plain' })).status, 415)
    const big = await post(`${s.base}/api/data`, Array.from({ length: 10 }, (_, i) => generateUser(1, i)), auth)
    assert.is(big.status, 413)
    // chunked: no Content-Length, the limit is found while reading
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.base}/api/data`, { method: 'POST', headers: { ...auth } }, (res) => { res.resume(); resolve(res.statusCode!) })
      req.on('error', reject)
      for (let i = 0; i < 5; i++) req.write(JSON.stringify(generateUser(1, i)).slice(0, 1000))
      req.end()
    })
    assert.is(status, 413)
    assert.is(s.batches.length, 1)
  } finally {
    await s.stop()
  }
})

test('nack → 503 with Retry-After', async () => {
  const s = await start({}, (b) => b.nack(new ConnectionError('staging database down')))
  try {
    const res = await post(`${s.base}/api/data`, generateUser(1, 0))
    assert.is(res.status, 503)
    assert.is(res.headers.get('retry-after'), '5')
    assert.match((await res.json()).error, 'staging database down')
  } finally {
    await s.stop()
  }
})

test('through the engine: 202 only after the staging commit, then the row reaches the table', async () => {
  const text = readFileSync('pipelines/users.yaml', 'utf8').replace('port: 5000', 'port: 0')
  const { graph, diagnostics } = compilePipeline('pipelines/users.yaml', text, { env: { ...process.env, RANDOMUSER_URL: 'http://unused.invalid/' } })
  assert.ok(graph, JSON.stringify(diagnostics))
  let commitDelay = 300
  const backend = new MemoryBackend({ pipeline: 'users', faults: async (w) => { if (w.kind === 'staging') await wait(commitDelay) } })
  const ac = new AbortController()
  let server!: HttpServerSource
  const run = runPipeline(graph!, backend, { signal: ac.signal, progressMs: 0, graceMs: 2000, onListen: (s) => (server = s as HttpServerSource) })
  try {
    for (let i = 0; i < 100 && !server?.address(); i++) await wait(10)
    const base = `http://127.0.0.1:${server.address()!.port}`
    const staging = () => backend.staging.get('staging_users')?.rows.length ?? 0
    const user: any = generateUser(2, 0)
    let answered = false
    const pending = post(`${base}/api/data`, user).then((r) => { answered = true; return r })
    await wait(150)
    assert.not.ok(answered, 'no answer before the commit')
    assert.is(staging(), 0)
    const res = await pending
    assert.is(res.status, 202)
    assert.is(staging(), 1, 'the row is committed when 202 arrives')
    for (let i = 0; i < 100 && !backend.tables.get('created_users')?.rows.size; i++) await wait(20)
    assert.equal([...backend.tables.get('created_users')!.rows.values()][0].id, user.login.uuid)
    commitDelay = 0
    const bad: any = generateUser(2, 1)
    delete bad.email
    const rejected = await post(`${base}/api/data`, bad)
    assert.is(rejected.status, 400)
    assert.is(staging(), 1, 'nothing written for an invalid request')
  } finally {
    ac.abort()
    const summary = await run
    assert.is(summary.status, 'completed', summary.errors.join('\n'))
  }
})

test.run()
