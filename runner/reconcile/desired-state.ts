/**
 * Pipeline specs → the resources they declare, deduplicated across files, in dependency order.
 * Pure: no I/O.
 */
import type { PipelineSpec } from '../../dsl/spec.js'
import { STATE_SCHEMA } from '../../connectors/postgres/ddl.js'
import { UsageError } from '../errors.js'
import {
  RESOURCE_KINDS,
  type CompatibilityLevel,
  type DesiredResource,
} from './resource-model.js'

/** A desired resource and the files that declare it. */
export interface DeclaredResource {
  readonly resource: DesiredResource
  readonly files: readonly string[]
}

/** Options of {@link desiredResources}. */
export interface DesiredOptions {
  /** Database name of `DATABASE_URL`. */
  readonly database: string
  /** Compatibility level rtds sets on the subjects it creates, default `FULL`. */
  readonly compatibility?: CompatibilityLevel
}

/** Suffix of a topic's dead-letter topic. */
export const DLQ_SUFFIX = '.dlq'

/**
 * Every resource the specs declare, one per address (`kind` + `name`), sorted in dependency order
 * (see `RESOURCE_KINDS`) then by name. The same resource declared differently by two files is a
 * `UsageError` naming both files.
 *
 * @example
 * const resources = desiredResources([spec], { database: 'rtds' })
 */
export function desiredResources(specs: readonly PipelineSpec[], opts: DesiredOptions): DeclaredResource[] {
  const byAddress = new Map<string, { resource: DesiredResource; files: string[] }>()
  const add = (r: DesiredResource, file: string): void => {
    const address = `${r.kind}.${r.name}`
    const prev = byAddress.get(address)
    if (!prev) {
      byAddress.set(address, { resource: r, files: [file] })
      return
    }
    if (JSON.stringify(prev.resource) !== JSON.stringify(r)) {
      throw new UsageError(`${address} is declared differently in ${prev.files.join(', ')} and ${file}`, {
        hint: 'declare a shared topic/table identically in every pipeline, or only in one of them',
      })
    }
    if (!prev.files.includes(file)) prev.files.push(file)
  }
  const compatibility = opts.compatibility ?? 'FULL'
  for (const spec of specs) {
    const file = spec.file
    add({ kind: 'postgres_database', name: opts.database }, file)
    add({ kind: 'postgres_state_tables', name: STATE_SCHEMA, tables: ['applies', 'runs'] }, file)
    for (const topic of Object.values(spec.topics)) {
      add({ kind: 'kafka_topic', name: topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor, config: sortObject(topic.config) }, file)
      add({ kind: 'kafka_topic', name: topic.name + DLQ_SUFFIX, partitions: 1, replicationFactor: topic.replicationFactor, config: {}, minPartitions: true }, file)
      if (topic.value) {
        add({ kind: 'registry_subject', name: topic.value.subject, schemaType: topic.value.type, schema: topic.value.schema, path: topic.value.path, compatibility }, file)
      }
    }
    for (const table of Object.values(spec.tables)) {
      if (table.kind === 'postgres') {
        const { schema, table: name } = table.postgres
        add({ kind: 'postgres_table', name: `${schema}.${name}`, schema, table: name }, file)
      } else {
        const c = table.cassandra
        add({ kind: 'cassandra_keyspace', name: c.keyspace, replication: normaliseReplication(c.replication) }, file)
        add({
          kind: 'cassandra_table',
          name: `${c.keyspace}.${c.table}`,
          keyspace: c.keyspace,
          table: c.table,
          partitionKey: [...c.primaryKey],
          clusteringKey: [...c.clusteringKey],
          columns: { ...c.columns },
        }, file)
      }
    }
  }
  const order = (k: string): number => RESOURCE_KINDS.indexOf(k as (typeof RESOURCE_KINDS)[number])
  return [...byAddress.values()]
    .sort((a, b) => order(a.resource.kind) - order(b.resource.kind) || (a.resource.name < b.resource.name ? -1 : a.resource.name > b.resource.name ? 1 : 0))
    .map((e) => ({ resource: e.resource, files: e.files }))
}

/** Keyspace replication with string values and the short strategy class name. */
export function normaliseReplication(r: Readonly<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(r)) {
    out[k] = k === 'class' ? String(v).replace(/^org\.apache\.cassandra\.locator\./, '') : String(v)
  }
  if (!out.class) out.class = 'SimpleStrategy'
  if (out.class === 'SimpleStrategy' && !out.replication_factor) out.replication_factor = '1'
  return sortObject(out)
}

/** A copy of `o` with its keys sorted (stable JSON for comparison and hashing). */
export function sortObject<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
