/**
 * Prometheus metrics of `rtds run`, as a subscriber of the event seam (core/events.ts): counters of
 * records received, sent, dead-lettered (by reason) and bytes; batch, commit and write latency
 * histograms; retries; writes in flight; consumer lag per partition, staging backlog and server
 * health (emitted by the observer, runner/admin/observer.ts); per schedule the last run's start, end
 * and outcome and the next fire time; the process' own metrics. Labels: `pipeline`, `stage`,
 * `component` (a source, sink, topic or table name). One registry per instance (no global state).
 *
 * @example
 * const metrics = new PipelineMetrics()
 * metrics.watch(graph.spec, events)
 * res.end(await metrics.text())
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { EventBus, RtdsEvent } from '../../core/events.js'
import type { PipelineSpec } from '../../dsl/spec.js'

const L = ['pipeline', 'stage', 'component'] as const
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const

/** See the module comment. */
export class PipelineMetrics {
  readonly registry = new Registry()
  private readonly received = new Counter({ name: 'rtds_records_received_total', help: 'Records a stage took from its inputs.', labelNames: L, registers: [this.registry] })
  private readonly receivedBytes = new Counter({ name: 'rtds_received_bytes_total', help: 'Bytes of the values a stage took from its inputs: as received where the source knows (HTTP bodies, Kafka values), else as JSON (batches over 8 records estimated from 8 of them).', labelNames: L, registers: [this.registry] })
  private readonly sent = new Counter({ name: 'rtds_records_sent_total', help: 'Records a stage wrote to a target (acknowledged by the server).', labelNames: L, registers: [this.registry] })
  private readonly dead = new Counter({ name: 'rtds_records_dead_lettered_total', help: 'Records a stage sent to its dead-letter topic, by reason.', labelNames: [...L, 'reason'], registers: [this.registry] })
  private readonly retries = new Counter({ name: 'rtds_retries_total', help: 'Retriable failures retried (what: write, dead-letter, input).', labelNames: [...L, 'what'], registers: [this.registry] })
  private readonly nacked = new Counter({ name: 'rtds_records_nacked_total', help: 'Records handed back to their source (delivered again).', labelNames: L, registers: [this.registry] })
  private readonly errors = new Counter({ name: 'rtds_stage_errors_total', help: 'Failures a stage recorded.', labelNames: L, registers: [this.registry] })
  private readonly batchSeconds = new Histogram({ name: 'rtds_batch_duration_seconds', help: 'Time from taking a group of batches to settling it.', labelNames: L, buckets: LATENCY_BUCKETS, registers: [this.registry] })
  private readonly commitSeconds = new Histogram({ name: 'rtds_commit_duration_seconds', help: 'Time to acknowledge (commit) a settled group to its sources.', labelNames: L, buckets: LATENCY_BUCKETS, registers: [this.registry] })
  private readonly writeSeconds = new Histogram({ name: 'rtds_write_duration_seconds', help: 'Time of one acknowledged write to a target, retries included.', labelNames: L, buckets: LATENCY_BUCKETS, registers: [this.registry] })
  private readonly inFlight = new Gauge({ name: 'rtds_writes_in_flight', help: 'Records of a stage being written (not yet acknowledged).', labelNames: L, registers: [this.registry] })
  private readonly lag = new Gauge({ name: 'rtds_consumer_lag_records', help: 'Records between the consumer group\'s committed offset and the end of a partition.', labelNames: [...L, 'partition'], registers: [this.registry] })
  private readonly backlog = new Gauge({ name: 'rtds_staging_backlog_rows', help: 'Staged rows not yet published to Kafka (outbox).', labelNames: L, registers: [this.registry] })
  private readonly lastStart = new Gauge({ name: 'rtds_schedule_last_run_start_timestamp_seconds', help: 'Start of the last run of a scheduled source.', labelNames: L, registers: [this.registry] })
  private readonly lastEnd = new Gauge({ name: 'rtds_schedule_last_run_end_timestamp_seconds', help: 'End of the last run of a scheduled source.', labelNames: L, registers: [this.registry] })
  private readonly lastOutcome = new Gauge({ name: 'rtds_schedule_last_run_outcome', help: '1 for the outcome of the last run of a scheduled source, 0 for the others.', labelNames: [...L, 'outcome'], registers: [this.registry] })
  private readonly lastRecords = new Gauge({ name: 'rtds_schedule_last_run_records', help: 'Records the last run of a scheduled source produced.', labelNames: L, registers: [this.registry] })
  private readonly runs = new Counter({ name: 'rtds_schedule_runs_total', help: 'Runs of a scheduled source, by outcome.', labelNames: [...L, 'outcome'], registers: [this.registry] })
  private readonly nextFire = new Gauge({ name: 'rtds_schedule_next_fire_timestamp_seconds', help: 'Next fire time of a scheduled source (absent when it never fires again).', labelNames: L, registers: [this.registry] })
  private readonly serverUp = new Gauge({ name: 'rtds_server_up', help: '1 when a server the pipeline needs answered the last probe, else 0.', labelNames: ['pipeline', 'server'], registers: [this.registry] })

  /** Labelled children of the metrics counted per batch, by label values: prom-client hashes the labels on every `labels()` call. */
  private readonly children = new Map<object, Map<string, unknown>>()

  constructor(opts: { readonly processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry })
  }

  /**
   * Counts the events of pipeline `spec` from `bus`; its stages' series exist from the start (at 0).
   * Returns the unsubscribe function.
   */
  watch(spec: PipelineSpec, bus: EventBus): () => void {
    const pipeline = spec.pipeline
    for (const stage of Object.values(spec.stages)) {
      for (const from of stage.from) this.received.labels(pipeline, stage.name, from).inc(0)
      for (const to of stage.to) this.sent.labels(pipeline, stage.name, to).inc(0)
      this.inFlight.labels(pipeline, stage.name, stage.name).set(0)
    }
    return bus.on((e) => this.count(pipeline, e))
  }

  /** `metric.labels(...values)`, cached. */
  private at<C>(metric: { labels(...values: string[]): C }, ...values: string[]): C {
    let byKey = this.children.get(metric)
    if (!byKey) this.children.set(metric, (byKey = new Map()))
    const key = values.join('\u0001')
    let child = byKey.get(key) as C | undefined
    if (!child) byKey.set(key, (child = metric.labels(...values)))
    return child
  }

  private count(pipeline: string, e: RtdsEvent): void {
    if (e.type === 'server.health') {
      this.serverUp.labels(pipeline, e.server).set(e.up ? 1 : 0)
      return
    }
    const l = [pipeline, e.stage, e.component] as const
    switch (e.type) {
      case 'batch.read':
        this.at(this.received, ...l).inc(e.records)
        if (e.bytes) this.at(this.receivedBytes, ...l).inc(e.bytes)
        break
      case 'records.written':
        this.at(this.sent, ...l).inc(e.records)
        this.at(this.writeSeconds, ...l).observe(e.ms / 1000)
        break
      case 'record.dead_lettered':
        this.dead.labels(...l, e.reason).inc()
        break
      case 'retry':
        this.retries.labels(...l, e.what).inc()
        break
      case 'batch.nacked':
        this.nacked.labels(...l).inc(e.records)
        break
      case 'stage.error':
        this.errors.labels(...l).inc()
        break
      case 'batch.settled':
        this.at(this.batchSeconds, ...l).observe(e.ms / 1000)
        this.at(this.commitSeconds, ...l).observe(e.ackMs / 1000)
        break
      case 'writes.in_flight':
        this.at(this.inFlight, ...l).set(e.records)
        break
      case 'lag':
        this.lag.labels(...l, String(e.partition)).set(e.lag)
        break
      case 'staging.backlog':
        this.backlog.labels(...l).set(e.rows)
        break
      case 'schedule.next':
        if (e.at === null) this.nextFire.remove(...l)
        else this.nextFire.labels(...l).set(e.at / 1000)
        break
      case 'schedule.started':
        this.lastStart.labels(...l).set(e.at / 1000)
        break
      case 'schedule.finished':
        this.lastEnd.labels(...l).set(e.at / 1000)
        this.lastRecords.labels(...l).set(e.records)
        for (const o of OUTCOMES) this.lastOutcome.labels(...l, o).set(o === e.status ? 1 : 0)
        this.runs.labels(...l, e.status).inc()
        break
    }
  }

  /**
   * Totals per pipeline and stage (`GET /api/stages` of the admin endpoint, read by `rtds status`):
   * records received, sent, dead-lettered.
   */
  async stageTotals(): Promise<Record<string, Record<string, { received: number; sent: number; deadLettered: number }>>> {
    const out: Record<string, Record<string, { received: number; sent: number; deadLettered: number }>> = {}
    const add = async (c: Counter<string>, field: 'received' | 'sent' | 'deadLettered'): Promise<void> => {
      for (const v of (await c.get()).values) {
        const p = String(v.labels.pipeline), st = String(v.labels.stage)
        const row = ((out[p] ??= {})[st] ??= { received: 0, sent: 0, deadLettered: 0 })
        row[field] += v.value
      }
    }
    await add(this.received, 'received')
    await add(this.sent, 'sent')
    await add(this.dead, 'deadLettered')
    return out
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  /** Content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType
  }
}
