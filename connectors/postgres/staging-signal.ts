/**
 * "New staging rows": how the outbox relay is woken instead of polling. Within one process the
 * staging sink calls `stagingCommitted(table)` after each commit and every relay of that table
 * waiting in `untilStaged` wakes at once; across processes the commit statement itself runs
 * `pg_notify(STAGING_CHANNEL, '<schema>.<table>')` (delivered at COMMIT) and a relay LISTENs on it.
 * A relay still polls at a long interval as a safety net (a lost notification costs latency, never rows).
 */
import type pg from 'pg'

/** The Postgres NOTIFY channel of staging commits (payload: the quoted-free `schema.table`). */
export const STAGING_CHANNEL = 'rtds_staged'

const waiters = new Map<string, Set<() => void>>()
const commits = new Map<string, number>()

/** How many staging commits into `table` this process has seen (a relay reads it before claiming). */
export function stagedCount(table: string): number {
  return commits.get(table) ?? 0
}

/** Wakes every relay of `table` (`schema.table`) waiting in this process. */
export function stagingCommitted(table: string): void {
  commits.set(table, stagedCount(table) + 1)
  const set = waiters.get(table)
  if (!set) return
  waiters.delete(table)
  for (const w of set) w()
}

/**
 * Resolves on the next commit into `table` seen by this process, or when `signal` aborts, or after
 * `ms`; at once if commits happened since `seen` (a `stagedCount` read before the claim came back empty).
 */
export function untilStaged(table: string, ms: number, signal: AbortSignal, seen = stagedCount(table)): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || stagedCount(table) !== seen) return resolve()
    let set = waiters.get(table)
    if (!set) waiters.set(table, (set = new Set()))
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      waiters.get(table)?.delete(done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    set.add(done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * LISTENs on {@link STAGING_CHANNEL} with a dedicated client (not from the pool: it stays open) and
 * turns each notification into `stagingCommitted`. Returns the function that stops listening. A
 * connection failure only logs nothing and leaves the relay on its poll interval.
 */
export async function listenForStaging(connect: () => pg.Client): Promise<() => Promise<void>> {
  const client = connect()
  client.on('error', () => {}) // a broken listener connection: the relay falls back to polling
  try {
    await client.connect()
    client.on('notification', (n) => {
      if (n.channel === STAGING_CHANNEL && n.payload) stagingCommitted(n.payload)
    })
    await client.query(`LISTEN ${STAGING_CHANNEL}`)
  } catch {
    await client.end().catch(() => {})
    return async () => {}
  }
  return async () => {
    await client.end().catch(() => {})
  }
}
