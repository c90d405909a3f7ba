/**
 * Low-level Postgres access shared by the runtime (staging outbox, relay, run history) and by
 * `plan`/`apply`: one pool factory and one error classifier. Messages name the server with the
 * password redacted and the command that starts it.
 */
import pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { redactUrl } from '../../core/settings.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'

/** Options of {@link pgPool}. */
export interface PgPoolOptions {
  /** Pool size, default 4. */
  readonly max?: number
  /** Connect timeout in ms, default 5000. */
  readonly connectTimeoutMs?: number
  /** `application_name` shown in `pg_stat_activity`, default `rtds`. */
  readonly applicationName?: string
}

/**
 * A `pg.Pool` for `settings.databaseUrl`. Idle-client errors (server restarts) are swallowed here
 * so they never crash the process; the next query surfaces them through {@link classifyPgError}.
 *
 * @example
 * const pool = pgPool(connectionSettings())
 * await pool.query('SELECT 1')
 */
export function pgPool(settings: Pick<ConnectionSettings, 'databaseUrl'>, opts: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.databaseUrl,
    max: opts.max ?? 4,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    application_name: opts.applicationName ?? 'rtds',
  })
  pool.on('error', () => {})
  return pool
}

/** SQLSTATE classes that mean "the server or the connection failed, try again". */
const RETRIABLE_SQLSTATE = /^(08|53|57P0[123]|40001|40P01|55P03)/

/** Node socket error codes meaning the server cannot be reached right now. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

/**
 * Maps a `pg` failure to the rtds error family: unreachable server, dropped connection, too many
 * clients, serialization failure → retriable `ConnectionError`; anything else (bad SQL, missing
 * table, constraint) → non-retriable `RtdsError`. `what` names the operation for the message.
 */
export function classifyPgError(err: unknown, settings: Pick<ConnectionSettings, 'databaseUrl'>, what = 'Postgres query'): RtdsError {
  if (err instanceof RtdsError) return err
  const e = err as { code?: string; message?: string } | undefined
  const code = e?.code ?? ''
  const where = redactUrl(settings.databaseUrl)
  const msg = scrub(e?.message ?? String(err), settings.databaseUrl)
  if (NET_CODES.has(code) || RETRIABLE_SQLSTATE.test(code) || /timeout|terminat|Connection terminated|connect/i.test(msg) && !code) {
    return new ConnectionError(`${what} failed: Postgres at ${where} is unavailable (${msg})`, {
      cause: err,
      hint: 'start the services with `npm run services:up`, or set DATABASE_URL',
    })
  }
  if (code === '3D000') {
    return new ConnectionError(`${what} failed: database does not exist at ${where} (${msg})`, {
      cause: err,
      retriable: false,
      hint: 'create it (`createdb -h 127.0.0.1 -U postgres rtds`) or run `rtds apply`',
    })
  }
  if (code === '42P01' || code === '3F000') {
    return new RtdsError(`${what} failed: ${msg}`, { cause: err, hint: 'run `rtds apply` to create the staging and state tables' })
  }
  return new RtdsError(`${what} failed: ${msg}${code ? ` (SQLSTATE ${code})` : ''}`, { cause: err })
}

/** Removes the connection string's password from a driver message, should it echo it. */
function scrub(message: string, url: string): string {
  try {
    const pw = new URL(url).password
    return pw ? message.split(decodeURIComponent(pw)).join('***') : message
  } catch {
    return message
  }
}

/**
 * Runs `fn` inside one transaction on a dedicated client: BEGIN, fn, COMMIT; ROLLBACK on failure.
 * Failures are classified with {@link classifyPgError}.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  settings: Pick<ConnectionSettings, 'databaseUrl'>,
  what: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    throw classifyPgError(err, settings, what)
  }
  let broken = false
  try {
    await client.query('BEGIN')
    const out = await fn(client)
    await client.query('COMMIT')
    return out
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch {
      broken = true
    }
    throw classifyPgError(err, settings, what)
  } finally {
    client.release(broken)
  }
}
