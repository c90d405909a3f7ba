/**
 * The DSL's public entry points. Pure: reads files, never talks to a server.
 *
 * The DSL knows no connector: `opts.connectors` (the catalog of every connector's YAML block) is
 * handed in by the composition root, `connectors/index.ts`, whose `loadPipeline(file, opts)` binds it.
 *
 * - `loadPipeline(file, opts)` runs parse (positions) → render (Handlebars per string scalar) →
 *   validate (ajv against schemas/pipeline.schema.json) → resolve (names, files, schemas) →
 *   graph → semantic checks, and returns the spec + graph when there is no error-level diagnostic.
 * - `loadPipelines(paths, opts)` expands directories to their `*.yaml`/`*.yml` files (not
 *   `*.test.yaml`), loads each; `ioErrors` lists paths that do not exist or cannot be read.
 * - `formatDiagnostic(d)` prints `file:line:col error RTDS012 message (hint: ...)`.
 * - `compilePipeline(file, text, opts)` is `loadPipeline` for text in memory (tests, editors).
 * - `stagingTopicOf(spec, table)` is the topic a staging table is relayed to (records entering the
 *   table are validated against that topic's value schema).
 * - `renderGraph(graph, 'text' | 'mermaid' | 'dot' | 'json')` prints a compiled graph without secrets.
 * - Diagnostic codes: `CODES` (dsl/codes.ts). Durations/sizes: `parseDuration`, `parseSize`.
 *
 * Decisions: templates are rendered per string scalar after parsing (keys never); a templated
 * scalar rendering to a number is coerced where the schema wants a number (hand-written "5000"
 * is not); a transform value that is one line ending in `.jsonata` is a file path, anything else is
 * an inline expression; warnings (RTDS036 unused) do not make a file invalid.
 */
export type { PipelineSpec } from './spec.js'
export type { Diagnostic } from './diagnostic.js'
export type { TaskGraph, GraphNode, GraphEdge } from './graph-types.js'
export { connectionSettings, redactUrl, type ConnectionSettings } from '../core/settings.js'
export type { SourcePosition, SourceSpec, SourceSpecOf, SourceConfigs, TopicSpec, StageSpec, TableSpec, TableSpecOf, TableConfigs, ValueSchemaRef, TransformSpec, ScheduleSpec, Millis } from './spec.js'
export { configOf } from './spec.js'
export { withDefaults, connectorOf, connectorFor, type ConnectorCatalog, type ConnectorConfigSpec, type ResolveContext, type CheckReport, type JsonSchema } from './connector-config.js'
export type { NodeKind } from './graph-types.js'
export { SETTING_DEFAULTS } from '../core/settings.js'
export { loadPipeline, loadPipelines, compilePipeline, isPipelineFileName, type LoadOptions, type LoadResult } from './load-pipeline.js'
export { formatDiagnostic, sortDiagnostics } from './format-diagnostic.js'
export { parseDuration, parseSize } from './duration-parse.js'
export { CODES, type DiagnosticCode } from './codes.js'
export { stagingTopicOf } from './staging-topic.js'
export { buildGraph, topoSort, nodeId, kindOf } from './graph-build.js'
export { renderGraph, renderGraphText, renderGraphMermaid, renderGraphDot, graphToJson, GRAPH_FORMATS, type GraphFormat } from './graph-render.js'
export { assemblePipelineSchema } from './schema-assemble.js'
export { editorSchema, TEMPLATE_SCHEMA } from './schema-editor.js'
export { isSecretPath, redactConfig } from './secret-redact.js'
