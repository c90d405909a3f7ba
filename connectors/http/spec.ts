/** Config spec of the `http` source: GET a URL (randomuser.me) and emit the records of each response. */
import { durationSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

export const HTTP_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'http',
  role: 'source',
  description: 'Pull records with HTTP GET (e.g. randomuser.me); retried with backoff.',
  secrets: ['headers.*'],
  schema: objectSchema('Pull records with HTTP GET.', {
    url: { description: 'URL to GET. `results` is appended as the query parameter results=N when set.', type: 'string', minLength: 1, examples: ['{{env.RANDOMUSER_URL}}'] },
    results: { description: 'Records asked for per request (query parameter results=N).', type: 'integer', minimum: 1 },
    records: { description: 'JSONata selecting the records inside one response body. Default `$` (the whole body).', type: 'string', default: '$', examples: ['results'] },
    timeout: durationSchema('Timeout of one request.', '10s'),
    retries: { description: 'Retries of a failed request (exponential backoff with jitter).', type: 'integer', minimum: 0, default: 5 },
    headers: { description: 'Request headers. Values are secret: never printed.', type: 'object', additionalProperties: { type: 'string', writeOnly: true } },
  }, ['url']),
}
