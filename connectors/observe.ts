/**
 * Helpers of the connectors' `observe` probes (connectors/connector.ts): each probe is bounded in
 * time and turns a failure into a `ServerHealth` that is down, with a message that carries no secret.
 */
import type { ServerHealth } from './connector.js'
import { RtdsError } from '../core/errors.js'

/** Default bound of one probe. */
export const PROBE_TIMEOUT_MS = 3000

/** `p`, or a rejection after `ms` (the probe of a server that does not answer). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    timer.unref()
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/** Runs `fn` bounded by `ms`; its value, and the server's health. */
export async function probe<T>(server: string, fn: () => Promise<T>, ms = PROBE_TIMEOUT_MS): Promise<{ value?: T; health: ServerHealth }> {
  try {
    const value = await within(fn(), ms, server)
    return { value, health: { server, up: true } }
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300)
    // a classified, non-retriable failure (a missing table, a refused query) came from a server that answered
    const answered = err instanceof RtdsError && !err.retriable
    return { health: { server, up: answered, error: message } }
  }
}
