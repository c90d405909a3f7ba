/**
 * Readiness of `rtds run` (`GET /readyz`), from the event seam: not ready while a server a pipeline
 * needs did not answer its last probe (`server.health`, runner/admin/observer.ts), while a stage has
 * been retrying for longer than `stuckMs` without progress, or after a stage's input stopped for
 * good (a non-retriable failure in streaming mode).
 */
import type { EventBus, RtdsEvent } from '../../core/events.js'

export interface ReadinessOptions {
  /** Retrying without progress for this long = stuck (default 30 s). */
  readonly stuckMs?: number
  /** Clock (tests). */
  readonly now?: () => number
}

/** See the module comment. */
export class Readiness {
  private readonly servers = new Map<string, { up: boolean; error?: string }>()
  /** Per pipeline/stage: since when it retries without progress, and the last error. */
  private readonly retrying = new Map<string, { since: number; error: string }>()
  private readonly stopped = new Map<string, string>()
  private readonly stuckMs: number
  private readonly now: () => number

  constructor(opts: ReadinessOptions = {}) {
    this.stuckMs = opts.stuckMs ?? 30_000
    this.now = opts.now ?? Date.now
  }

  /** Follows the events of `pipeline`; returns the unsubscribe function. */
  watch(pipeline: string, bus: EventBus): () => void {
    return bus.on((e) => this.see(pipeline, e))
  }

  private see(pipeline: string, e: RtdsEvent): void {
    if (e.type === 'server.health') {
      this.servers.set(`${pipeline}\u0000${e.server}`, { up: e.up, ...(e.error ? { error: e.error } : {}) })
      return
    }
    const key = `${pipeline}\u0000${e.stage}`
    switch (e.type) {
      case 'retry':
        if (!this.retrying.has(key)) this.retrying.set(key, { since: this.now(), error: e.error })
        else this.retrying.get(key)!.error = e.error
        break
      case 'records.written':
      case 'batch.settled':
        if (e.type === 'batch.settled' && !e.ok) break
        this.retrying.delete(key)
        break
      case 'batch.read':
        // an input that restarted and reads again made progress
        this.retrying.delete(key)
        break
      case 'stage.error':
        if (e.error.startsWith('input ')) this.stopped.set(key, e.error)
        break
    }
  }

  /** Why the process is not ready (empty: ready). */
  reasons(): string[] {
    const out: string[] = []
    const name = (key: string): string => key.replace('\u0000', ': ')
    for (const [key, s] of this.servers) if (!s.up) out.push(`${name(key)} is unreachable${s.error ? ` (${s.error})` : ''}`)
    for (const [key, r] of this.retrying) {
      const ms = this.now() - r.since
      if (ms >= this.stuckMs) out.push(`${name(key)} stuck: retrying for ${Math.round(ms / 1000)} s (${r.error})`)
    }
    for (const [key, error] of this.stopped) out.push(`${name(key)} stopped: ${error}`)
    return out
  }
}
