/**
 * A pulling source (`http`, `generate`): each `pull` fetches one page of records. The scheduler
 * (`scheduled-source.ts`) decides when to pull (cron, interval, `runFor` windows, one pull per
 * `rtds run` without a schedule) and turns each page into one `SourceBatch`.
 */
import type { StreamRecord } from './stream.js'

export interface PullSource {
  readonly name: string
  /** Human description for logs (`GET http://host/api/?results=10`, `generate seed=1`); never secrets. */
  readonly describe: string
  /**
   * Fetches one page. Retries transient failures itself through `runner/retry.ts` and throws
   * (a `ConnectionError`) only when they are exhausted or `signal` aborted.
   */
  pull(signal: AbortSignal): Promise<readonly StreamRecord[]>
  close(): Promise<void>
}
