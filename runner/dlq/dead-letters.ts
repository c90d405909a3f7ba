/**
 * Dead letters of a pipeline as operators see them (`rtds dlq`, the console): read from every
 * `<topic>.dlq` the pipeline's stages write, filtered, shown with the pipeline's `redact:` fields
 * masked, and replayed — each record re-enters the stage it failed in (its `rtds.stage` header):
 * validated, transformed and written again as in a run. A record that fails again goes back to the
 * dead-letter topic with `rtds.replays` one higher; a replay reads only up to the end offsets seen
 * when it started, so it never replays its own failures (no loop).
 */
import type { Admin, Kafka } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import { DLQ_HEADERS, type Sink, type Source, type SourceBatch, type StreamRecord } from '../../core/stream.js'
import { Redactor } from '../../core/redact.js'
import { EventBus } from '../../core/events.js'
import { RecordError } from '../../core/errors.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { Backend } from '../../connectors/backend.js'
import { kindOf } from '../../connectors/connector.js'
import { readDeadLetters, type StoredDeadLetter } from '../../connectors/kafka/dlq-read.js'
import { compileRecordSteps, dlqTopicOf, stageTargets } from '../engine/record-steps.js'
import { newStageStats, runStage } from '../engine/stage-runner.js'

/** One dead letter, as listed. `value` is masked. */
export interface DeadLetterEntry {
  /** `<dlq topic>/<partition>@<offset>`: what `--id` selects. */
  readonly id: string
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly stage: string
  readonly reason: string
  readonly error: string
  readonly origin: string
  readonly at: string
  readonly replays: number
  readonly value: unknown
}

/** Which dead letters to act on. */
export interface DeadLetterFilter {
  readonly reason?: string
  readonly stage?: string
  /** Ids (`topic/partition@offset`), or bare offsets. */
  readonly ids?: readonly string[]
}

/** The dead-letter topics of a pipeline (one per stage, deduplicated). */
export function deadLetterTopics(graph: TaskGraph): string[] {
  return [...new Set(Object.values(graph.spec.stages).map((s) => dlqTopicOf(graph.spec, s)))]
}

/** Every dead letter of the pipeline (oldest first per topic), with the stored record kept for replay. */
export async function readPipelineDeadLetters(graph: TaskGraph, kafka: Kafka, admin: Admin, settings: ConnectionSettings): Promise<{ entry: DeadLetterEntry; stored: StoredDeadLetter }[]> {
  const redactor = new Redactor(graph.spec.redact ?? [])
  const out: { entry: DeadLetterEntry; stored: StoredDeadLetter }[] = []
  for (const topic of deadLetterTopics(graph)) {
    for (const stored of await readDeadLetters(kafka, admin, topic, settings)) out.push({ entry: toEntry(stored, redactor), stored })
  }
  return out
}

/** A stored dead letter as listed (value and error masked). */
export function toEntry(d: StoredDeadLetter, redactor: Redactor): DeadLetterEntry {
  const h = d.headers
  return {
    id: `${d.topic}/${d.partition}@${d.offset}`, topic: d.topic, partition: d.partition, offset: d.offset, key: d.key,
    stage: h[DLQ_HEADERS.stage] ?? '', reason: h[DLQ_HEADERS.reason] ?? '', error: redactor.text(h[DLQ_HEADERS.error] ?? '', d.value),
    origin: h[DLQ_HEADERS.origin] ?? '', at: h[DLQ_HEADERS.at] ?? '', replays: Number(h[DLQ_HEADERS.replays] ?? 0) || 0,
    value: redactor.value(d.value),
  }
}

/** Whether `e` passes `f`. */
export function matches(e: DeadLetterEntry, f: DeadLetterFilter): boolean {
  if (f.reason !== undefined && e.reason !== f.reason) return false
  if (f.stage !== undefined && e.stage !== f.stage) return false
  if (f.ids?.length && !f.ids.some((id) => id === e.id || id === e.offset)) return false
  return true
}

/** What a replay did. */
export interface ReplayResult {
  /** Records that re-entered their stage. */
  replayed: number
  /** Of those, written to the stage's targets. */
  succeeded: number
  /** Of those, dead-lettered again (with `rtds.replays` + 1). */
  failedAgain: number
  /** Dead letters not replayed, with why (a stage the pipeline no longer has). */
  readonly skipped: { id: string; why: string }[]
  readonly errors: string[]
}

/** The record a dead letter replays as: its value (bytes for `{rawBase64}`), its key, its replay count + 1. */
export function replayRecord(d: StoredDeadLetter): StreamRecord {
  const v = d.value as { rawBase64?: unknown } | null
  const value = v && typeof v === 'object' && typeof v.rawBase64 === 'string' && Object.keys(v).length === 1 ? Buffer.from(v.rawBase64, 'base64') : d.value
  const replays = (Number(d.headers[DLQ_HEADERS.replays] ?? 0) || 0) + 1
  return { key: d.key, value, origin: `kafka:${d.topic}/${d.partition}@${d.offset}`, headers: { [DLQ_HEADERS.replays]: String(replays) } }
}

/** A source emitting `records` once, ending when they were settled. */
function onceSource(records: StreamRecord[]): Source {
  return {
    name: 'dlq-replay',
    async run(emit: (b: SourceBatch) => Promise<void>) {
      let done!: () => void
      const settled = new Promise<void>((r) => (done = r))
      await emit({ records, ack: async () => done(), nack: async () => done() })
      await settled
    },
    close: async () => {},
  }
}

/** Replays `letters` into their stages on `backend` (see the module comment). */
export async function replayDeadLetters(graph: TaskGraph, backend: Backend, letters: readonly StoredDeadLetter[], opts: { readonly events?: EventBus } = {}): Promise<ReplayResult> {
  const spec = graph.spec
  const result: ReplayResult = { replayed: 0, succeeded: 0, failedAgain: 0, skipped: [], errors: [] }
  const byStage = new Map<string, StoredDeadLetter[]>()
  for (const d of letters) {
    const stage = d.headers[DLQ_HEADERS.stage] ?? ''
    if (!spec.stages[stage]) {
      result.skipped.push({ id: `${d.topic}/${d.partition}@${d.offset}`, why: `stage ${JSON.stringify(stage)} is not in pipeline ${spec.pipeline}` })
      continue
    }
    byStage.set(stage, [...(byStage.get(stage) ?? []), d])
  }
  const redactor = new Redactor(spec.redact ?? [])
  for (const [name, list] of byStage) {
    const stage = spec.stages[name]!
    const sinks: Sink[] = stageTargets(spec, stage).map((t) => {
      const entity = t.kind === 'topic' ? t.topic : t.table
      const sink = backend.runtime(kindOf(entity)).sink
      if (!sink) throw new RecordError('config', `stage ${name} writes ${entity.name}, whose connector cannot be written`)
      return sink(entity)
    })
    const stats = newStageStats()
    const never = new AbortController().signal
    try {
      await runStage({
        stage, inputs: [onceSource(list.map(replayRecord))], sinks, prepare: compileRecordSteps(spec, stage, graph.connectors), dlq: backend.deadLetters(),
        dlqTopic: dlqTopicOf(spec, stage), stats, stop: never, kill: never, events: opts.events ?? new EventBus(), redactor, lingerMs: 0,
      })
    } finally {
      await Promise.all(sinks.map((s) => s.close().catch(() => {})))
    }
    result.replayed += stats.in
    result.succeeded += stats.out
    result.failedAgain += stats.dlq
    result.errors.push(...stats.errors)
  }
  return result
}
