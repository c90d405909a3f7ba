/**
 * The resource model of `rtds plan` / `rtds apply`: what the pipeline files declare (desired
 * resources), what a plan says about each of them (changes) and the executable steps of a change.
 * Everything here is plain JSON data: the plan hash is computed over it and `--json` prints it.
 */

/** Kinds of resource rtds manages, in dependency order (a kind only depends on kinds before it). */
export const RESOURCE_KINDS = [
  'postgres_database',
  'postgres_state_tables',
  'postgres_table',
  'kafka_topic',
  'registry_subject',
  'cassandra_keyspace',
  'cassandra_table',
] as const

export type ResourceKind = (typeof RESOURCE_KINDS)[number]

/** The Postgres database of `DATABASE_URL` (created when missing). */
export interface DesiredPgDatabase {
  readonly kind: 'postgres_database'
  readonly name: string
}

/** rtds' own state tables (`rtds.applies`, `rtds.runs`), from `stateTablesDdl()`. */
export interface DesiredStateTables {
  readonly kind: 'postgres_state_tables'
  /** `rtds`. */
  readonly name: string
  readonly tables: readonly string[]
}

/** A Postgres staging table (transactional outbox), from `stagingTableDdl()`. */
export interface DesiredPgTable {
  readonly kind: 'postgres_table'
  /** `schema.table`. */
  readonly name: string
  readonly schema: string
  readonly table: string
}

/** A Kafka topic. `minPartitions` topics (dead-letter topics) accept any partition count ≥ `partitions`. */
export interface DesiredTopic {
  readonly kind: 'kafka_topic'
  readonly name: string
  readonly partitions: number
  readonly replicationFactor: number
  readonly config: Readonly<Record<string, string>>
  readonly minPartitions?: boolean
}

/** Registry compatibility levels (Confluent API). */
export type CompatibilityLevel =
  | 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE'

/** A registry subject holding a topic's value schema. */
export interface DesiredSubject {
  readonly kind: 'registry_subject'
  /** Subject name, `<topic>-value` by default. */
  readonly name: string
  readonly schemaType: 'AVRO' | 'JSON'
  /** The schema document (parsed JSON). */
  readonly schema: unknown
  /** Schema file as written in the pipeline (for messages). */
  readonly path: string
  readonly compatibility: CompatibilityLevel
}

/** A Cassandra keyspace. Replication values are strings (`{class: SimpleStrategy, replication_factor: '1'}`). */
export interface DesiredKeyspace {
  readonly kind: 'cassandra_keyspace'
  readonly name: string
  readonly replication: Readonly<Record<string, string>>
}

/** A Cassandra table. `name` is `keyspace.table`; columns map name → CQL type in declaration order. */
export interface DesiredCassandraTable {
  readonly kind: 'cassandra_table'
  readonly name: string
  readonly keyspace: string
  readonly table: string
  readonly partitionKey: readonly string[]
  readonly clusteringKey: readonly string[]
  readonly columns: Readonly<Record<string, string>>
}

export type DesiredResource =
  | DesiredPgDatabase | DesiredStateTables | DesiredPgTable | DesiredTopic | DesiredSubject | DesiredKeyspace | DesiredCassandraTable

/** What a plan does to one resource. `replace` = drop and create (destructive). */
export type ChangeAction = 'create' | 'update' | 'unchanged' | 'replace' | 'destroy' | 'impossible'

/** One attribute difference, printed as `attr: from → to` (or `+ attr`, `- attr`). */
export interface ChangeDetail {
  readonly attr: string
  readonly from?: string
  readonly to?: string
  /** `!` impossible, `!!` breaking, `-` destructive; plain otherwise. */
  readonly mark?: '!' | '!!' | '-'
  readonly note?: string
}

/**
 * One executable step. Each resource module creates and interprets its own steps; they are data
 * so the plan hash covers exactly what `apply` will do.
 */
export type Step =
  | { readonly op: 'pg.createDatabase'; readonly database: string }
  | { readonly op: 'sql'; readonly sql: string; readonly destructive?: boolean }
  | { readonly op: 'kafka.createTopic'; readonly topic: string; readonly partitions: number; readonly replicationFactor: number; readonly config: Readonly<Record<string, string>> }
  | { readonly op: 'kafka.createPartitions'; readonly topic: string; readonly count: number }
  | { readonly op: 'kafka.alterConfigs'; readonly topic: string; readonly config: Readonly<Record<string, string>> }
  | { readonly op: 'registry.setCompatibility'; readonly subject: string; readonly level: CompatibilityLevel }
  | { readonly op: 'registry.register'; readonly subject: string; readonly schemaType: 'AVRO' | 'JSON'; readonly schema: string; readonly breaking?: boolean }
  | { readonly op: 'cql'; readonly cql: string; readonly destructive?: boolean }

/** A registry compatibility verdict for a new schema version. */
export interface SchemaVerdict {
  readonly compatible: boolean
  /** The level the verdict was given under. */
  readonly level: string
  /** Messages from the registry, when it sent any. */
  readonly messages: readonly string[]
  /** Fields rtds found to break compatibility (`name.first: removed (no default)`). */
  readonly breakingFields: readonly string[]
}

/** What the plan does to one resource. */
export interface Change {
  readonly kind: ResourceKind
  readonly name: string
  readonly action: ChangeAction
  /** Needs `--allow-destroy` (drop+create, dropped column). */
  readonly destructive: boolean
  /** A schema change the registry rejects under the subject's compatibility level. */
  readonly breaking: boolean
  readonly details: readonly ChangeDetail[]
  readonly steps: readonly Step[]
  readonly verdict?: SchemaVerdict
  /** Normalised live state (`null` when the resource does not exist): the fingerprint of the plan hash. */
  readonly live: unknown
  /** Files declaring the resource. */
  readonly files: readonly string[]
}

/** A whole plan. */
export interface Plan {
  readonly changes: readonly Change[]
  readonly summary: PlanSummary
  /** `sha256:<hex>` over the normalised change set and the live-state fingerprint. */
  readonly hash: string
}

export interface PlanSummary {
  readonly create: number
  readonly update: number
  readonly destroy: number
  readonly impossible: number
  readonly unchanged: number
  readonly breaking: number
}


/** A desired resource and the pipeline files that declare it. */
export interface DeclaredResource {
  readonly resource: DesiredResource
  readonly files: readonly string[]
}

/** A copy of `o` with its keys sorted (stable JSON for comparison and hashing). */
export function sortObject<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
