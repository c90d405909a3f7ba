/** Config spec of the `http_server` source: the ingestion API (`POST /api/data`). */
import { objectSchema, sizeSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import type { SourceSpecOf } from '../../dsl/spec.js'
import { CODES } from '../../dsl/codes.js'

/** The resolved `http_server:` block of a source. */
export interface HttpServerSourceConfig {
  readonly path: string
  readonly port: number
  readonly host: string
  /** Largest accepted body in bytes (`"1mb"`, `"512kb"` or a number in the file). */
  readonly maxBodyBytes: number
  /** Optional bearer token (secret: never printed). */
  readonly token?: string
}

declare module '../../dsl/spec.js' { interface SourceConfigs { http_server: HttpServerSourceConfig } }

export type HttpServerSourceSpec = SourceSpecOf<'http_server'>

export const HTTP_SERVER_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'http_server', role: 'source', secrets: ['token'],
  description: 'Accept records with HTTP POST; answers 202 once they are durable in staging.',
  schema: objectSchema('Accept records with HTTP POST (a JSON object or an array of objects).', {
    path: { description: 'Path accepting POST.', type: 'string', pattern: '^/', default: '/api/data' },
    port: { description: 'TCP port.', type: 'integer', minimum: 0, maximum: 65535, default: 5000 },
    host: { description: 'Address to listen on.', type: 'string', minLength: 1, default: '127.0.0.1' },
    maxBodyBytes: sizeSchema('Largest accepted request body.', '1mb'),
    token: { description: 'Bearer token required from clients. Secret: never printed.', type: 'string', minLength: 1, writeOnly: true },
  }),
  schedulable: { because: 'it listens continuously' },
  check: (s: HttpServerSourceSpec, _spec, report) => {
    const max = s.http_server.maxBodyBytes
    if (max < 1024 || max > 100 * 1024 * 1024) {
      report(CODES.INVALID_VALUE, `maxBodyBytes of source "${s.name}" is ${max} bytes: it must be from 1kb to 100mb`, ['sources', s.name, 'http_server', 'maxBodyBytes'], 'a body is held in memory while it is validated: 1kb to 100mb (default 1mb)')
    }
  },
  describe: (c: HttpServerSourceConfig) => `POST http://${c.host}:${c.port}${c.path} maxBody=${c.maxBodyBytes}B${c.token ? ' token=***' : ''}`,
}
