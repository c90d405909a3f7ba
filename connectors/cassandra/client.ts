/**
 * Low-level Cassandra access shared by the runtime (sink) and by `plan`/`apply` (keyspaces,
 * tables): one client factory, CQL identifier quoting and one error classifier.
 */
import cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../../core/settings.js'
import { ConnectionError, RecordError, RtdsError } from '../../core/errors.js'

/** Options of {@link cassandraClient}. */
export interface CassandraClientOptions {
  /** Keyspace to USE, optional. */
  readonly keyspace?: string
  /** Per-request timeout in ms, default 12000. */
  readonly readTimeoutMs?: number
}

/**
 * A `cassandra-driver` client for `settings.cassandraContactPoints` (`host:port` entries) and
 * `settings.cassandraDatacenter`. Not connected yet: the first query (or `connect()`) connects.
 *
 * @example
 * const client = cassandraClient(connectionSettings())
 * await client.execute('SELECT release_version FROM system.local')
 */
export function cassandraClient(
  settings: Pick<ConnectionSettings, 'cassandraContactPoints' | 'cassandraDatacenter'>,
  opts: CassandraClientOptions = {},
): cassandra.Client {
  const ports = new Set<number>()
  const contactPoints = settings.cassandraContactPoints.map((cp) => {
    const m = /^(.*):(\d+)$/.exec(cp)
    if (m && !m[1].includes(':')) {
      ports.add(Number(m[2]))
      return m[1]
    }
    return cp
  })
  const port = ports.size === 1 ? [...ports][0] : 9042
  return new cassandra.Client({
    contactPoints,
    localDataCenter: settings.cassandraDatacenter,
    protocolOptions: { port },
    ...(opts.keyspace ? { keyspace: opts.keyspace } : {}),
    socketOptions: { connectTimeout: 5000, readTimeout: opts.readTimeoutMs ?? 12000 },
    pooling: { warmup: true },
    policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 10000, false) },
  })
}

const IDENT = /^[a-z_][a-z0-9_]{0,47}$/

/** Quotes a CQL identifier after checking it is a plain lower-case name (max 48 characters). */
export function cqlIdent(name: string): string {
  if (!IDENT.test(name)) {
    throw new RtdsError(`invalid CQL identifier ${JSON.stringify(name)}`, {
      hint: 'use lower-case letters, digits and underscores, starting with a letter or underscore (max 48)',
    })
  }
  return `"${name}"`
}

const { responseErrorCodes } = cassandra.types
/** Server response codes meaning "try again": unavailable, overloaded, bootstrapping, timeouts. */
const RETRIABLE_CODES = new Set<number>([
  responseErrorCodes.unavailableException, responseErrorCodes.overloaded, responseErrorCodes.isBootstrapping,
  responseErrorCodes.writeTimeout, responseErrorCodes.readTimeout, responseErrorCodes.truncateError,
  responseErrorCodes.writeFailure, responseErrorCodes.readFailure, responseErrorCodes.serverError,
])

/**
 * Maps a driver failure to the rtds family: no host available, timeouts, unavailable/overloaded
 * → retriable `ConnectionError`; a value the driver cannot encode for its column (TypeError from
 * the encoder) → `RecordError('conversion')`; an invalid query / missing table → `RtdsError`.
 */
export function classifyCassandraError(
  err: unknown,
  settings: Pick<ConnectionSettings, 'cassandraContactPoints'>,
  what = 'Cassandra request',
): RtdsError {
  if (err instanceof RtdsError) return err
  const e = err as { name?: string; code?: number; message?: string } | undefined
  const name = e?.name ?? ''
  // the driver's NoHostAvailableError message embeds each host's error, inspected over many lines: keep the first
  const msg = (e?.message ?? String(err)).split('\n')[0]!.trim()
  const where = settings.cassandraContactPoints.join(',')
  if (
    name === 'NoHostAvailableError' || name === 'OperationTimedOutError' || name === 'BusyConnectionError' ||
    (name === 'ResponseError' && e?.code !== undefined && RETRIABLE_CODES.has(e.code)) ||
    /ECONNREFUSED|ECONNRESET|socket|not connected|shutdown/i.test(msg)
  ) {
    return new ConnectionError(`${what} failed: Cassandra at ${where} is unavailable (${msg})`, {
      cause: err,
      hint: 'start the services with `npm run services:up`, or set CASSANDRA_CONTACT_POINTS',
    })
  }
  if (name === 'TypeError') return new RecordError('conversion', `${what}: ${msg}`, { cause: err })
  const missing = /unconfigured table|does not exist|Keyspace .* does not exist/i.test(msg)
  return new RtdsError(`${what} failed: ${msg}`, { cause: err, hint: missing ? 'run `rtds apply` to create the keyspace and table' : undefined })
}
