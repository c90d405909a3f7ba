/**
 * How a connector declares its configuration once (Benthos-style): the JSON Schema fragment of its
 * YAML block (with descriptions, defaults and examples), which role it plays, and which fields are
 * secret. `schemas/pipeline.schema.json` is assembled from these fragments (`npm run schema`), the
 * validator uses the same assembled schema, and `rtds graph` redacts the secret fields.
 */
import { DURATION_PATTERN, SIZE_PATTERN, parseDuration, parseSize } from './duration-parse.js'
import type { RecordValidator } from './record-validate.js'
import type { SchemaFileProblem } from './schema-file-load.js'
import type { PipelineSpec, SourceSpec, TableSpec, ValueSchemaRef } from './spec.js'
import type { DocPath } from './yaml-source.js'

/** A JSON Schema object (draft-07 subset used by the DSL). */
export type JsonSchema = { readonly [k: string]: unknown }

/** What a connector's `resolve` gets besides its block: where it is, and how to report. */
export interface ResolveContext {
  /** The entity's name (the key under `sources:` or `tables:`). */
  readonly name: string
  /** Path of the connector block in the file, e.g. `['tables', 'created_users', 'cassandra']`. */
  readonly path: DocPath
  /** Absolute folder of the pipeline file (relative paths resolve against it). */
  readonly dir: string
  /** Reports an error at `rel` inside the block (at its key when `key`). */
  report(code: string, message: string, rel: DocPath, hint?: string, key?: boolean): void
  /** Did the shape check fail at or under `rel` (the whole block when omitted)? */
  isInvalid(rel?: DocPath): boolean
  /** Marks the entity broken: deeper checks skip it (no cascades of follow-up errors). */
  markBroken(): void
  /** Registers a JSONata expression of the block (compiled and position-mapped by the DSL). */
  expr(expr: string, rel: DocPath, what: string): void
  /** Loads an Avro / JSON Schema file relative to the pipeline file. */
  loadSchema(written: string, subject: string): { ref?: ValueSchemaRef; problem?: SchemaFileProblem }
}

/** Reports a diagnostic of a semantic check at a path of the file. */
export type CheckReport = (code: string, message: string, path: DocPath, hint?: string) => void

export interface ConnectorConfigSpec {
  /** The YAML key of the connector block, e.g. `http`, `http_server`, `cassandra`. */
  readonly key: string
  /** How messages name the system (`Cassandra table "x"`). Default: the key. */
  readonly title?: string
  /** Where the block appears: under a source, as a topic, or under a table. */
  readonly role: 'source' | 'topic' | 'table'
  /** One-line description (shown by editors). */
  readonly description: string
  /** JSON Schema of the block; `additionalProperties: false` at every level; defaults live here only. */
  readonly schema: JsonSchema
  /**
   * Dotted paths of secret fields inside the block (`*` matches any key): marked `writeOnly` in the
   * schema, never printed by `rtds graph`, compared by fingerprint by `plan`.
   */
  readonly secrets: readonly string[]
  /**
   * The resolved config of a block that passed (or partly passed) the shape check. `block` already
   * has the schema's defaults applied and its durations and sizes parsed ({@link withDefaults}).
   * Default: `block` as it is.
   */
  resolve?(block: Record<string, any>, ctx: ResolveContext): object
  /** Friendlier errors for the patterns of its schema: `<where> is not <what>: "<value>"` + hint. */
  readonly patterns?: Readonly<Record<string, { readonly what: string; readonly hint: string }>>
  /** Sources: may it carry a `schedule:`? Default true (a listening source says false and why). */
  readonly schedulable?: false | { readonly because: string }
  /** Tables: can a stage read it? Default true (a sink-only table says false). */
  readonly readable?: boolean
  /** Tables: its columns (name → type) when known; the DSL checks what transforms write against them. */
  columns?(config: any): Readonly<Record<string, string>> | undefined
  /**
   * Tables: the check a record passes before it is written (a bad one is dead-lettered with the
   * reasons), and how messages name it. None: records go in as they are.
   */
  rowValidator?(table: any): { readonly validator: RecordValidator; readonly what: string }
  /** Checks of its own (run after the spec resolved) on an entity of this kind. */
  check?(entity: any, spec: PipelineSpec, report: CheckReport): void
  /** One line for `rtds graph` text output (no secrets). */
  describe?(config: any, entity: SourceSpec | TableSpec, spec: PipelineSpec): string
  /** The config as `rtds graph -f json` shows it (secrets are masked after this). Default: the config. */
  view?(config: any): unknown
}

/** The connectors the DSL is handed (by `connectors/index.ts`, the composition root). */
export type ConnectorCatalog = readonly ConnectorConfigSpec[]

/** The connector of `key` in `role`, if registered. */
export function connectorOf(catalog: ConnectorCatalog, role: ConnectorConfigSpec['role'], key: string): ConnectorConfigSpec | undefined {
  return catalog.find((c) => c.role === role && c.key === key)
}

/** The connector behind a resolved source or table. */
export function connectorFor(catalog: ConnectorCatalog, entity: SourceSpec | TableSpec): ConnectorConfigSpec {
  const c = catalog.find((x) => x.key === entity.kind && x.role !== 'topic')
  if (!c) throw new Error(`no connector ${entity.kind} in the catalog`)
  return c
}

const DURATION_MARK = 'rtds:duration'
const SIZE_MARK = 'rtds:size'
const marked = (s: JsonSchema, mark: string): boolean =>
  s.$comment === mark || (Array.isArray(s.anyOf) && (s.anyOf as JsonSchema[]).some((x) => marked(x, mark)))

const hasDefaults = (s: JsonSchema): boolean =>
  Object.values((s.properties ?? {}) as Record<string, JsonSchema>).some((p) => p.default !== undefined || (p.type === 'object' && hasDefaults(p)))

/**
 * `block` with the defaults of its schema filled in (recursively) and its durations and sizes
 * parsed into milliseconds and bytes: the one place defaults are applied. A value that does not
 * parse (the shape check reported it) falls back to the default.
 */
export function withDefaults(schema: JsonSchema, block: unknown): Record<string, any> {
  const given: Record<string, any> = block && typeof block === 'object' && !Array.isArray(block) ? (block as Record<string, any>) : {}
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>
  const out: Record<string, any> = {}
  for (const k of Object.keys(props)) if (given[k] !== undefined) out[k] = given[k] // the schema's order
  for (const [k, v] of Object.entries(given)) if (!(k in props)) out[k] = v
  for (const [k, p] of Object.entries(props)) {
    const parse = marked(p, DURATION_MARK) ? parseDuration : marked(p, SIZE_MARK) ? parseSize : undefined
    if (parse) {
      const tryParse = (v: unknown) => { try { return v === undefined ? undefined : parse(v as string) } catch { return undefined } }
      const v = tryParse(out[k]) ?? tryParse(p.default)
      if (v === undefined) delete out[k]
      else out[k] = v
    } else if (out[k] === undefined && p.default !== undefined) out[k] = structuredClone(p.default)
    else if (p.type === 'object' && p.properties && (out[k] !== undefined || hasDefaults(p))) out[k] = withDefaults(p, out[k])
  }
  return out
}

/** Schema of a duration value: `"500ms"`, `"10s"`, `"2m"`, `"1h"`, `"1d"` or milliseconds. */
export function durationSchema(description: string, def?: string): JsonSchema {
  return { description: `${description} A duration: 500ms, 10s, 2m, 1h, 1d or a number of milliseconds.`, $comment: DURATION_MARK, type: ['string', 'integer'], pattern: DURATION_PATTERN, minimum: 0, ...(def === undefined ? {} : { default: def }) }
}

/** Schema of a size value: `"512kb"`, `"1mb"` or bytes. */
export function sizeSchema(description: string, def?: string): JsonSchema {
  return { description: `${description} A size: 512kb, 1mb or a number of bytes.`, $comment: SIZE_MARK, type: ['string', 'integer'], pattern: SIZE_PATTERN, minimum: 0, ...(def === undefined ? {} : { default: def }) }
}

/** Schema of a closed object (unknown keys are errors). */
export function objectSchema(description: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { description, type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) }
}

/**
 * Schema of a name usable in SQL/CQL (`^[a-z_][a-z0-9_]*$`), at most `maxLength` characters
 * (Postgres truncates identifiers at 63, Cassandra refuses keyspace and table names over 48).
 */
export function identifierSchema(description: string, maxLength: number): JsonSchema {
  return { description: `${description} At most ${maxLength} characters.`, type: 'string', pattern: '^[a-z_][a-z0-9_]*$', minLength: 1, maxLength }
}
