import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectionError, RtdsError } from '../../core/errors.js'
import { generateUsers } from '../generate/randomuser-generate.js'
import { HttpSource, pullUrl } from './http-source.js'

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  let n = 0
  const urls: string[] = []
  const server = createServer((req, res) => { urls.push(req.url ?? ''); handler(req, res, ++n) })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    urls,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}
const json = (res: ServerResponse, status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)) }
const fast = { initialDelayMs: 5, maxDelayMs: 20 }

const test = suite('connectors > http')

test('GET with results=N, records selected by JSONata, one page per pull with origins', async () => {
  const s = await serve((req, res) => {
    const n = Number(new URL(req.url!, 'http://x').searchParams.get('results'))
    json(res, 200, { results: generateUsers(1, n), info: { results: n } })
  })
  try {
    const src = new HttpSource({ name: 'randomuser', url: s.url + '?nat=de', results: 5, records: 'results', timeoutMs: 1000, retries: 0 })
    const a = await src.pull(new AbortController().signal)
    const b = await src.pull(new AbortController().signal)
    assert.is(a.length, 5)
    assert.equal(a.map((r) => r.value), generateUsers(1, 5))
    assert.is(b[4].origin, 'http:randomuser page=2 index=4')
    assert.match(s.urls[0], /^\/api\/\?nat=de&results=5$/)
  } finally {
    await s.close()
  }
  assert.is(pullUrl('http://h/api/?results=1', 10), 'http://h/api/?results=10')
})

test('retries on 500 and 429 with backoff, then succeeds', async () => {
  const s = await serve((_req, res, n) => (n === 1 ? json(res, 500, {}) : n === 2 ? json(res, 429, {}) : json(res, 200, { results: [{ a: 1 }] })))
  try {
    const lines: string[] = []
    const src = new HttpSource({ name: 'r', url: s.url, records: 'results', timeoutMs: 1000, retries: 3, backoff: fast, log: (l) => lines.push(l) })
    const out = await src.pull(new AbortController().signal)
    assert.equal(out.map((r) => r.value), [{ a: 1 }])
    assert.is(s.urls.length, 3)
    assert.is(lines.length, 2)
    assert.match(lines[0], 'answered 500')
  } finally {
    await s.close()
  }
})

test('a request slower than the timeout is retried; exhausted retries throw a ConnectionError', async () => {
  const s = await serve((_req, res, n) => { if (n <= 1) setTimeout(() => json(res, 200, { results: [] }), 500); else json(res, 200, { results: [{ ok: n }] }) })
  try {
    const src = new HttpSource({ name: 'r', url: s.url, records: 'results', timeoutMs: 100, retries: 2, backoff: fast })
    const t0 = Date.now()
    const out = await src.pull(new AbortController().signal)
    assert.equal(out.map((r) => r.value), [{ ok: 2 }])
    assert.ok(Date.now() - t0 < 450, 'did not wait for the slow answer')
  } finally {
    await s.close()
  }
  const dead = await serve((_req, res) => setTimeout(() => json(res, 200, {}), 400))
  try {
    const err = await new HttpSource({ name: 'r', url: dead.url, timeoutMs: 50, retries: 1, backoff: fast }).pull(new AbortController().signal).catch((e) => e)
    assert.instance(err, ConnectionError)
    assert.match(err.message, 'timed out after 50 ms')
    assert.is(dead.urls.length, 2)
  } finally {
    await dead.close()
  }
})

test('404 fails at once (not retriable); a refused connection is a retriable ConnectionError', async () => {
  const s = await serve((_req, res) => json(res, 404, {}))
  try {
    const err = await new HttpSource({ name: 'r', url: s.url, timeoutMs: 500, retries: 3, backoff: fast }).pull(new AbortController().signal).catch((e) => e)
    assert.instance(err, RtdsError)
    assert.not.ok(err.retriable)
    assert.is(s.urls.length, 1)
  } finally {
    await s.close()
  }
  const closed = await serve(() => {})
  await closed.close()
  const err = await new HttpSource({ name: 'r', url: closed.url, timeoutMs: 500, retries: 1, backoff: fast }).pull(new AbortController().signal).catch((e) => e)
  assert.instance(err, ConnectionError)
  assert.match(err.message, 'ECONNREFUSED')
})

test.run()
