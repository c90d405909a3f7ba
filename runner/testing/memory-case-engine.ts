import type { TaskGraph } from '../../dsl/graph-types.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { stagingTopicOf } from '../../dsl/staging-topic.js'
import { MemoryBackend } from '../../connectors/memory/index.js'
import type { Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import { DLQ_HEADERS } from '../../core/stream.js'
import { compileExpression } from '../../transform/transform-fn.js'
import type { CaseEngine, CaseOutputs } from './case-engine.js'
import type { ActualOutput } from './expect-matcher.js'
import { recordingBackend, type Recording } from './recording-backend.js'
import { dlqTopicOf } from './target-check.js'
import type { ExpectTarget, TestInput } from './test-file-types.js'
import { runCaseGraph } from './engine-seam.js'

/**
 * A finite source emitting the test inputs aimed at one pipeline source: one batch per input entry,
 * in order, each awaited (`emit` resolves when the stage took it: back-pressure); a nacked batch
 * fails the case (the engine could not store it).
 */
export function inputSource(name: string, batches: readonly (readonly StreamRecord[])[]): Source {
  return {
    name,
    async run(emit, signal) {
      for (const records of batches) {
        if (signal.aborted) return
        if (records.length === 0) continue
        let nacked: Error | undefined
        const batch: SourceBatch = { records, ack: async () => {}, nack: async (err) => { nacked = err } }
        await emit(batch)
        if (nacked) throw new Error(`input batch to source ${name} was not stored: ${nacked.message}`)
      }
    },
    close: async () => {},
  }
}

/** The Kafka key of a value on `topic`: its `key` JSONata evaluated on the value, as the engine's stages do (`String(k)`). */
async function keyOf(spec: PipelineSpec, topic: string, value: unknown): Promise<string | null> {
  const expr = spec.topics[topic]?.key
  if (!expr) return null
  const k = await compileExpression(expr, { timeoutMs: spec.settings.transform.timeout, maxDepth: spec.settings.transform.maxDepth })(value)
  return (typeof k === 'string' && k !== '') || typeof k === 'number' ? String(k) : null
}

/** Writes topic and table inputs straight into the backend before the run. */
async function seed(backend: MemoryBackend, spec: PipelineSpec, inputs: readonly TestInput[]): Promise<void> {
  for (const [i, input] of inputs.entries()) {
    const origin = (j: number): string => `test:${input.target.kind}:${input.target.name} input=${i} index=${j}`
    if (input.target.kind === 'topic') {
      const topic = spec.topics[input.target.name]!
      const records = await Promise.all(input.records.map(async (value, j) => ({ key: await keyOf(spec, topic.name, value), value, origin: origin(j) })))
      const failures = await backend.topicSink(topic).write(records)
      if (failures.length) throw new Error(`input ${i} to topic ${topic.name}: record ${records.indexOf(failures[0]!.record)} does not fit the topic's schema: ${failures[0]!.error.message}`)
    } else if (input.target.kind === 'table') {
      const table = spec.tables[input.target.name]!
      // a staged row carries the key of the topic it is relayed to, as the ingest stage would set it
      const relayedTo = stagingTopicOf(spec, table.name)?.name
      const records = await Promise.all(input.records.map(async (value, j) => ({ key: relayedTo ? await keyOf(spec, relayedTo, value) : null, value, origin: origin(j) })))
      const sink = backend.runtime(table.kind).sink!(table)
      const failures = await sink.write(records)
      if (failures.length) throw new Error(`input ${i} to table ${table.name}: ${failures[0]!.error.message}`)
    }
  }
}

/** Reads every kind of output from the memory backend's stored state (and the recording, for stages). */
function outputsOf(backend: MemoryBackend, recording: Recording, spec: PipelineSpec): CaseOutputs {
  return {
    read(target: ExpectTarget): ActualOutput {
      switch (target.kind) {
        case 'table': {
          const t = spec.tables[target.name]
          const stored = t ? backend.runtime(t.kind).stored?.(t) : undefined
          return { target, records: stored?.records ?? [], ...(stored?.keys ? { keys: stored.keys } : {}), ...(stored?.primaryKey ? { primaryKey: stored.primaryKey } : {}) }
        }
        case 'topic': {
          const msgs = backend.topics.get(target.name)?.decodedMessages() ?? []
          return { target, records: msgs.map((m) => m.value), keys: msgs.map((m) => m.key) }
        }
        case 'dlq': {
          const letters = backend.dlq.get(dlqTopicOf(target.name)) ?? []
          const records = letters.map((d) => ({
            stage: d.headers[DLQ_HEADERS.stage],
            reason: d.headers[DLQ_HEADERS.reason],
            error: d.headers[DLQ_HEADERS.error],
            key: d.key,
            value: Buffer.isBuffer(d.value) ? { base64: d.value.toString('base64') } : d.value,
          }))
          return { target, records, keys: letters.map((d) => d.key) }
        }
        case 'stage': {
          const stage = spec.stages[target.name]!
          const records: unknown[] = []
          const keys: (string | null)[] = []
          for (const to of stage.to) {
            const writers = Object.values(spec.stages).filter((s) => s.to.includes(to))
            if (writers.length > 1) throw new Error(`stage ${stage.name}'s output cannot be told apart: ${to} is written by stages ${writers.map((s) => s.name).join(', ')} (expect on ${to} instead)`)
            const written = recording.topics.get(to) ?? recording.tables.get(to) ?? []
            for (const w of written) { records.push(w.value); keys.push(w.key) }
          }
          return { target, records, keys }
        }
      }
    },
  }
}

/**
 * The default case engine: a fresh `MemoryBackend` per case (wrapped to record stage outputs),
 * topic and table inputs written into it, source inputs replacing the pipeline's sources, then the
 * engine's `runPipeline` in `once` mode — the same engine and transforms as `rtds run --embedded`.
 */
export function memoryCaseEngine(): CaseEngine {
  return {
    async execute(graph: TaskGraph, inputs: readonly TestInput[]): Promise<CaseOutputs> {
      const spec = graph.spec
      const memory = new MemoryBackend({ pipeline: spec.pipeline })
      const { backend, recording } = recordingBackend(memory)
      await seed(memory, spec, inputs)
      const batchesOf = (name: string): StreamRecord[][] =>
        inputs
          .map((inp, i) => ({ inp, i }))
          .filter(({ inp }) => inp.target.kind === 'source' && inp.target.name === name)
          .map(({ inp, i }) => inp.records.map((value, j): StreamRecord => ({ key: null, value, origin: `test:source:${name} input=${i} index=${j}` })))
      await runCaseGraph(graph, backend, (source) => inputSource(source.name, batchesOf(source.name)))
      await backend.close()
      return outputsOf(memory, recording, spec)
    },
  }
}
