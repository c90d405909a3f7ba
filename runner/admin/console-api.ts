/**
 * The web console of the admin endpoint: `GET /` and its static files (runner/admin/console/, from
 * the package; uPlot from node_modules), and the JSON it polls:
 * - `GET /api/graph`: every pipeline's task graph, each node with live rate, lag or backlog and a
 *   health (runner/admin/console-state.ts);
 * - `GET /api/rates?seconds=300`: per-second samples of the totals per stage;
 * - `GET /api/dlq?pipeline=P&reason=R&limit=N`: the latest N dead letters of each `<topic>.dlq`
 *   (stage, reason, error, origin, time, replays; the value decoded, the pipeline's `redact:`
 *   fields masked);
 * - `GET /api/runs?pipeline=P`: the run history (`rtds.runs`) and which sources can run now;
 * - `GET /api/status?pipeline=P`: what `rtds status` gathers from the servers (registry subjects,
 *   table row estimates, server health);
 * - `POST /api/dlq/replay` `{pipeline, ids?|all?, reason?}` (with the pipeline file as it is now,
 *   as `rtds dlq replay`: a fixed transform applies without a restart) and `POST /api/runs/trigger`
 *   `{pipeline, source}`: refused cross-origin (Origin / Sec-Fetch-Site) and without
 *   `Content-Type: application/json`; they need the admin token (`Authorization: Bearer T`) when a
 *   token is set, and a token is required when the endpoint is bound beyond loopback.
 * Bound to loopback, the console's paths answer only requests whose Host is a loopback name (a page
 * of another site reaching 127.0.0.1 through DNS rebinding gets 403).
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EventBus } from '../../core/events.js'
import type { Backend } from '../../connectors/backend.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import { LiveBackend } from '../../connectors/live-backend.js'
import { loadPipeline } from '../../connectors/index.js'
import type { ScheduleTriggers } from '../scheduler/triggers.js'
import { matches, readPipelineDeadLetters, replayDeadLetters } from '../dlq/dead-letters.js'
import { pipelineStatus } from '../status/pipeline-status.js'
import { ConsoleState } from './console-state.js'

interface ConsolePipeline {
  readonly spec: PipelineSpec
  readonly backend: Backend
  readonly events: EventBus
  readonly graph?: TaskGraph
  readonly triggers?: ScheduleTriggers
}

/** The folder of the console's static files: next to this module in the sources, at the package root's runner/admin/console from dist/. */
function consoleDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  if (existsSync(join(dir, 'console', 'index.html'))) return join(dir, 'console')
  for (let i = 0; i < 5; i++) {
    dir = dirname(dir)
    const c = join(dir, 'runner', 'admin', 'console')
    if (existsSync(join(c, 'index.html'))) return c
  }
  return undefined
}

const STATIC: Record<string, { file: () => string | undefined; type: string }> = {
  '/': { file: () => consoleFile('index.html'), type: 'text/html; charset=utf-8' },
  '/console.js': { file: () => consoleFile('console.js'), type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: () => consoleFile('console.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: () => uplotFile('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: () => uplotFile('uPlot.min.css'), type: 'text/css; charset=utf-8' },
}

function consoleFile(name: string): string | undefined {
  const d = consoleDir()
  return d && join(d, name)
}

function uplotFile(name: string): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('uplot')), name)
  } catch {
    return undefined
  }
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

/** See the module comment. */
export class ConsoleApi {
  private readonly states = new Map<string, ConsoleState>()
  private readonly pipelines: readonly ConsolePipeline[]
  private readonly host: string
  private readonly token: string | undefined
  private replaying = false
  private readonly letters = new Map<string, { at: number; read: ReturnType<ConsoleApi['readLetters']> }>()

  constructor(opts: { readonly pipelines: readonly ConsolePipeline[]; readonly host: string; readonly token?: string }) {
    this.pipelines = opts.pipelines
    this.host = opts.host
    this.token = opts.token || undefined
    for (const p of opts.pipelines) if (p.graph) this.states.set(p.spec.pipeline, new ConsoleState(p.graph, p.events))
  }

  close(): void {
    for (const s of this.states.values()) s.close()
  }

  /** Handles the console's paths; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const isStatic = Object.hasOwn(STATIC, path)
    if (!isStatic && !path.startsWith('/api/') ) return false
    if (!isStatic && !['/api/graph', '/api/rates', '/api/dlq', '/api/runs', '/api/status', '/api/dlq/replay', '/api/runs/trigger'].includes(path)) return false
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
      res.end(JSON.stringify(body) + '\n')
    }
    try {
      // DNS rebinding: a loopback endpoint answers only requests addressed to a loopback name
      if (isLoopbackHost(this.host) && !isLoopbackHost(hostnameOf(req.headers.host))) throw new HttpError(403, 'bad_host', 'this admin endpoint is bound to loopback: open it as 127.0.0.1 or localhost')
      const mutating = path === '/api/dlq/replay' || path === '/api/runs/trigger'
      const allowed = mutating ? 'POST' : 'GET, HEAD'
      if (!allowed.split(', ').includes(req.method ?? '')) {
        res.setHeader('allow', allowed)
        throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}`)
      }
      if (isStatic) {
        const file = STATIC[path].file()
        if (!file || !existsSync(file)) throw new HttpError(404, 'not_found', `the console's ${path} is not installed`)
        res.writeHead(200, {
          'content-type': STATIC[path].type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
          'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer',
        })
        res.end(req.method === 'HEAD' ? undefined : readFileSync(file))
        return true
      }
      const url = new URL(req.url ?? '/', 'http://admin')
      if (mutating) {
        this.guard(req)
        const body = await readJson(req)
        json(200, path === '/api/dlq/replay' ? await this.replay(body) : this.trigger(body))
        return true
      }
      switch (path) {
        case '/api/graph':
          json(200, { status: 'ok', at: Date.now(), pipelines: [...this.states.values()].map((s) => s.graphView()) })
          break
        case '/api/rates': {
          const seconds = Number(url.searchParams.get('seconds') ?? 300) || 300
          const out: Record<string, unknown> = {}
          for (const [name, s] of this.states) out[name] = s.samples(seconds)
          json(200, { status: 'ok', at: Date.now(), fields: ['received', 'sent', 'deadLettered', 'lag', 'backlog'], pipelines: out })
          break
        }
        case '/api/dlq': {
          const p = this.pipeline(url.searchParams.get('pipeline'))
          if (!(p.backend instanceof LiveBackend) || !p.graph) json(200, { status: 'unavailable', pipeline: p.spec.pipeline, message: 'embedded mode: no dead-letter topics to read' })
          else json(200, await this.deadLetters(url))
          break
        }
        case '/api/runs': {
          const p = this.pipeline(url.searchParams.get('pipeline'))
          const rows = await withTimeout(p.backend.runHistory().recent?.(p.spec.pipeline, Math.min(200, Number(url.searchParams.get('limit') ?? 50) || 50)) ?? Promise.resolve([]), 5000, 'the run history')
          json(200, {
            status: 'ok', pipeline: p.spec.pipeline, triggerable: p.triggers?.sources() ?? [],
            runs: rows.map((r) => ({ id: r.id, source: r.source, trigger: r.trigger, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, status: r.status, records: r.records, deadLettered: r.deadLettered, error: r.error ?? null })),
          })
          break
        }
        case '/api/status': {
          const p = this.pipeline(url.searchParams.get('pipeline'))
          if (!(p.backend instanceof LiveBackend) || !p.graph) {
            json(200, { status: 'unavailable', pipeline: p.spec.pipeline, message: 'embedded mode: no servers' })
            break
          }
          const st = await pipelineStatus(p.graph, p.backend, { admins: [] })
          json(200, { status: 'ok', pipeline: p.spec.pipeline, servers: st.servers, subjects: st.subjects, tables: st.tables, schedules: st.schedules, deadLetters: st.deadLetters ?? null, unavailable: st.unavailable })
          break
        }
      }
    } catch (err) {
      if (err instanceof HttpError) json(err.status, { status: 'error', error: { code: err.code, message: err.message } })
      else json(502, { status: 'error', error: { code: 'unavailable', message: (err as Error).message.split('\n')[0] } })
    }
    return true
  }

  private pipeline(name: string | null): ConsolePipeline {
    const p = name ? this.pipelines.find((x) => x.spec.pipeline === name) : this.pipelines.length === 1 ? this.pipelines[0] : undefined
    if (!p) throw new HttpError(404, 'not_found', name ? `no pipeline ${JSON.stringify(name)} in this process` : 'name the pipeline: ?pipeline=NAME')
    return p
  }

  /** Refuses cross-origin requests; checks the token (required beyond loopback). */
  private guard(req: IncomingMessage): void {
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross_origin', `cross-origin request refused (Sec-Fetch-Site: ${site})`)
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new HttpError(403, 'cross_origin', 'cross-origin request refused (Origin differs from Host)')
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'unsupported_media_type', 'send Content-Type: application/json')
    if (!this.token) {
      if (isLoopbackHost(this.host)) return
      throw new HttpError(403, 'token_required', 'the admin endpoint is bound beyond loopback: start rtds run with --admin-token (or RTDS_ADMIN_TOKEN) to allow actions')
    }
    const given = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? ''
    const a = Buffer.from(given), b = Buffer.from(this.token)
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(401, 'unauthorized', 'a valid admin token is needed (Authorization: Bearer <token>)')
  }

  private async deadLetters(url: URL): Promise<unknown> {
    const p = this.pipeline(url.searchParams.get('pipeline'))
    const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50))
    const reason = url.searchParams.get('reason') || undefined
    const all = await this.readLetters(p)
    const byTopic = new Map<string, typeof all>()
    for (const d of all) byTopic.set(d.entry.topic, [...(byTopic.get(d.entry.topic) ?? []), d])
    const reasons: Record<string, number> = {}
    for (const d of all) reasons[d.entry.reason] = (reasons[d.entry.reason] ?? 0) + 1
    const latest = [...byTopic.values()].flatMap((list) => list.filter((d) => matches(d.entry, { reason })).slice(-limit))
    latest.sort((a, b) => (a.entry.at < b.entry.at ? 1 : a.entry.at > b.entry.at ? -1 : 0))
    return { status: 'ok', pipeline: p.spec.pipeline, total: all.length, reasons, deadLetters: latest.map((d) => d.entry) }
  }

  /** Every dead letter of `p`; one read shared by the requests of the next 3 s (pages poll every 5 s; `fresh` for a replay). */
  private readLetters(p: ConsolePipeline, fresh = false): Promise<Awaited<ReturnType<typeof readPipelineDeadLetters>>> {
    if (!(p.backend instanceof LiveBackend) || !p.graph) return Promise.reject(new HttpError(404, 'unavailable', 'dead letters are read from Kafka: not in embedded mode'))
    const b = p.backend
    const cached = this.letters.get(p.spec.pipeline)
    if (cached && !fresh && Date.now() - cached.at < 3000) return cached.read
    const read = withTimeout(b.admin().then((admin) => readPipelineDeadLetters(p.graph!, b.kafka(), admin, b.settings)), 20_000, 'the dead-letter topics')
    this.letters.set(p.spec.pipeline, { at: Date.now(), read })
    read.catch(() => this.letters.delete(p.spec.pipeline))
    return read
  }

  private async replay(body: Record<string, unknown>): Promise<unknown> {
    const p = this.pipeline(typeof body.pipeline === 'string' ? body.pipeline : null)
    const ids = Array.isArray(body.ids) ? body.ids.filter((x): x is string => typeof x === 'string') : undefined
    if (!body.all && !ids?.length) throw new HttpError(400, 'bad_request', 'name the dead letters: {"ids": [...]} or {"all": true} (with an optional "reason")')
    if (this.replaying) throw new HttpError(409, 'busy', 'a replay is running')
    this.replaying = true
    try {
      const all = await this.readLetters(p, true)
      const selected = all.filter((d) => matches(d.entry, { reason: typeof body.reason === 'string' && body.reason ? body.reason : undefined, ids: body.all ? undefined : ids }))
      // the pipeline file as it is now (as `rtds dlq replay` reads it): a fixed transform or schema applies
      const now = p.spec.file ? loadPipeline(p.spec.file) : undefined
      if (now && !now.graph) throw new HttpError(422, 'invalid_pipeline', `${p.spec.file} has errors now, nothing replayed: ${now.diagnostics.find((d) => d.severity === 'error')?.message ?? now.diagnostics[0]?.message ?? 'invalid'}`)
      const graph = now?.graph?.pipeline === p.spec.pipeline ? now.graph : p.graph!
      const result = await replayDeadLetters(graph, p.backend, selected.map((d) => d.stored), { events: p.events })
      this.letters.delete(p.spec.pipeline)
      return { status: 'ok', pipeline: p.spec.pipeline, selected: selected.length, ...result }
    } finally {
      this.replaying = false
    }
  }

  private trigger(body: Record<string, unknown>): unknown {
    const p = this.pipeline(typeof body.pipeline === 'string' ? body.pipeline : null)
    const source = typeof body.source === 'string' ? body.source : ''
    if (!p.triggers?.trigger(source)) throw new HttpError(409, 'not_scheduled', `${JSON.stringify(source)} has no running schedule in ${p.spec.pipeline} (try one of: ${p.triggers?.sources().join(', ') || 'none'})`)
    return { status: 'ok', pipeline: p.spec.pipeline, source, triggered: true }
  }
}

/** The name in a Host header, without port or IPv6 brackets. */
function hostnameOf(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase()
  const v6 = /^\[([^\]]+)\]/.exec(h)
  return v6 ? v6[1] : h.replace(/:\d+$/, '')
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > 64 * 1024) throw new HttpError(413, 'too_large', 'request body over 64 KiB')
    chunks.push(c as Buffer)
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    /* below */
  }
  throw new HttpError(400, 'bad_request', 'the body must be a JSON object')
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(t))
}
