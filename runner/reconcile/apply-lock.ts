/**
 * The apply lock: a Postgres session-level advisory lock with a fixed rtds key, held on a dedicated
 * connection for the whole apply, so two applies against the same database never interleave. The
 * holder is identified through `application_name` (`rtds apply alice@ci-runner-3 pid 4242`).
 */
import { sleep } from '../../core/retry.js'
import os from 'node:os'
import pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import { classifyPgError } from '../../connectors/postgres/client.js'
import { ConflictError } from '../../core/errors.js'

/** The advisory-lock key of `rtds apply`: the bytes of "rtds" (classid 0, objid 0x72746473). */
export const APPLY_LOCK_KEY = 0x72746473

/** Who runs this process: `$USER` (or the OS user) at the host name. */
export function applier(): { user: string; host: string } {
  let user = process.env.USER || process.env.USERNAME || ''
  if (!user) {
    try {
      user = os.userInfo().username
    } catch {
      user = 'unknown'
    }
  }
  return { user, host: os.hostname() }
}

/** A held lock; `release()` unlocks and closes its connection. */
export interface ApplyLock {
  /** Milliseconds spent waiting for the lock. */
  readonly waitedMs: number
  release(): Promise<void>
}

/** Options of {@link acquireApplyLock}. */
export interface LockOptions {
  /** How long to wait for a lock another apply holds, default 30 000 ms. */
  readonly timeoutMs?: number
  /** Called once when the lock is busy, with the holder's description. */
  readonly onWait?: (holder: string) => void
}

/**
 * Takes the apply lock on the target database, polling `pg_try_advisory_lock` until `timeoutMs`.
 * Throws `ConflictError` naming the holder when the wait times out.
 */
export async function acquireApplyLock(settings: Pick<ConnectionSettings, 'databaseUrl'>, opts: LockOptions = {}): Promise<ApplyLock> {
  const { user, host } = applier()
  const client = new pg.Client({
    connectionString: settings.databaseUrl,
    application_name: `rtds apply ${user}@${host} pid ${process.pid}`.slice(0, 63),
    connectionTimeoutMillis: 5000,
  })
  client.on('error', () => {})
  const started = Date.now()
  const timeoutMs = opts.timeoutMs ?? 30_000
  try {
    await client.connect()
    let warned = false
    for (;;) {
      const r = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [APPLY_LOCK_KEY])
      if (r.rows[0]?.locked) break
      const holder = await lockHolder(client)
      if (Date.now() - started >= timeoutMs) {
        throw new ConflictError(`another apply holds the rtds apply lock (${holder}); gave up after ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'wait for it to finish and run `rtds apply` again, or raise --lock-timeout',
        })
      }
      if (!warned) opts.onWait?.(holder)
      warned = true
      await sleep(250)
    }
  } catch (err) {
    await client.end().catch(() => {})
    throw classifyPgError(err, settings, 'taking the apply lock')
  }
  const waitedMs = Date.now() - started
  return {
    waitedMs,
    async release() {
      try {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [APPLY_LOCK_KEY])
      } finally {
        await client.end().catch(() => {})
      }
    },
  }
}

/** Describes the session holding the apply lock, from `pg_locks` + `pg_stat_activity`. */
async function lockHolder(client: pg.Client): Promise<string> {
  const r = await client.query<{ pid: number; application_name: string; client_addr: string | null; since: string | null }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [APPLY_LOCK_KEY],
  )
  const h = r.rows[0]
  if (!h) return 'holder unknown'
  return `${h.application_name || 'unnamed session'}, backend pid ${h.pid}${h.client_addr ? ` from ${h.client_addr}` : ''}${h.since ? ` connected since ${h.since}` : ''}`
}
