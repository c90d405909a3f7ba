/**
 * The per-record pipeline of one stage, compiled once: transform (JSONata, per-record timeout) →
 * for each target of `to`: key (the topic's `key` JSONata) and validation (the relayed topic's
 * schema for a staging table, the topic's schema for a topic, every column for a Cassandra table).
 * A record that fails any step becomes a `RecordError` (the engine dead-letters it).
 */
import type { StreamRecord } from '../../core/stream.js'
import type { PipelineSpec, StageSpec, TableSpec, TopicSpec } from '../../dsl/spec.js'
import { stagingTopicOf } from '../../dsl/staging-topic.js'
import { RecordError } from '../../core/errors.js'
import { schemaValidator, type RecordValidator } from '../../dsl/record-validate.js'
import { connectorOf, type ConnectorCatalog } from '../../dsl/connector-config.js'
import { compileExpression, type Evaluator } from '../../transform/transform-fn.js'

/** What a record becomes: one output record per target, or the reason it cannot go anywhere. */
export type Prepared = { readonly outputs: readonly StreamRecord[] } | { readonly error: RecordError }

/** A stage's target (an entry of `to`). */
export type Target = { readonly kind: 'topic'; readonly topic: TopicSpec } | { readonly kind: 'table'; readonly table: TableSpec }

interface TargetStep {
  readonly name: string
  readonly key?: Evaluator
  readonly validator?: RecordValidator
  readonly what: string
}

/** The targets of a stage, in `to` order. */
export function stageTargets(spec: PipelineSpec, stage: StageSpec): Target[] {
  return stage.to.map((name) => {
    if (spec.topics[name]) return { kind: 'topic', topic: spec.topics[name] }
    if (spec.tables[name]) return { kind: 'table', table: spec.tables[name] }
    throw new RecordError('config', `stage ${stage.name} writes to unknown ${name}`)
  })
}

/** `<topic>.dlq` for a stage: the topic it reads, else the topic it writes or relays to, else `<pipeline>.<stage>.dlq`. */
export function dlqTopicOf(spec: PipelineSpec, stage: StageSpec): string {
  const topic =
    stage.from.find((n) => spec.topics[n]) ??
    stage.to.find((n) => spec.topics[n]) ??
    stage.to.map((n) => stagingTopicOf(spec, n)?.name).find((n) => n !== undefined)
  return `${topic ?? `${spec.pipeline}.${stage.name}`}.dlq`
}

/** The topic whose schema records written into staging table `name` must match (undefined when none). */
function stepOf(spec: PipelineSpec, catalog: ConnectorCatalog, target: Target, opts: ExprOptions): TargetStep {
  const topic = target.kind === 'topic' ? target.topic : stagingTopicOf(spec, target.table.name)
  if (topic) {
    return {
      name: target.kind === 'topic' ? topic.name : target.table.name,
      key: topic.key ? compileExpression(topic.key, opts) : undefined,
      // a topic sink validates while encoding (per-record failures): validate here only for a staging table
      validator: topic.value && target.kind === 'table' ? schemaValidator(topic.value) : undefined,
      what: `the value schema of topic ${topic.name}`,
    }
  }
  if (target.kind === 'table') {
    const row = connectorOf(catalog, 'table', target.table.kind)?.rowValidator?.(target.table)
    if (row) return { name: target.table.name, ...row }
  }
  return { name: target.kind === 'topic' ? target.topic.name : target.table.name, what: 'nothing' }
}

interface ExprOptions {
  readonly timeoutMs: number
  readonly maxDepth: number
}

/** Compiles the per-record steps of `stage`. */
export function compileRecordSteps(spec: PipelineSpec, stage: StageSpec, catalog: ConnectorCatalog): (record: StreamRecord) => Promise<Prepared> {
  const opts = { timeoutMs: spec.settings.transform.timeout, maxDepth: spec.settings.transform.maxDepth }
  const transform = stage.transform ? compileExpression(stage.transform.expr, opts) : undefined
  const steps = stageTargets(spec, stage).map((t) => stepOf(spec, catalog, t, opts))
  return async (record) => {
    let value = record.value
    if (transform) {
      try {
        value = await transform(value)
      } catch (err) {
        return { error: new RecordError('transform', `transform of stage ${stage.name} failed: ${messageOf(err)}`, { cause: err }) }
      }
      if (value === undefined) return { error: new RecordError('transform', `transform of stage ${stage.name} produced no value`) }
    }
    const outputs: StreamRecord[] = []
    for (const step of steps) {
      let key = record.key
      if (step.key && (transform || key === null)) {
        let k: unknown
        try {
          k = await step.key(value)
        } catch (err) {
          return { error: new RecordError('key', `key of ${step.name} could not be computed: ${messageOf(err)}`, { cause: err }) }
        }
        if ((typeof k !== 'string' || k === '') && typeof k !== 'number')
          return { error: new RecordError('key', `key of ${step.name} is missing: the key expression gave ${k === undefined ? 'no value' : JSON.stringify(k)}`) }
        key = String(k)
      }
      const reasons = step.validator?.validate(value) ?? []
      if (reasons.length) return { error: new RecordError('validation', `does not match ${step.what}: ${reasons.join('; ')}`) }
      outputs.push({ key, value, origin: record.origin, ...(record.headers ? { headers: record.headers } : {}) })
    }
    return { outputs }
  }
}

/** The message of a jsonata error object or an Error. */
export function messageOf(err: unknown): string {
  const e = err as { message?: string; code?: string } | undefined
  const msg = e?.message ?? String(err)
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg
}
