/**
 * The engine's inputs for a stage's `from` names, looked up in the backend's connector runtimes:
 * a pipeline source → its connector's `input` (a pulling source wrapped in its schedule, or a
 * listening one), a topic or a table → its connector's `reader`. A connector may leave a source
 * out of a run (`http_server` in `--once`: it never ends by itself); that is logged.
 */
import type { Source, StreamRecord } from '../../core/stream.js'
import type { PipelineSpec, SourceSpec, StageSpec } from '../../dsl/spec.js'
import { stagingTopicOf } from '../../dsl/staging-topic.js'
import { schemaValidator } from '../../dsl/record-validate.js'
import { RtdsError } from '../../core/errors.js'
import { kindOf } from '../../connectors/connector.js'
import type { Backend } from '../../connectors/backend.js'
import { scheduledSource } from '../scheduler/scheduled-source.js'
import type { ScheduleTriggers } from '../scheduler/triggers.js'
import type { EventBus } from '../../core/events.js'

export interface InputContext {
  readonly spec: PipelineSpec
  readonly backend: Backend
  readonly once: boolean
  /** Pulls from the internet replaced by their offline twins (no network). */
  readonly offline: boolean
  /** Override every schedule's `runFor` (ms). */
  readonly runFor?: number
  readonly log: (line: string) => void
  /** Dead-letters an undecodable topic record (counted on the stage). */
  readonly onUndecodable: (stage: StageSpec, raw: StreamRecord, error: Error) => Promise<void>
  /** The run's event seam (schedules report their runs and next fire times there). */
  readonly events?: EventBus
  /** "Run now" of scheduled sources (the admin console). */
  readonly triggers?: ScheduleTriggers
  /** Called with every listening source created (tests read the ingestion API's address). */
  readonly onListen?: (source: Source) => void
  /** Replaces a pipeline source's connector for one stage (`rtds test` feeds its inputs this way); `undefined` keeps the connector. */
  readonly sourceOverride?: SourceOverride
  /** `--once`: resolves when every stage upstream of this one ended (readers fix "what is there" then). */
  readonly upstreamDone?: Promise<void>
}

/**
 * Gives the source a stage reads instead of the connector of pipeline source `source` (called once
 * per reading stage, so each stage gets its own instance); `undefined` keeps the connector.
 */
export type SourceOverride = (source: SourceSpec, stage: StageSpec) => Source | undefined

/** The input of pipeline source `src` for `stage` (undefined: left out of this run, logged). */
function pipelineInput(src: SourceSpec, stage: StageSpec, ctx: InputContext): { source: Source; tinyBatches: boolean } | undefined {
  const { spec } = ctx
  const topic = stage.to.map((t) => stagingTopicOf(spec, t) ?? spec.topics[t]).find((t) => t !== undefined)
  const input = ctx.backend.runtime(src.kind).input!(src, {
    stage, once: ctx.once, offline: ctx.offline, log: ctx.log, validator: topic?.value ? schemaValidator(topic.value) : undefined,
  })
  if ('skip' in input) {
    ctx.log(input.skip)
    return undefined
  }
  if ('listen' in input) {
    ctx.onListen?.(input.listen)
    return { source: input.listen, tinyBatches: input.tinyBatches ?? false }
  }
  const schedule = src.schedule && ctx.runFor !== undefined ? { ...src.schedule, runFor: ctx.runFor } : src.schedule
  return { source: scheduledSource(input.pull, schedule, { pipeline: spec.pipeline, once: ctx.once, history: ctx.backend.runHistory(), log: ctx.log, events: ctx.events, stage: stage.name, batchSize: stage.batch.size, triggers: ctx.triggers }), tinyBatches: false }
}

/** The consumer group of a stage reading a topic: `rtds.<pipeline>.<stage>` (made only here). */
export function consumerGroupOf(pipeline: string, stage: string): string {
  return `rtds.${pipeline}.${stage}`
}

/** The inputs of a stage and whether any of them emits tiny batches (one per request) worth waiting for. */
export interface StageInputs {
  readonly sources: Source[]
  readonly tinyBatches: boolean
}

/** The inputs of `stage` (a source left out in this mode is logged and skipped). */
export function stageInputs(stage: StageSpec, ctx: InputContext): StageInputs {
  const { spec, backend } = ctx
  const sources: Source[] = []
  let tinyBatches = false
  for (const name of stage.from) {
    const src = spec.sources[name]
    if (src) {
      const given = ctx.sourceOverride?.(src, stage)
      const input = given ? { source: given, tinyBatches: false } : pipelineInput(src, stage, ctx)
      if (input) (sources.push(input.source), (tinyBatches ||= input.tinyBatches))
      continue
    }
    const entity = spec.topics[name] ?? spec.tables[name]
    const reader = entity ? backend.runtime(kindOf(entity)).reader : undefined
    if (!entity || !reader) throw new RtdsError(`stage ${stage.name} reads ${name}, which is not a source, topic or readable table`)
    sources.push(reader(entity, {
      group: consumerGroupOf(spec.pipeline, stage.name),
      stage: stage.name,
      once: ctx.once,
      batchSize: stage.batch.size,
      ...(ctx.upstreamDone ? { upstreamDone: ctx.upstreamDone } : {}),
      onUndecodable: (raw, error) => ctx.onUndecodable(stage, raw, error),
    }))
  }
  return { sources, tinyBatches }
}
