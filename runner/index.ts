/**
 * The engine as a library: `runPipeline(graph, backend, opts)` and the backends.
 *
 * @example
 *   const { graph } = loadPipeline('pipelines/users.yaml')
 *   const backend = new MemoryBackend({ pipeline: graph!.pipeline })
 *   const summary = await runPipeline(graph!, backend, { once: true, runFor: 0 })
 */
export { runPipeline, upstreamStages, type RunOptions, type RunSummary } from './engine/run-pipeline.js'
export type { Backend, TopicSourceOptions, StagingSourceOptions, RunHistory, RunStart, RunOutcome } from '../connectors/backend.js'
export type { StageStats } from './engine/stage-runner.js'
export { MemoryBackend, type MemoryBackendOptions } from '../connectors/memory/memory-backend.js'
export { formatStored } from '../connectors/memory/embedded-report.js'
export { retry, backoffDelay, isRetriable, type RetryOptions } from '../core/retry.js'
export { schemaValidator, avroValidator, jsonSchemaValidator, type RecordValidator } from '../dsl/record-validate.js'
export { rowValidator } from '../connectors/cassandra/row-validate.js'
export { generateUser, generateUsers } from '../connectors/generate/randomuser-generate.js'
