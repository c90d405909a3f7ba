/**
 * The `http_server` source, the ingestion API (`POST /api/data`): accepts one JSON object or an
 * array of them. Checks, in order: bearer token (401), method/path (405/404), Content-Type
 * `application/json` (415), size limit (413 — rejected from Content-Length before reading, or as
 * soon as the streamed body passes the limit), JSON (400), then every record against the schema
 * of the topic the staging table is relayed to: any invalid record → 400 listing EVERY reason of
 * every invalid record, and nothing is written. Valid records become one batch; the answer is
 * 202 `{accepted: n}` only after the engine acked it (i.e. after the staging COMMIT), 503 with
 * `Retry-After` when it was nacked. `GET /healthz` answers 200.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { timingSafeEqual } from 'node:crypto'
import type { HttpServerSourceSpec } from './spec.js'
import { ConnectionError } from '../../core/errors.js'
import type { RecordValidator } from '../../dsl/record-validate.js'
import type { Source, SourceBatch, StreamRecord } from '../../core/stream.js'

export interface HttpServerSourceOptions {
  readonly name: string
  readonly path: string
  readonly port: number
  readonly host: string
  readonly maxBodyBytes: number
  readonly token?: string
  /** Validates one record (the staging table's topic schema); reasons, empty when valid. */
  readonly validator?: RecordValidator
  /** Seconds in `Retry-After` of a 503 (default 5). */
  readonly retryAfterSeconds?: number
  readonly log?: (line: string) => void
}

class HttpFailure extends Error {
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown> = {}) {
    super(message)
  }
}

/** See the module comment. */
export class HttpServerSource implements Source {
  readonly name: string
  private server: Server | undefined
  private requests = 0
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly opts: HttpServerSourceOptions) {
    this.name = opts.name
    this.listening = new Promise((resolve) => (this.markListening = resolve))
  }

  static fromSpec(spec: HttpServerSourceSpec, validator?: RecordValidator, log?: (line: string) => void): HttpServerSource {
    const h = spec.http_server
    return new HttpServerSource({ name: spec.name, path: h.path, port: h.port, host: h.host, maxBodyBytes: h.maxBodyBytes, token: h.token, validator, log })
  }

  /** The bound address once `run` is listening (port 0 picks a free port). */
  address(): AddressInfo | undefined {
    const a = this.server?.address()
    return a && typeof a === 'object' ? a : undefined
  }

  /** Resolves once the server listens (tests). */
  readonly listening: Promise<void>
  private markListening: () => void = () => {}

  async run(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    const server = createServer((req, res) => {
      const work = this.handle(req, res, emit).catch((err: Error) => {
        if (!res.headersSent) send(res, 500, { error: err.message })
      })
      this.pending.add(work)
      void work.finally(() => this.pending.delete(work))
    })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ConnectionError(`${this.name}: cannot listen on ${this.opts.host}:${this.opts.port}: ${err.code ?? err.message}`, { cause: err, retriable: false, hint: 'free the port or set http_server.port' })),
      )
      server.listen(this.opts.port, this.opts.host, () => resolve())
    })
    const a = this.address()
    this.opts.log?.(`${this.name}: listening on http://${a?.address}:${a?.port}${this.opts.path}`)
    this.markListening()
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    while (this.pending.size) await Promise.race(this.pending)
    server.closeAllConnections()
    await closed
  }

  private async handle(req: IncomingMessage, res: ServerResponse, emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x')
    try {
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok' })
      if (url.pathname !== this.opts.path) throw new HttpFailure(404, `no such path: ${url.pathname} (POST ${this.opts.path})`)
      if (req.method !== 'POST') throw new HttpFailure(405, `method ${req.method} not allowed: use POST`)
      if (this.opts.token !== undefined && !tokenMatches(req.headers.authorization, this.opts.token)) throw new HttpFailure(401, 'missing or wrong bearer token')
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
      if (type !== 'application/json') throw new HttpFailure(415, `Content-Type must be application/json, got ${type || 'none'}`)
      const text = await readBody(req, this.opts.maxBodyBytes)
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch (err) {
        throw new HttpFailure(400, `invalid JSON: ${(err as Error).message}`)
      }
      const values = Array.isArray(body) ? body : [body]
      if (values.length === 0) throw new HttpFailure(400, 'empty array: nothing to accept')
      const rejected = values
        .map((v, index) => ({ index, reasons: v === null || typeof v !== 'object' || Array.isArray(v) ? ['(value): expected a JSON object'] : this.opts.validator?.validate(v) ?? [] }))
        .filter((r) => r.reasons.length > 0)
      if (rejected.length) throw new HttpFailure(400, `${rejected.length} of ${values.length} record(s) invalid: nothing was accepted`, { rejected })
      const request = ++this.requests
      const records: StreamRecord[] = values.map((value, index) => ({ key: null, value, origin: `http_server:${this.name} request=${request} index=${index}` }))
      const outcome = await new Promise<{ ok: true } | { ok: false; error: Error }>((resolve) => {
        const batch: SourceBatch = {
          records,
          bytes: Buffer.byteLength(text),
          ack: async () => resolve({ ok: true }),
          nack: async (error) => resolve({ ok: false, error }),
        }
        emit(batch).catch((error: Error) => resolve({ ok: false, error }))
      })
      if (outcome.ok) return send(res, 202, { accepted: records.length })
      res.setHeader('Retry-After', String(this.opts.retryAfterSeconds ?? 5))
      throw new HttpFailure(503, `not stored, try again later: ${outcome.error.message}`)
    } catch (err) {
      if (!(err instanceof HttpFailure)) throw err
      if (err.status === 413) res.setHeader('Connection', 'close')
      send(res, err.status, { error: err.message, ...err.body })
      if (err.status === 413) res.once('finish', () => req.destroy())
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections()
    this.server?.close()
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '')
  if (!m) return false
  const a = Buffer.from(m[1].trim())
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Reads the body as UTF-8, failing with 413 from Content-Length or as soon as the limit is passed. */
function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new HttpFailure(413, `body of ${declared} bytes is over the limit of ${max} bytes`))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > max) {
        req.off('data', onData)
        req.pause()
        reject(new HttpFailure(413, `body is over the limit of ${max} bytes`))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })
}
