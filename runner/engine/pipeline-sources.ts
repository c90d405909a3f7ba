/**
 * The engine's inputs for a stage's `from` names: a pipeline source → its connector (pulling
 * sources wrapped in their schedule), a topic → `backend.topicSource`, a staging table →
 * `backend.stagingSource`. Offline mode (the embedded default) replaces an `http` source by the
 * `generate` source; `--once` leaves the `http_server` source out (it never ends by itself).
 */
import { GenerateSource } from '../../connectors/generate/generate-source.js'
import { HttpServerSource } from '../../connectors/http-server/http-server-source.js'
import { HttpSource } from '../../connectors/http/http-source.js'
import type { Source, StreamRecord } from '../../connectors/types.js'
import type { PipelineSpec, SourceSpec, StageSpec } from '../../dsl/spec.js'
import { stagingTopicOf } from '../../dsl/staging-topic.js'
import { RtdsError } from '../errors.js'
import type { PullSource } from '../scheduler/pull-source.js'
import { scheduledSource } from '../scheduler/scheduled-source.js'
import { schemaValidator } from '../validate-record.js'
import type { Backend } from './backend.js'

export interface InputContext {
  readonly spec: PipelineSpec
  readonly backend: Backend
  readonly once: boolean
  /** Replace `http` sources by `generate` (no network). */
  readonly offline: boolean
  /** Override every schedule's `runFor` (ms). */
  readonly runFor?: number
  readonly log: (line: string) => void
  /** Dead-letters an undecodable topic record (counted on the stage). */
  readonly onUndecodable: (stage: StageSpec, raw: StreamRecord, error: Error) => Promise<void>
  /** Called with every http_server source created (tests read its address). */
  readonly onHttpServer?: (source: HttpServerSource) => void
  /** Replaces a pipeline source's connector for one stage (`rtds test` feeds its inputs this way); `undefined` keeps the connector. */
  readonly sourceOverride?: SourceOverride
}

/**
 * Gives the source a stage reads instead of the connector of pipeline source `source` (called once
 * per reading stage, so each stage gets its own instance); `undefined` keeps the connector.
 */
export type SourceOverride = (source: SourceSpec, stage: StageSpec) => Source | undefined

/** The pulling connector of a source spec (offline: `http` → `generate`). */
function pullerOf(src: SourceSpec, ctx: InputContext): PullSource {
  if (src.kind === 'generate') return GenerateSource.fromSpec(src)
  if (src.kind === 'http') {
    if (ctx.offline) {
      ctx.log(`${src.name}: offline — the http source is replaced by the generate source (randomuser-shaped users, seed 1, ${src.http.results ?? 10} per pull)`)
      return new GenerateSource({ name: src.name, seed: 1, count: src.http.results ?? 10 })
    }
    return HttpSource.fromSpec(src, ctx.log)
  }
  throw new RtdsError(`source ${src.name} does not pull`)
}

/** The inputs of `stage` (a source left out in this mode is logged and skipped). */
export function stageInputs(stage: StageSpec, ctx: InputContext): Source[] {
  const { spec, backend } = ctx
  const inputs: Source[] = []
  for (const name of stage.from) {
    const src = spec.sources[name]
    const given = src ? ctx.sourceOverride?.(src, stage) : undefined
    if (given) {
      inputs.push(given)
      continue
    }
    if (src) {
      if (src.kind === 'http_server') {
        if (ctx.once) {
          ctx.log(`${name}: http_server not started in --once (it would never end)`)
          continue
        }
        const topic = stage.to.map((t) => stagingTopicOf(spec, t) ?? spec.topics[t]).find((t) => t !== undefined)
        const server = HttpServerSource.fromSpec(src, topic?.value ? schemaValidator(topic.value) : undefined, ctx.log)
        ctx.onHttpServer?.(server)
        inputs.push(server)
        continue
      }
      const schedule = src.schedule && ctx.runFor !== undefined ? { ...src.schedule, runFor: ctx.runFor } : src.schedule
      inputs.push(scheduledSource(pullerOf(src, ctx), schedule, { pipeline: spec.pipeline, once: ctx.once, history: backend.runHistory(), log: ctx.log }))
      continue
    }
    const topic = spec.topics[name]
    if (topic) {
      inputs.push(
        backend.topicSource(topic, {
          group: `rtds.${spec.pipeline}.${stage.name}`,
          stage: stage.name,
          once: ctx.once,
          batchSize: stage.batch.size,
          onUndecodable: (raw, error) => ctx.onUndecodable(stage, raw, error),
        }),
      )
      continue
    }
    const table = spec.tables[name]
    if (table?.kind === 'postgres') {
      inputs.push(backend.stagingSource(table, { once: ctx.once, batchSize: stage.batch.size }))
      continue
    }
    throw new RtdsError(`stage ${stage.name} reads ${name}, which is not a source, topic or staging table`)
  }
  return inputs
}
