/** Config spec of the `http_server` source: the ingestion API (`POST /api/data`). */
import { objectSchema, sizeSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

export const HTTP_SERVER_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'http_server',
  role: 'source',
  description: 'Accept records with HTTP POST; answers 202 once they are durable in staging.',
  secrets: ['token'],
  schema: objectSchema('Accept records with HTTP POST (a JSON object or an array of objects).', {
    path: { description: 'Path accepting POST.', type: 'string', pattern: '^/', default: '/api/data' },
    port: { description: 'TCP port.', type: 'integer', minimum: 0, maximum: 65535, default: 5000 },
    host: { description: 'Address to listen on.', type: 'string', minLength: 1, default: '127.0.0.1' },
    maxBodyBytes: sizeSchema('Largest accepted request body.', '1mb'),
    token: { description: 'Bearer token required from clients. Secret: never printed.', type: 'string', minLength: 1, writeOnly: true },
  }),
}
