/**
 * Pipeline specs → the resources they declare, deduplicated across files, in dependency order.
 * Pure: no I/O.
 */
import type { PipelineSpec } from '../../dsl/spec.js'
import { STATE_SCHEMA } from '../../connectors/postgres/ddl.js'
import { UsageError } from '../../core/errors.js'
import { RESOURCE_KINDS, type CompatibilityLevel, type DeclaredResource, type DesiredResource } from '../../connectors/resource-model.js'
import { CONNECTORS, type ConnectorRegistry } from '../../connectors/index.js'

export type { DeclaredResource }

/** Options of {@link desiredResources}. */
export interface DesiredOptions {
  /** Database name of `DATABASE_URL`. */
  readonly database: string
  /** Compatibility level rtds sets on the subjects it creates, default `FULL`. */
  readonly compatibility?: CompatibilityLevel
  /** The connectors (default: rtds' registry). */
  readonly connectors?: ConnectorRegistry
}

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
  const ctx = { compatibility: opts.compatibility ?? 'FULL' }
  const registry = opts.connectors ?? CONNECTORS
  for (const spec of specs) {
    const file = spec.file
    // rtds' own state (apply and run history) lives in Postgres whatever the pipeline declares
    add({ kind: 'postgres_database', name: opts.database }, file)
    add({ kind: 'postgres_state_tables', name: STATE_SCHEMA, tables: ['applies', 'runs'] }, file)
    for (const entity of [...Object.values(spec.sources), ...Object.values(spec.topics), ...Object.values(spec.tables)]) {
      for (const r of registry.of(entity).resources?.(entity, ctx) ?? []) add(r, file)
    }
  }
  const order = (k: string): number => RESOURCE_KINDS.indexOf(k as (typeof RESOURCE_KINDS)[number])
  return [...byAddress.values()]
    .sort((a, b) => order(a.resource.kind) - order(b.resource.kind) || (a.resource.name < b.resource.name ? -1 : a.resource.name > b.resource.name ? 1 : 0))
    .map((e) => ({ resource: e.resource, files: e.files }))
}
