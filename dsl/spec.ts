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

export type SourceSpec = HttpSourceSpec | HttpServerSourceSpec | GenerateSourceSpec

interface SourceBase {
  readonly name: string
  readonly pos: SourcePosition
  /** Optional schedule. Without one, a pulling source (`http`, `generate`) runs once per `rtds run`. */
  readonly schedule?: ScheduleSpec
}

export interface HttpSourceSpec extends SourceBase {
  readonly kind: 'http'
  readonly http: {
    /** URL to GET; `results` is appended as the query parameter `results=N` when set. */
    readonly url: string
    readonly results?: number
    /** JSONata selecting the records inside one response body (e.g. `results`). Default `$` (the body). */
    readonly records?: string
    readonly timeout: Millis // default 10s
    readonly retries: number // default 5
    readonly headers?: Readonly<Record<string, string>>
  }
}

export interface HttpServerSourceSpec extends SourceBase {
  readonly kind: 'http_server'
  readonly http_server: {
    readonly path: string // default /api/data
    readonly port: number // default 5000
    readonly host: string // default 127.0.0.1
    /** Largest accepted body in bytes, default 1 MiB (`"1mb"`, `"512kb"` or a number). */
    readonly maxBodyBytes: number
    /** Optional bearer token (secret: never printed). */
    readonly token?: string
  }
}

export interface GenerateSourceSpec extends SourceBase {
  readonly kind: 'generate'
  readonly generate: {
    /** Shape of the generated records. Only `randomuser` exists today. */
    readonly shape: 'randomuser'
    readonly seed: number // default 1
    /** Records per run (per tick when scheduled). Default 10. */
    readonly count: number
  }
}

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

export type TableSpec = PostgresTableSpec | CassandraTableSpec

export interface PostgresTableSpec {
  readonly kind: 'postgres'
  readonly name: string
  readonly pos: SourcePosition
  readonly postgres: {
    /** Postgres schema (namespace), default `rtds`. */
    readonly schema: string
    /** Table name, default the table's key in the file. */
    readonly table: string
  }
}

export interface CassandraTableSpec {
  readonly kind: 'cassandra'
  readonly name: string
  readonly pos: SourcePosition
  readonly cassandra: {
    readonly keyspace: string
    readonly table: string // default the table's key
    readonly replication: Readonly<Record<string, string | number>> // default SimpleStrategy rf 1
    readonly primaryKey: readonly string[]
    readonly clusteringKey: readonly string[]
    /** Prepared writes in flight per sink (a sliding window); undefined: the sink's default. */
    readonly concurrency?: number
    /** Column name → CQL type, in declaration order; given or derived from `schema`. */
    readonly columns: Readonly<Record<string, string>>
    /** The row schema the columns were derived from, when given. */
    readonly schema?: ValueSchemaRef
  }
}
