/**
 * The one instrumentation seam: components emit typed events through an `EventBus`; logging
 * subscribes today, metrics (and a console) can subscribe later without touching a component.
 * Events are plain data, built only when someone listens (`bus.active`), as kafkajs'
 * instrumentation does.
 *
 * @example
 * const bus = new EventBus()
 * bus.on((e) => { if (e.type === 'records.written') written.inc({ stage: e.stage }, e.records) })
 */

/** Where an event comes from: the stage and the component inside it (a source, a sink, the DLQ). */
interface Origin {
  readonly stage: string
  readonly component: string
}

/** The catalogue, `<subject>.<event>`. */
export type RtdsEvent =
  /** A source handed a batch to the stage (`bytes`: the size of its values, JSON or raw). */
  | (Origin & { readonly type: 'batch.read'; readonly records: number; readonly bytes?: number })
  /** A group of batches was processed and settled: `ms` from taken to settled, `ackMs` the ack (commit) alone. */
  | (Origin & { readonly type: 'batch.settled'; readonly records: number; readonly ms: number; readonly ackMs: number; readonly ok: boolean })
  /**
   * Records of the stage being written right now (sinks not yet acknowledged); `window`: a pipelined
   * stage (sinks with a shared window of writes) keeps dispatching groups while `records` < `window`.
   */
  | (Origin & { readonly type: 'writes.in_flight'; readonly records: number; readonly window?: number })
  /** A sink acknowledged a write. */
  | (Origin & { readonly type: 'records.written'; readonly records: number; readonly ms: number })
  /** A group-committing sink (the staging table) committed one transaction: its size, its latency and how many writes joined it. */
  | (Origin & { readonly type: 'sink.committed'; readonly records: number; readonly bytes: number; readonly ms: number; readonly writes: number })
  /** A record went to `dlqTopic` (reason `decode`, `validation`, `transform`, `sink`, ...). */
  | (Origin & { readonly type: 'record.dead_lettered'; readonly dlqTopic: string; readonly reason: string; readonly error: string; readonly origin: string })
  /** A retriable failure; the operation is tried again after `delayMs`. */
  | (Origin & { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly error: string; readonly hint?: string; readonly what: 'write' | 'dead-letter' | 'input' })
  /** A batch was handed back to its source (it is delivered again). */
  | (Origin & { readonly type: 'batch.nacked'; readonly records: number; readonly error: string })
  /** A failure the stage records (the run ends `failed`). */
  | (Origin & { readonly type: 'stage.error'; readonly error: string })
  /** Records behind the end of a partition (consumers): the group's committed offset to the end offset. */
  | (Origin & { readonly type: 'lag'; readonly topic: string; readonly partition: number; readonly lag: number })
  /** Staged rows not yet published (the outbox of a staging table; component = the table). */
  | (Origin & { readonly type: 'staging.backlog'; readonly table: string; readonly rows: number })
  /** A scheduled source's next fire time (epoch ms; null: never again). */
  | (Origin & { readonly type: 'schedule.next'; readonly at: number | null })
  /** A run of a scheduled source started (`trigger`: schedule, once, start, manual). */
  | (Origin & { readonly type: 'schedule.started'; readonly trigger: string; readonly at: number })
  /** A run of a scheduled source ended. */
  | (Origin & { readonly type: 'schedule.finished'; readonly trigger: string; readonly at: number; readonly status: 'succeeded' | 'failed' | 'cancelled'; readonly records: number; readonly deadLettered: number; readonly error?: string })
  /** Whether a server the pipeline needs answered a probe (`server`: kafka, registry, postgres, cassandra). */
  | { readonly type: 'server.health'; readonly server: string; readonly up: boolean; readonly error?: string }

export type RtdsEventType = RtdsEvent['type']
export type Listener = (event: RtdsEvent) => void

/** Synchronous fan-out to listeners; a listener that throws never breaks the component. */
export class EventBus {
  private readonly listeners = new Set<Listener>()

  /** Whether anyone listens (skip building an event otherwise). */
  get active(): boolean {
    return this.listeners.size > 0
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(event: RtdsEvent): void {
    for (const l of this.listeners) {
      try {
        l(event)
      } catch {
        // instrumentation must not change what the pipeline does
      }
    }
  }
}
