/**
 * The DSL's public entry points. Pure: reads files, never talks to a server.
 *
 * CONTRACT (implemented by the DSL issue; other modules code against these signatures):
 * - `loadPipeline(file, opts)` runs parse (positions) → render (Handlebars per string scalar) →
 *   validate (ajv against schemas/pipeline.schema.json) → resolve (names, files, schemas) →
 *   graph → semantic checks, and returns the spec + graph when there is no error-level diagnostic.
 * - `loadPipelines(paths, opts)` expands directories to their `*.yaml`/`*.yml` files (not
 *   `*.test.yaml`), loads each; `ioErrors` lists paths that do not exist or cannot be read.
 * - `formatDiagnostic(d)` prints `file:line:col error RTDS012 message (hint: ...)`.
 */
export type { PipelineSpec } from './spec.js'
export type { Diagnostic } from './diagnostic.js'
export type { TaskGraph, GraphNode, GraphEdge } from './graph-types.js'
export { connectionSettings, redactUrl, type ConnectionSettings } from './settings.js'
