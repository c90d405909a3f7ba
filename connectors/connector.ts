/**
 * What a connector declares, once, in its own folder (`connectors/<system>/connector.ts`), and the
 * registry that looks kinds up. Nothing outside a connector's folder branches on its kind: the
 * engine asks the registry for the runtime of an entity's kind (`live()` on the real servers,
 * `embedded()` in-process), `plan`/`apply` ask it for the resources an entity declares and for the
 * resource type that plans and applies each of them.
 *
 * Adding a connector = a folder with a `connector.ts` implementing {@link Connector} + one line in
 * `connectors/index.ts` (see docs/ARCHITECTURE.md; `test/toy-connector/` does exactly that).
 */
import type { ConnectorConfigSpec } from '../dsl/connector-config.js'
import type { SourceSpec, StageSpec, TableSpec, TopicSpec } from '../dsl/spec.js'
import type { RecordValidator } from '../dsl/record-validate.js'
import type { PullSource } from '../core/pull-source.js'
import type { Sink, Source, StreamRecord } from '../core/stream.js'
import type { Change, CompatibilityLevel, DeclaredResource, DesiredResource, Step } from './resource-model.js'
import type { LiveClients } from './live-clients.js'

/** The entities of a pipeline a connector can stand behind: a source, a topic, a table. */
export type Entity = SourceSpec | TopicSpec | TableSpec

/** How a stage reads a topic or a table (see `Backend` in connectors/backend.ts for the contract). */
export interface ReadOptions {
  /** Consumer group (`rtds.<pipeline>.<stage>`); ignored by readers without groups. */
  readonly group: string
  /** The reading stage's name (logs, client ids). */
  readonly stage: string
  /**
   * `rtds run --once`: read what is there, then return once it was settled. With `upstreamDone` the
   * reader runs while the stages writing its topic/table still run, and "what is there" is fixed
   * when `upstreamDone` resolves (every upstream stage ended); without it, at start.
   */
  readonly once: boolean
  /** `--once` with stages running concurrently: resolves when every stage writing this entity ended. */
  readonly upstreamDone?: Promise<void>
  /** Records per emitted batch at most (the stage's `batch.size`). */
  readonly batchSize: number
  /** A record whose value cannot be decoded: the engine dead-letters it (readers of encoded data only). */
  onUndecodable(raw: StreamRecord, error: Error): Promise<void>
}

/** What the engine gives a pipeline source's connector. */
export interface InputContext {
  readonly stage: StageSpec
  readonly once: boolean
  /** No network: pulls from the internet are replaced by an offline twin (the embedded default). */
  readonly offline: boolean
  readonly log: (line: string) => void
  /** Validates records before they are accepted (the schema of the topic the stage feeds), if any. */
  readonly validator?: RecordValidator
}

/**
 * How a pipeline source produces records: pulled page by page (the scheduler decides when), or
 * listening by itself until stopped. `skip` leaves the source out of this run, with the reason.
 */
export type Input =
  | { readonly pull: PullSource }
  | { readonly listen: Source; readonly tinyBatches?: boolean }
  | { readonly skip: string }

/** Whether a server answered a probe (`server`: kafka, registry, postgres, cassandra). */
export interface ServerHealth {
  readonly server: string
  readonly up: boolean
  /** Why not (no secrets: connection URLs are redacted). */
  readonly error?: string
}

/** What a probe of one topic or table saw (metrics, readiness, `rtds status`). */
export interface Observation {
  /** The servers the entity needs and whether each answered. */
  readonly servers: readonly ServerHealth[]
  /** Records behind the end, per reading consumer group and partition (topics). */
  readonly lag?: readonly { readonly group: string; readonly partition: number; readonly lag: number }[]
  /** Rows not yet published (staging tables read by the outbox relay). */
  readonly backlog?: number
  /** With `detail`: the registry subject of a topic's value and its latest version. */
  readonly subject?: { readonly name: string; readonly version?: number }
  /** With `detail`: the server's estimate of a table's rows (Cassandra: system.size_estimates partitions). */
  readonly rowsEstimate?: number
}

/** A connector's implementation on one backend (live or embedded). */
export interface ConnectorRuntime {
  /**
   * Probes a topic or table of this kind for operators: its servers' health, the lag of the
   * consumer `groups` reading it, its backlog. Bounded in time; never throws (a server that does
   * not answer is reported down).
   */
  observe?(entity: TopicSpec | TableSpec, groups: readonly string[], opts?: { readonly detail?: boolean }): Promise<Observation>
  /** A pipeline source of this kind (role `source`). */
  input?(spec: SourceSpec, ctx: InputContext): Input
  /** Writes records into a topic or table of this kind. */
  sink?(entity: TopicSpec | TableSpec): Sink
  /** Reads a topic or table of this kind (a stage's `from`). */
  reader?(entity: TopicSpec | TableSpec, opts: ReadOptions): Source
  /**
   * What a table of this kind holds (embedded twins: `rtds test` compares it with the expected
   * rows). `keys`: the record keys, when the table keeps them; `primaryKey`: rows are a set by it.
   */
  stored?(table: TableSpec): { readonly records: readonly unknown[]; readonly keys?: readonly (string | null)[]; readonly primaryKey?: readonly string[] }
}

/** What `plan` and `apply` know of one kind of resource (`kafka_topic`, `cassandra_table`, ...). */
export interface ResourceType {
  /** The resource kinds this type plans (one system's: `postgres_database`, `postgres_table`, ...). */
  readonly kinds: readonly DesiredResource['kind'][]
  /**
   * Plans the declared resources of its kinds (never called with none, so a system no resource
   * needs is never contacted).
   */
  plan(declared: readonly DeclaredResource[], clients: LiveClients): Promise<Map<DeclaredResource, Change>>
  /** The step operations this type executes (`kafka.createTopic`, `cql`, ...). */
  readonly ops: readonly Step['op'][]
  apply(step: Step, clients: LiveClients): Promise<void>
}

/** Context of {@link Connector.resources}. */
export interface ResourceContext {
  /** Compatibility level rtds sets on subjects it creates. */
  readonly compatibility: CompatibilityLevel
}

/**
 * One connector, declared once. `live` and `embedded` receive the backend's shared environment
 * (connection pools, or the in-process store) and are called once per backend.
 */
export interface Connector<LiveEnv = unknown, EmbeddedEnv = unknown> {
  /** Its YAML block: kind (`config.key`), role, JSON Schema, defaults, secret fields. */
  readonly config: ConnectorConfigSpec
  /** The implementation against the real servers. */
  live?(env: LiveEnv): ConnectorRuntime
  /** The in-process twin (`rtds run --embedded`, `rtds test`). */
  embedded?(env: EmbeddedEnv): ConnectorRuntime
  /** The resources an entity of this kind needs (`plan`/`apply`). */
  resources?(entity: Entity, ctx: ResourceContext): DesiredResource[]
  /** The resource types this connector plans and applies. */
  readonly resourceTypes?: readonly ResourceType[]
}

/** The kind of an entity, as the registry names it: a source's or a table's connector; topics are `kafka`. */
export function kindOf(entity: Entity): string {
  return 'kind' in entity ? entity.kind : 'kafka'
}

/** The connectors of one program, by kind. */
export class ConnectorRegistry {
  private readonly byKind = new Map<string, Connector<any, any>>()
  constructor(readonly connectors: readonly Connector<any, any>[]) {
    for (const c of connectors) {
      if (this.byKind.has(c.config.key)) throw new Error(`connector kind ${c.config.key} is registered twice`)
      this.byKind.set(c.config.key, c)
    }
  }

  /** The connector of `kind`; throws for an unknown kind (the DSL rejects those before). */
  get(kind: string): Connector<any, any> {
    const c = this.byKind.get(kind)
    if (!c) throw new Error(`no connector of kind ${kind} (registered: ${[...this.byKind.keys()].join(', ')})`)
    return c
  }

  /** The connector behind an entity. */
  of(entity: Entity): Connector<any, any> {
    return this.get(kindOf(entity))
  }

  /** Every connector config spec (schema assembly, spec resolution). */
  configs(): ConnectorConfigSpec[] {
    return this.connectors.map((c) => c.config)
  }

  /** Every resource type, in registration order. */
  resourceTypes(): ResourceType[] {
    return this.connectors.flatMap((c) => c.resourceTypes ?? [])
  }

  /** The resource type executing step `op`. */
  stepRunner(op: Step['op']): ResourceType {
    const t = this.resourceTypes().find((r) => r.ops.includes(op))
    if (!t) throw new Error(`no resource type executes ${op}`)
    return t
  }
}

/**
 * A backend's runtimes, one per kind, made on first use from the registry (`live` or `embedded`).
 * Throws when the connector has no implementation on this backend.
 */
export function runtimes<Env>(registry: ConnectorRegistry, mode: 'live' | 'embedded', env: Env): (kind: string) => ConnectorRuntime {
  const made = new Map<string, ConnectorRuntime>()
  return (kind) => {
    let r = made.get(kind)
    if (!r) {
      const c = registry.get(kind)
      const make = mode === 'live' ? c.live : c.embedded
      if (!make) throw new Error(`connector ${kind} has no ${mode} implementation`)
      made.set(kind, (r = make.call(c, env)))
    }
    return r
  }
}
