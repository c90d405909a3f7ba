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
export type { SourcePosition, SourceSpec, TopicSpec, StageSpec, TableSpec, CassandraTableSpec, PostgresTableSpec, ValueSchemaRef, TransformSpec, ScheduleSpec, Millis } from './spec.js'
export type { NodeKind } from './graph-types.js'
export { SETTING_DEFAULTS } from './settings.js'
export { loadPipeline, loadPipelines, compilePipeline, isPipelineFileName, type LoadOptions, type LoadResult } from './load-pipeline.js'
export { formatDiagnostic, sortDiagnostics } from './format-diagnostic.js'
export { parseDuration, parseSize } from './duration-parse.js'
export { CODES, type DiagnosticCode } from './codes.js'
export { stagingTopicOf } from './staging-topic.js'
export { buildGraph, topoSort, nodeId, kindOf } from './graph-build.js'
export { renderGraph, renderGraphText, renderGraphMermaid, renderGraphDot, graphToJson, GRAPH_FORMATS, type GraphFormat } from './graph-render.js'
export { assemblePipelineSchema, CONNECTOR_SPECS } from './schema-assemble.js'
export { isSecretPath, redactConfig } from './secret-redact.js'
