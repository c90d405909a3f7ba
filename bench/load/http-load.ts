/**
 * A keep-alive HTTP load generator for the ingestion API: `connections` sockets, each sending the
 * next body as soon as its previous answer arrived (closed loop), or paced to `ratePerSec` requests
 * per second overall (open loop, for latency at a given rate). Latencies are per request.
 */
import http from 'node:http'

export interface LoadResult {
  readonly requests: number
  /** Requests answered 202. */
  readonly accepted: number
  /** Users accepted (a 202's `accepted` count). */
  readonly users: number
  readonly failed: number
  /** Why requests failed: `<status or error code>: <message>` → how many (a few distinct reasons). */
  readonly failures: Record<string, number>
  readonly seconds: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Accepted users and when their request was sent / answered (ms since the start). */
  readonly answers: { readonly index: number; readonly sentAt: number; readonly answeredAt: number }[]
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export interface LoadOptions {
  readonly url: string
  readonly connections: number
  /** The request bodies (JSON text), sent in order. */
  readonly bodies: readonly string[]
  /** Stop sending after this long (ms). */
  readonly maxMs: number
  /** Open loop: requests per second overall (default: closed loop, as fast as answers come). */
  readonly ratePerSec?: number
  /** Called once in a while with the requests answered so far. */
  readonly onProgress?: (answered: number) => void
  /** Called on every 202 with the body's index and when it was answered (performance.now()). */
  readonly onAccepted?: (index: number, answeredAt: number) => void
}

export async function httpLoad(opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections })
  const url = new URL(opts.url)
  const latencies: number[] = []
  const answers: { index: number; sentAt: number; answeredAt: number }[] = []
  let next = 0, accepted = 0, users = 0, failed = 0
  const failures: Record<string, number> = {}
  const fail = (reason: string): void => {
    failed++
    const key = reason.slice(0, 200)
    if (key in failures || Object.keys(failures).length < 10) failures[key] = (failures[key] ?? 0) + 1
  }
  const t0 = performance.now()
  const deadline = t0 + opts.maxMs
  const post = (index: number): Promise<void> => new Promise((resolve) => {
    const body = opts.bodies[index]
    const sentAt = performance.now() - t0
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (text += d))
      res.on('end', () => {
        const answeredAt = performance.now() - t0
        latencies.push(answeredAt - sentAt)
        if (res.statusCode === 202) {
          accepted++
          users += Number((JSON.parse(text) as { accepted?: number }).accepted ?? 0)
          answers.push({ index, sentAt, answeredAt })
          opts.onAccepted?.(index, performance.now())
        } else fail(`${res.statusCode}: ${errorOf(text)}`)
        if ((accepted + failed) % 2000 === 0) opts.onProgress?.(accepted + failed)
        resolve()
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => { fail(`${err.code ?? 'error'}: ${err.message}`); resolve() })
    req.end(body)
  })
  if (opts.ratePerSec) {
    const inflight = new Set<Promise<void>>()
    const interval = 1000 / opts.ratePerSec
    while (next < opts.bodies.length && performance.now() < deadline) {
      const due = t0 + next * interval
      const wait = due - performance.now()
      if (wait > 1) await new Promise((r) => setTimeout(r, wait))
      const p = post(next++).finally(() => inflight.delete(p))
      inflight.add(p)
    }
    await Promise.all(inflight)
  } else {
    await Promise.all(Array.from({ length: opts.connections }, async () => {
      while (next < opts.bodies.length && performance.now() < deadline) await post(next++)
    }))
  }
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { requests: latencies.length, accepted, users, failed, failures, seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), answers }
}

/** The `error` of a JSON error body, else the text. */
function errorOf(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: unknown }).error
    return typeof e === 'string' ? e : text
  } catch {
    return text
  }
}
