/**
 * The `http` pull source (randomuser.me): each pull is one GET of `url` with `results=N` appended,
 * bounded by a timeout (AbortSignal), retried through `runner/retry.ts` (exponential backoff with
 * full jitter) on network errors, timeouts, 5xx and 429; other 4xx fail at once. The records are
 * selected from the JSON body by the `records` JSONata expression; every response is one page
 * (one SourceBatch), each record's origin `http:<source> page=<n> index=<i>`.
 */
import type { HttpSourceSpec } from './spec.js'
import { redactUrl } from '../../core/settings.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'
import { retry, type RetryOptions } from '../../core/retry.js'
import { compileExpression, type Evaluator } from '../../transform/transform-fn.js'
import type { PullSource } from '../../core/pull-source.js'
import type { StreamRecord } from '../../core/stream.js'

export interface HttpSourceOptions {
  readonly name: string
  readonly url: string
  /** Appended as `results=N` when set. */
  readonly results?: number
  /** JSONata selecting the records in the body; default `$` (the body). */
  readonly records?: string
  readonly timeoutMs: number
  /** Retries after the first attempt. */
  readonly retries: number
  readonly headers?: Readonly<Record<string, string>>
  /** Backoff tuning (tests use short delays). */
  readonly backoff?: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs' | 'random'>
  readonly log?: (line: string) => void
}

/** The URL actually requested: `url` with `results=N` set. */
export function pullUrl(url: string, results?: number): string {
  if (results === undefined) return url
  const u = new URL(url)
  u.searchParams.set('results', String(results))
  return u.toString()
}

/** See the module comment. */
export class HttpSource implements PullSource {
  readonly name: string
  readonly describe: string
  private readonly url: string
  private readonly select: Evaluator | undefined
  private page = 0

  constructor(private readonly opts: HttpSourceOptions) {
    this.name = opts.name
    this.url = pullUrl(opts.url, opts.results)
    this.describe = `GET ${redactUrl(this.url)}`
    const expr = opts.records?.trim()
    this.select = expr && expr !== '$' ? compileExpression(expr, { timeoutMs: 5000, maxDepth: 500 }) : undefined
  }

  /** An http source for a pipeline's `http:` spec. */
  static fromSpec(spec: HttpSourceSpec, log?: (line: string) => void): HttpSource {
    const h = spec.http
    return new HttpSource({ name: spec.name, url: h.url, results: h.results, records: h.records, timeoutMs: h.timeout, retries: h.retries, headers: h.headers, log })
  }

  async pull(signal: AbortSignal): Promise<readonly StreamRecord[]> {
    const page = ++this.page
    const body = await retry(() => this.fetchOnce(signal), {
      maxAttempts: this.opts.retries + 1,
      signal,
      initialDelayMs: this.opts.backoff?.initialDelayMs ?? 500,
      maxDelayMs: this.opts.backoff?.maxDelayMs ?? 30_000,
      random: this.opts.backoff?.random,
      onRetry: (err, n, ms) => this.opts.log?.(`${this.name}: ${(err as Error).message} — retry ${n}/${this.opts.retries} in ${ms} ms`),
    })
    let selected: unknown
    try {
      selected = this.select ? await this.select(body) : body
    } catch (err) {
      throw new RtdsError(`${this.name}: the records expression "${this.opts.records}" failed on the response of ${this.describe}: ${(err as Error).message}`)
    }
    const list = selected === undefined ? [] : Array.isArray(selected) ? selected : [selected]
    return list.map((value, index) => ({ key: null, value, origin: `http:${this.name} page=${page} index=${index}` }))
  }

  private async fetchOnce(signal: AbortSignal): Promise<unknown> {
    const where = redactUrl(this.url)
    const timeout = AbortSignal.timeout(this.opts.timeoutMs)
    let res: Response
    try {
      res = await fetch(this.url, { headers: { accept: 'application/json', ...this.opts.headers }, signal: AbortSignal.any([signal, timeout]) })
    } catch (err) {
      if (signal.aborted) throw new RtdsError(`${this.name}: stopped while requesting ${where}`)
      if (timeout.aborted) throw new ConnectionError(`${this.name}: GET ${where} timed out after ${this.opts.timeoutMs} ms`, { cause: err })
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw new ConnectionError(`${this.name}: GET ${where} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`, {
        cause: err,
        hint: 'check RANDOMUSER_URL and the network; `rtds run --embedded` runs offline',
      })
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel().catch(() => {})
      throw new ConnectionError(`${this.name}: GET ${where} answered ${res.status} ${res.statusText}`)
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {})
      throw new RtdsError(`${this.name}: GET ${where} answered ${res.status} ${res.statusText}`, { hint: 'check the url and headers of the http source' })
    }
    try {
      return await res.json()
    } catch (err) {
      if (timeout.aborted) throw new ConnectionError(`${this.name}: GET ${where} timed out after ${this.opts.timeoutMs} ms while reading the body`, { cause: err })
      throw new RtdsError(`${this.name}: the response of GET ${where} is not JSON: ${(err as Error).message}`)
    }
  }

  async close(): Promise<void> {}
}
