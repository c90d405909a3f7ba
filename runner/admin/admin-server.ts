/**
 * The admin endpoint of `rtds run` (`--admin 127.0.0.1:9464`, not the ingestion API's port):
 * `GET /metrics` (Prometheus text, runner/admin/pipeline-metrics.ts), `GET /healthz` (the process
 * is alive), `GET /readyz` (200, or 503 with the reasons: runner/admin/readiness.ts). Before
 * answering `/metrics` or `/readyz`, probes older than a second are refreshed (bounded), so lag and
 * server health are current. `GET /api/stages`: records received, sent and dead-lettered per
 * pipeline and stage (JSON, read by `rtds status`).
 *
 * The web console: `GET /` (runner/admin/console/, static files from the package) and its JSON
 * (runner/admin/console-api.ts): `/api/graph`, `/api/rates`, `/api/dlq`, `/api/runs`,
 * `/api/status`, and two mutating POSTs, `/api/dlq/replay` and `/api/runs/trigger`, which refuse
 * cross-origin requests and need the admin token when the endpoint is bound beyond loopback.
 * Any other method is refused (405).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { EventBus } from '../../core/events.js'
import type { Backend } from '../../connectors/backend.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { UsageError } from '../../core/errors.js'
import { PipelineMetrics } from './pipeline-metrics.js'
import { Readiness } from './readiness.js'
import { startObserver, type Observer } from './observer.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { ScheduleTriggers } from '../scheduler/triggers.js'
import { ConsoleApi } from './console-api.js'

/** One pipeline the endpoint reports on. */
export interface AdminPipeline {
  readonly spec: PipelineSpec
  readonly backend: Backend
  readonly events: EventBus
  /** The compiled graph (the console: graph, dead letters, replay). */
  readonly graph?: TaskGraph
  /** "Run now" of its scheduled sources. */
  readonly triggers?: ScheduleTriggers
}

export interface AdminServerOptions {
  readonly host: string
  /** 0: any free port. */
  readonly port: number
  readonly pipelines: readonly AdminPipeline[]
  /** Interval of the lag/backlog/health probes, default 5 s. */
  readonly probeIntervalMs?: number
  /** Retrying without progress for this long makes `/readyz` 503 (default 30 s). */
  readonly stuckMs?: number
  /** Token the console's POSTs need (`--admin-token`); required when `host` is not loopback. */
  readonly token?: string
}

/** A running admin endpoint. */
export interface AdminServer {
  /** `http://host:port` */
  readonly url: string
  readonly metrics: PipelineMetrics
  readonly readiness: Readiness
  close(): Promise<void>
}

/** Parses `--admin`: `off`, `host:port`, `:port` or `port` (host 127.0.0.1). Undefined for `off`. */
export function parseAdminAddress(value: string): { host: string; port: number } | undefined {
  if (/^(off|false|no|none)$/i.test(value.trim())) return undefined
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(value.trim())
  const port = m ? Number(m[2]) : NaN
  if (!m || port > 65535) throw new UsageError(`invalid --admin ${JSON.stringify(value)}`, { hint: 'use host:port (e.g. 127.0.0.1:9464), :port, or off' })
  const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '')
  return { host, port }
}

/** Whether `host` is a loopback address (mutating actions need no token there). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

/** Starts the endpoint; rejects when the address cannot be bound (e.g. EADDRINUSE). */
export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const metrics = new PipelineMetrics()
  const readiness = new Readiness({ stuckMs: opts.stuckMs })
  const unsubscribe: (() => void)[] = []
  const observers: Observer[] = []
  for (const p of opts.pipelines) {
    unsubscribe.push(metrics.watch(p.spec, p.events), readiness.watch(p.spec.pipeline, p.events))
    observers.push(startObserver({ spec: p.spec, backend: p.backend, events: p.events, intervalMs: opts.probeIntervalMs }))
  }
  const consoleApi = new ConsoleApi({ pipelines: opts.pipelines, host: opts.host, token: opts.token })
  const fresh = async (): Promise<void> => {
    const stale = observers.filter((o) => Date.now() - o.last > 1000)
    if (!stale.length) return
    await Promise.race([Promise.all(stale.map((o) => o.refresh())), new Promise((r) => setTimeout(r, 4000).unref())])
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
      res.end(body)
    }
    const json = (status: number, body: unknown): void => send(status, 'application/json; charset=utf-8', JSON.stringify(body) + '\n')
    if (await consoleApi.handle(req, res, path)) return
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      return json(405, { status: 'error', error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` } })
    }
    switch (path) {
      case '/metrics':
        await fresh()
        return send(200, metrics.contentType, await metrics.text())
      case '/api/stages':
        return json(200, { status: 'ok', at: Date.now(), pipelines: await metrics.stageTotals() })
      case '/healthz':
        return json(200, { status: 'ok' })
      case '/readyz': {
        await fresh()
        const reasons = readiness.reasons()
        return json(reasons.length ? 503 : 200, { status: reasons.length ? 'not ready' : 'ready', reasons })
      }
      default:
        return json(404, { status: 'error', error: { code: 'not_found', message: `no ${path}: try / (the console), /metrics, /healthz or /readyz` } })
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`internal error: ${err.message}\n`)
    })
  })
  server.requestTimeout = 10_000
  server.headersTimeout = 5_000
  const stopAll = (): void => {
    for (const u of unsubscribe) u()
    for (const o of observers) o.stop()
    consoleApi.close()
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    stopAll()
    throw err
  }
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}`,
    metrics,
    readiness,
    close: () => {
      stopAll()
      return new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      })
    },
  }
}
