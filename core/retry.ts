/**
 * The one retry module: exponential backoff with full jitter, bailing out at once on a
 * non-retriable error. Connectors classify failures (`RtdsError.retriable`); they never loop.
 */
import { RtdsError } from './errors.js'

/** Retry policy. */
export interface RetryOptions {
  /** Total attempts including the first (default 6). `Infinity` retries until the signal aborts. */
  readonly maxAttempts?: number
  /** Give up once this much time has passed since the first attempt (default: no limit). */
  readonly maxTimeMs?: number
  /** Upper bound of the first backoff (default 200 ms). */
  readonly initialDelayMs?: number
  /** Largest backoff (default 10 s). */
  readonly maxDelayMs?: number
  /** Growth per attempt (default 2). */
  readonly factor?: number
  /** Aborting stops the retries (the last error is thrown). */
  readonly signal?: AbortSignal
  /** Whether `err` may succeed on another try; default {@link isRetriable}. */
  readonly retriable?: (err: unknown) => boolean
  /** Called before each wait, e.g. to log `retrying in 400 ms`. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void
  /** Random source in [0, 1) (tests pass a fixed one). */
  readonly random?: () => number
}

/** True for an `RtdsError` marked retriable; false for anything else (programming errors bail). */
export function isRetriable(err: unknown): boolean {
  return err instanceof RtdsError && err.retriable
}

/**
 * Full-jitter backoff for attempt `n` (1 = the wait after the first failure):
 * a random delay in [0, min(maxDelay, initial * factor^(n-1))).
 */
export function backoffDelay(n: number, opts: RetryOptions = {}): number {
  const initial = opts.initialDelayMs ?? 200
  const cap = Math.min(opts.maxDelayMs ?? 10_000, initial * Math.pow(opts.factor ?? 2, Math.max(0, n - 1)))
  return Math.floor((opts.random ?? Math.random)() * cap)
}

/**
 * Runs `fn` until it resolves, a non-retriable error is thrown, attempts or time run out, or the
 * signal aborts; the last error is rethrown.
 *
 * @example
 *   await retry(() => sink.write(records), { maxAttempts: Infinity, signal, onRetry: (e, n, ms) => log(`retry ${n} in ${ms} ms: ${e}`) })
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 6
  const started = Date.now()
  const retriable = opts.retriable ?? isRetriable
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      if (!retriable(err) || attempt >= maxAttempts || opts.signal?.aborted) throw err
      let delay = backoffDelay(attempt, opts)
      if (opts.maxTimeMs !== undefined) {
        const left = opts.maxTimeMs - (Date.now() - started)
        if (left <= 0) throw err
        delay = Math.min(delay, left)
      }
      opts.onRetry?.(err, attempt, delay)
      await sleep(delay, opts.signal)
      if (opts.signal?.aborted) throw err
    }
  }
}

/** Resolves after `ms` or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
