/**
 * The typed, validated and rendered form of one pipeline file: what `dsl/` hands to `plan`, `apply`,
 * `run` and `test`. Produced by `loadPipeline()` (see `dsl/index.ts`); every string in it has had its
 * Handlebars templates rendered, every relative path resolved against the pipeline file's folder.
 *
 * YAML shape (see `pipelines/users.yaml` and `schemas/pipeline.schema.json`):
 *
 * ```yaml
 * pipeline: users
 * vars: { keyspace: spark_streams }
 * settings: { transform: { timeout: 1s, maxDepth: 200 } }
 * sources:
 *   randomuser:
 *     http: { url: "{{env.RANDOMUSER_URL}}", results: 50, records: results }
 *     schedule: { cron: "@daily", runFor: 60s, every: 1s }
 *   api:
 *     http_server: { path: /api/data, port: 5000 }
 * topics:
 *   users_created: { partitions: 3, key: login.uuid, value: ../schemas/randomuser_user.avsc }
 * stages:
 *   ingest:  { from: [randomuser, api], to: staging_users }
 *   publish: { from: staging_users, to: users_created }
 *   store:   { from: users_created, transform: transforms/created_user.jsonata, to: created_users, parallelism: 4 }
 * tables:
 *   staging_users: { postgres: { schema: rtds } }
 *   created_users: { cassandra: { keyspace: "{{vars.keyspace}}", primaryKey: [id], schema: ../schemas/created_user.avsc } }
 * ```
 */

/** A position in a source file, 1-based line and column. */
export interface SourcePosition {
  readonly file: string
  readonly line: number
  readonly col: number
}

/** A duration in milliseconds, parsed from `"500ms"`, `"1s"`, `"2m"`, `"1h"` or a number of ms. */
export type Millis = number

export interface PipelineSpec {
  /** Path of the pipeline file as given on the command line (used in messages). */
  readonly file: string
  /** Absolute folder of the pipeline file: relative paths inside the file resolve against it. */
  readonly dir: string
  readonly pipeline: string
  readonly description?: string
  readonly vars: Readonly<Record<string, unknown>>
  readonly settings: PipelineSettings
  /** Record fields masked wherever records or messages about them are shown (`redact:`; core/redact.ts). */
  readonly redact?: readonly string[]
  readonly sources: Readonly<Record<string, SourceSpec>>
  readonly topics: Readonly<Record<string, TopicSpec>>
  readonly stages: Readonly<Record<string, StageSpec>>
  readonly tables: Readonly<Record<string, TableSpec>>
}

export interface PipelineSettings {
  readonly transform: {
    /** Wall-clock limit of one record's transform evaluation. Default 1000 ms. */
    readonly timeout: Millis
    /** Maximum evaluation (recursion) depth of one transform. Default 500. */
    readonly maxDepth: number
  }
}

// ---------------------------------------------------------------- sources

/**
 * The config of each source connector, by kind. Empty here: each connector's `spec.ts` adds its own
 * (`declare module '../../dsl/spec.js' { interface SourceConfigs { http: HttpConfig } }`), so the DSL
 * types every kind without importing connectors.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SourceConfigs {}

/** The config of each table connector, by kind (filled like {@link SourceConfigs}). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface TableConfigs {}

export type SourceKind = keyof SourceConfigs & string
export type TableKind = keyof TableConfigs & string

interface SourceBase {
  readonly name: string
  readonly pos: SourcePosition
  /** Optional schedule. Without one, a pulling source (`http`, `generate`) runs once per `rtds run`. */
  readonly schedule?: ScheduleSpec
}

/** A source of kind `K`: `{ kind: 'http', name, pos, http: {...config} }`. */
export type SourceSpecOf<K extends SourceKind> = SourceBase & { readonly kind: K } & { readonly [P in K]: SourceConfigs[K] }
export type SourceSpec = { [K in SourceKind]: SourceSpecOf<K> }[SourceKind]

export interface ScheduleSpec {
  /** Cron expression (5 or 6 fields, or `@daily`/`@hourly`...). Exactly one of `cron` / `interval`. */
  readonly cron?: string
  readonly timezone?: string
  /** Fixed interval between runs. */
  readonly interval?: Millis
  /** How long one run keeps pulling (like the reference DAG's 60 s of streaming). Default: one pull. */
  readonly runFor?: Millis
  /** Pause between pulls inside a `runFor` window. Default 1s. */
  readonly every?: Millis
}

// ---------------------------------------------------------------- topics

export interface TopicSpec {
  readonly name: string
  readonly pos: SourcePosition
  readonly partitions: number // default 1
  readonly replicationFactor: number // default 1
  /** JSONata evaluated on the record value giving the Kafka key (e.g. `login.uuid`). */
  readonly key?: string
  readonly value?: ValueSchemaRef
  /** Kafka topic configs (`retention.ms`, `cleanup.policy`...), values as strings. */
  readonly config: Readonly<Record<string, string>>
}

export interface ValueSchemaRef {
  /** Absolute path of the schema file. */
  readonly file: string
  /** As written in the pipeline file (for messages). */
  readonly path: string
  readonly type: 'AVRO' | 'JSON'
  /** The parsed schema document. */
  readonly schema: unknown
  /** Registry subject, default `<topic>-value`. */
  readonly subject: string
}

// ---------------------------------------------------------------- stages

export interface StageSpec {
  readonly name: string
  readonly pos: SourcePosition
  /** Names of sources, topics or tables the stage reads. */
  readonly from: readonly string[]
  /** Names of topics or tables the stage writes. */
  readonly to: readonly string[]
  readonly transform?: TransformSpec
  readonly parallelism: number // default 1
  readonly batch: { readonly size: number; readonly timeout: Millis } // default 100, 200ms
}

export interface TransformSpec {
  /** The JSONata expression text. */
  readonly expr: string
  /** File the expression came from (absolute), when given as a file. */
  readonly file?: string
  /** Where the expression text starts: in the pipeline file (inline) or line 1 col 1 of its own file. */
  readonly pos: SourcePosition
}

// ---------------------------------------------------------------- tables

interface TableBase {
  readonly name: string
  readonly pos: SourcePosition
}

/** A table of kind `K`: `{ kind: 'cassandra', name, pos, cassandra: {...config} }`. */
export type TableSpecOf<K extends TableKind> = TableBase & { readonly kind: K } & { readonly [P in K]: TableConfigs[K] }
export type TableSpec = { [K in TableKind]: TableSpecOf<K> }[TableKind]

/** The connector block of a source or table (`spec.sources.x.http`), whatever its kind. */
export function configOf(entity: SourceSpec | TableSpec): Readonly<Record<string, unknown>> {
  return (entity as unknown as Record<string, Readonly<Record<string, unknown>>>)[entity.kind]!
}
