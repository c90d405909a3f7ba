import type { TaskGraph } from '../../dsl/graph-types.js'
import type { Source } from '../../core/stream.js'
import type { SourceSpec, StageSpec } from '../../dsl/spec.js'
import type { Backend } from '../../connectors/backend.js'
import { runPipeline } from '../engine/run-pipeline.js'

/**
 * Runs the pipeline graph once to completion on `backend` with the engine of `rtds run --once`
 * (`runPipeline`: stages wave by wave, relay drained, consumers read to the end), every pipeline
 * source replaced by `sourceFor(source, stage)` (test inputs; no HTTP pull, no HTTP server, no
 * generator). The one place `rtds test` calls the engine. Throws when the run did not complete
 * (a batch nacked, a sink failing for good): the case then reports an error, not a diff.
 */
export async function runCaseGraph(graph: TaskGraph, backend: Backend, sourceFor: (source: SourceSpec, stage: StageSpec) => Source): Promise<void> {
  const log: string[] = []
  const summary = await runPipeline(graph, backend, {
    once: true,
    offline: true,
    progressMs: 0,
    graceMs: 5_000,
    log: (line) => { log.push(line) },
    sourceOverride: sourceFor,
  })
  if (summary.status !== 'completed') {
    throw new Error(`run ${summary.status}: ${summary.errors.join('; ') || log.slice(-3).join(' / ')}`)
  }
}
