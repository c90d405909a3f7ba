/**
 * Probes what no component reports by itself — consumer lag per partition, staging backlog, whether
 * each server the pipeline needs answers — through the connectors' `observe` (connectors/connector.ts),
 * and emits the results on the pipeline's event seam (`lag`, `staging.backlog`, `server.health`),
 * where metrics and readiness read them like every other event.
 */
import type { EventBus } from '../../core/events.js'
import type { Backend } from '../../connectors/backend.js'
import { kindOf } from '../../connectors/connector.js'
import type { ServerHealth } from '../../connectors/connector.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { consumerGroupOf } from '../engine/pipeline-sources.js'

export interface ObserverOptions {
  readonly spec: PipelineSpec
  readonly backend: Backend
  readonly events: EventBus
  /** Interval of the probes, default 5 s (0: only on `refresh()`). */
  readonly intervalMs?: number
}

export interface Observer {
  /** Probes now (concurrent calls share one probe); resolves when the events were emitted. */
  refresh(): Promise<void>
  /** Time of the last completed probe (epoch ms; 0: none yet). */
  readonly last: number
  stop(): void
}

/** See the module comment. */
export function startObserver(opts: ObserverOptions): Observer {
  const { spec, backend, events } = opts
  const readers = (name: string): string[] => Object.values(spec.stages).filter((s) => s.from.includes(name)).map((s) => s.name)
  const entities = [...Object.values(spec.topics), ...Object.values(spec.tables)]
  let running: Promise<void> | undefined
  let last = 0

  const probeOnce = async (): Promise<void> => {
    const servers = new Map<string, ServerHealth>()
    await Promise.all(entities.map(async (entity) => {
      let observe
      try {
        observe = backend.runtime(kindOf(entity)).observe
      } catch {
        return // no implementation of this kind on this backend
      }
      if (!observe) return
      const stages = readers(entity.name)
      const o = await observe(entity, stages.map((s) => consumerGroupOf(spec.pipeline, s)))
      for (const h of o.servers) if (!servers.has(h.server) || !h.up) servers.set(h.server, h)
      for (const l of o.lag ?? []) {
        const stage = stages.find((s) => consumerGroupOf(spec.pipeline, s) === l.group) ?? ''
        events.emit({ type: 'lag', stage, component: entity.name, topic: entity.name, partition: l.partition, lag: l.lag })
      }
      if (o.backlog !== undefined) events.emit({ type: 'staging.backlog', stage: stages[0] ?? '', component: entity.name, table: entity.name, rows: o.backlog })
    }))
    for (const h of servers.values()) events.emit({ type: 'server.health', server: h.server, up: h.up, ...(h.error ? { error: h.error } : {}) })
    last = Date.now()
  }
  const refresh = (): Promise<void> => (running ??= probeOnce().catch(() => {}).finally(() => (running = undefined)))
  const timer = (opts.intervalMs ?? 5000) > 0 ? setInterval(() => void refresh(), opts.intervalMs ?? 5000) : undefined
  timer?.unref()
  void refresh()
  return {
    refresh,
    get last() {
      return last
    },
    stop: () => timer && clearInterval(timer),
  }
}
