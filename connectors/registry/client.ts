/**
 * Low-level schema-registry access (Confluent API, e.g. Apicurio's `/apis/ccompat/v7`) shared by
 * the runtime (encode/decode in the Confluent wire format) and by `plan`/`apply` (subjects).
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { ConnectionSettings } from '../../core/settings.js'
import { redactUrl } from '../../core/settings.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'

/**
 * A registry client for `settings.schemaRegistryUrl`. Credentials in the URL
 * (`http://user:pass@host/...`) become basic auth and are removed from the host.
 *
 * @example
 * const reg = registry(connectionSettings())
 * const id = await reg.getLatestSchemaId('users_created-value')
 */
export function registry(settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>): SchemaRegistry {
  const u = new URL(settings.schemaRegistryUrl)
  const auth = u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined
  u.username = ''
  u.password = ''
  const host = u.toString().replace(/\/$/, '')
  return new SchemaRegistry({ host, clientId: 'rtds', retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 }, ...(auth ? { auth } : {}) })
}

/** HTTP status of a registry failure when there is one (mappersmith responses carry `status()` or `status`). */
export function registryStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown } | undefined
  if (typeof e?.status === 'number') return e.status
  if (typeof e?.status === 'function') {
    try {
      return (e.status as () => number)()
    } catch {
      return undefined
    }
  }
  const m = /status(?: code)?:? (\d{3})/i.exec((err as Error)?.message ?? '')
  return m ? Number(m[1]) : undefined
}

/**
 * Maps a registry failure to the rtds family: unreachable, timeouts or 5xx → retriable
 * `ConnectionError`; 404 and other 4xx → `RtdsError` (with a hint to run `rtds apply`).
 */
export function classifyRegistryError(err: unknown, settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>, what = 'schema registry request'): RtdsError {
  if (err instanceof RtdsError) return err
  const msg = (err as Error)?.message ?? String(err)
  const status = registryStatus(err)
  const where = redactUrl(settings.schemaRegistryUrl)
  if (status === undefined || status >= 500 || status === 408 || status === 429 || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|timeout/i.test(msg)) {
    if (status === undefined && !/ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket|timeout|network|fetch/i.test(msg)) {
      return new RtdsError(`${what} failed: ${msg}`, { cause: err })
    }
    return new ConnectionError(`${what} failed: schema registry at ${where} is unavailable (${msg})`, {
      cause: err,
      hint: 'start the services with `npm run services:up`, or set SCHEMA_REGISTRY_URL',
    })
  }
  return new RtdsError(`${what} failed: ${msg} (HTTP ${status})`, {
    cause: err,
    hint: status === 404 ? 'run `rtds apply` to register the schema' : undefined,
  })
}
