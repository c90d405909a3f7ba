import type { TaskGraph } from '../../dsl/graph-types.js'
import type { Source } from '../../connectors/types.js'
import type { Backend } from '../engine/backend.js'

/**
 * Runs the pipeline graph once to completion on `backend`, with the pipeline's sources replaced by
 * `sources` (test inputs; no HTTP pull, no HTTP server). The one place `rtds test` touches the
 * engine's API.
 */
export async function runCaseGraph(_graph: TaskGraph, _backend: Backend, _sources: Readonly<Record<string, Source>>): Promise<void> {
  throw new Error('the engine (runner/engine runPipeline) is not available yet')
}
