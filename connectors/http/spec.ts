/** Config spec of the `http` source: GET a URL (randomuser.me) and emit the records of each response. */
import { durationSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import type { Millis, SourceSpecOf } from '../../dsl/spec.js'
import { redactUrl } from '../../core/settings.js'
import { formatMillis } from '../../dsl/duration-parse.js'

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
    results: { description: 'Records asked for per request (query parameter results=N).', type: 'integer', minimum: 1 },
    records: { description: 'JSONata selecting the records inside one response body. Default `$` (the whole body).', type: 'string', default: '$', examples: ['results'] },
    timeout: durationSchema('Timeout of one request.', '10s'),
    retries: { description: 'Retries of a failed request (exponential backoff with jitter).', type: 'integer', minimum: 0, default: 5 },
    headers: { description: 'Request headers. Values are secret: never printed.', type: 'object', additionalProperties: { type: 'string', writeOnly: true } },
  }, ['url']),
  resolve: (c, ctx) => {
    if (typeof c.records === 'string') ctx.expr(c.records, ['records'], `records of source "${ctx.name}"`)
    return { ...c, url: String(c.url ?? '') }
  },
  describe: (c: HttpSourceConfig) =>
    `GET ${redactUrl(c.url)}${c.results !== undefined ? ` results=${c.results}` : ''} records=${c.records} timeout=${formatMillis(c.timeout)} retries=${c.retries}${c.headers ? ` headers=[${Object.keys(c.headers).join(', ')}]` : ''}`,
  view: (c: HttpSourceConfig) => ({ ...c, url: redactUrl(c.url) }),
}
