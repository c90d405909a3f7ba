/** Config spec of the `http` source: GET a URL (randomuser.me) and emit the records of each response. */
import { durationSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import type { Millis, SourceSpecOf } from '../../dsl/spec.js'
import { redactUrl } from '../../core/settings.js'
import { formatMillis } from '../../dsl/duration-parse.js'
import { CODES } from '../../dsl/codes.js'
import { checkDuration } from '../../dsl/limit-checks.js'

/** The resolved `http:` block of a source. */
export interface HttpSourceConfig {
  /** URL to GET; `results` is appended as the query parameter `results=N` when set. */
  readonly url: string
  readonly results?: number
  /** JSONata selecting the records inside one response body (e.g. `results`). Default `$` (the body). */
  readonly records: string
  readonly timeout: Millis
  readonly retries: number
  readonly headers?: Readonly<Record<string, string>>
}

declare module '../../dsl/spec.js' { interface SourceConfigs { http: HttpSourceConfig } }

export type HttpSourceSpec = SourceSpecOf<'http'>

export const HTTP_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'http', role: 'source', secrets: ['headers.*'],
  description: 'Pull records with HTTP GET (e.g. randomuser.me); retried with backoff.',
  schema: objectSchema('Pull records with HTTP GET.', {
    url: { description: 'URL to GET. `results` is appended as the query parameter results=N when set.', type: 'string', minLength: 1, examples: ['{{env.RANDOMUSER_URL}}'] },
    results: { description: 'Records asked for per request (query parameter results=N). 1 to 5,000 (randomuser.me\'s maximum).', type: 'integer', minimum: 1, maximum: 5000 },
    records: { description: 'JSONata selecting the records inside one response body. Default `$` (the whole body).', type: 'string', default: '$', examples: ['results'] },
    timeout: durationSchema('Timeout of one request.', '10s'),
    retries: { description: 'Retries of a failed request (exponential backoff with jitter). 0 to 100.', type: 'integer', minimum: 0, maximum: 100, default: 5 },
    headers: { description: 'Request headers. Values are secret: never printed.', type: 'object', additionalProperties: { type: 'string', writeOnly: true } },
  }, ['url']),
  resolve: (c, ctx) => {
    if (typeof c.records === 'string') ctx.expr(c.records, ['records'], `records of source "${ctx.name}"`)
    return { ...c, url: String(c.url ?? '') }
  },
  check: (s: HttpSourceSpec, _spec, report) => {
    const at = ['sources', s.name, 'http']
    const url = s.http.url
    if (url && !url.includes('{{')) { // a failed template was reported already
      let protocol = ''
      try { protocol = new URL(url).protocol } catch { /* not a URL */ }
      if (protocol !== 'http:' && protocol !== 'https:') {
        report(CODES.INVALID_VALUE, `url of source "${s.name}" is not an http(s) URL after rendering: "${redactUrl(url).slice(0, 80)}"`, [...at, 'url'], 'write an absolute URL such as https://randomuser.me/api/ (or "{{env.RANDOMUSER_URL}}" with the variable set)')
      }
    }
    checkDuration(s.http.timeout, { min: 100, max: 10 * 60_000, why: 'one request may take 100 ms to 10 min' }, [...at, 'timeout'], report)
  },
  describe: (c: HttpSourceConfig) =>
    `GET ${redactUrl(c.url)}${c.results !== undefined ? ` results=${c.results}` : ''} records=${c.records} timeout=${formatMillis(c.timeout)} retries=${c.retries}${c.headers ? ` headers=[${Object.keys(c.headers).join(', ')}]` : ''}`,
  view: (c: HttpSourceConfig) => ({ ...c, url: redactUrl(c.url) }),
}
