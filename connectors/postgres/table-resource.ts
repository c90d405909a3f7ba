/**
 * Postgres resources of `rtds plan` / `rtds apply`: the database of `DATABASE_URL`, rtds' state
 * tables (`rtds.applies`, `rtds.runs`) and the staging tables (transactional outboxes). Live state
 * comes from `pg_database` and `information_schema`; the DDL from `ddl.ts`.
 */
import type pg from 'pg'
import { STAGING_COLUMNS, STATE_SCHEMA, pgIdent, pgQualified, stagingTableDdl, stateTablesDdl } from './ddl.js'
import { classifyPgError } from './client.js'
import type { Change, ChangeDetail, DesiredPgDatabase, DesiredPgTable, DesiredStateTables, Step } from '../resource-model.js'
import type { LiveClients } from '../live-clients.js'
import { RtdsError } from '../../core/errors.js'
import type { ResourceType } from '../connector.js'
import type { DeclaredResource } from '../resource-model.js'

/** Whether the error is "database does not exist" (SQLSTATE 3D000), classified or raw. */
export function isMissingDatabase(err: unknown): boolean {
  const code = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code
  return code(err) === '3D000' || code((err as { cause?: unknown } | undefined)?.cause) === '3D000'
}

/** Reads whether the target database exists (connecting to it; `3D000` means no). */
export async function pgDatabaseExists(clients: LiveClients): Promise<boolean> {
  try {
    await clients.pg()
    return true
  } catch (err) {
    if (isMissingDatabase(err)) return false
    throw err
  }
}

/** Plans the database of `DATABASE_URL`. */
export function planPgDatabase(d: DesiredPgDatabase, exists: boolean, files: readonly string[]): Change {
  const base = { kind: d.kind, name: d.name, destructive: false, breaking: false, files }
  if (exists) return { ...base, action: 'unchanged', details: [], steps: [], live: { exists: true } }
  return { ...base, action: 'create', details: [], steps: [{ op: 'pg.createDatabase', database: d.name }], live: null }
}

async function query<R extends pg.QueryResultRow>(clients: LiveClients, sql: string, params: unknown[], what: string): Promise<R[]> {
  const pool = await clients.pg()
  try {
    return (await pool.query<R>(sql, params)).rows
  } catch (err) {
    throw classifyPgError(err, clients.settings, what)
  }
}

/** Live columns (`name → data_type`) of tables in one schema, keyed by table. */
async function liveColumns(clients: LiveClients, schema: string, tables: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const rows = await query<{ table_name: string; column_name: string; data_type: string }>(
    clients,
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = ANY($2::text[]) ORDER BY table_name, ordinal_position`,
    [schema, tables],
    `reading ${schema} tables`,
  )
  const out = new Map<string, Record<string, string>>()
  for (const r of rows) {
    const cols = out.get(r.table_name) ?? {}
    cols[r.column_name] = r.data_type
    out.set(r.table_name, cols)
  }
  return out
}

/** Plans rtds' own state tables. `dbExists=false` plans them all as creates without querying. */
export async function planStateTables(d: DesiredStateTables, clients: LiveClients, dbExists: boolean, files: readonly string[]): Promise<Change> {
  const live = dbExists ? await liveColumns(clients, STATE_SCHEMA, d.tables) : new Map<string, Record<string, string>>()
  const missing = d.tables.filter((t) => !live.has(t))
  const base = { kind: d.kind, name: d.name, destructive: false, breaking: false, files }
  const fingerprint = live.size ? Object.fromEntries([...live.entries()].sort()) : null
  if (missing.length === 0) return { ...base, action: 'unchanged', details: [], steps: [], live: fingerprint }
  const steps: Step[] = stateTablesDdl().map((sql) => ({ op: 'sql', sql }))
  const details: ChangeDetail[] = missing.map((t) => ({ attr: `table ${STATE_SCHEMA}.${t}`, to: 'create' }))
  const created: ChangeDetail[] = [{ attr: 'tables', to: d.tables.map((t) => `${STATE_SCHEMA}.${t}`).join(', ') }]
  return { ...base, action: live.size ? 'update' : 'create', details: live.size ? details : created, steps, live: fingerprint }
}

/** Plans one staging table: create, add missing columns/index, or replace (destructive) on a type change. */
export async function planStagingTable(d: DesiredPgTable, clients: LiveClients, dbExists: boolean, files: readonly string[]): Promise<Change> {
  const ddl = stagingTableDdl(d.schema, d.table)
  const base = { kind: d.kind, name: d.name, breaking: false, files }
  const cols = dbExists ? (await liveColumns(clients, d.schema, [d.table])).get(d.table) : undefined
  if (!cols) {
    const details: ChangeDetail[] = [{ attr: 'columns', to: Object.keys(STAGING_COLUMNS).join(', ') }, { attr: 'index', to: `${d.table}_unpublished` }]
    return { ...base, action: 'create', destructive: false, details, steps: ddl.map((sql) => ({ op: 'sql', sql })), live: null }
  }
  const indexName = `${d.table}_unpublished`
  const idx = await query<{ indexname: string }>(
    clients,
    'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname = $3',
    [d.schema, d.table, indexName],
    `reading indexes of ${d.name}`,
  )
  const live = { columns: cols, index: idx.length > 0 }
  const details: ChangeDetail[] = []
  const steps: Step[] = []
  let replace = false
  for (const [name, type] of Object.entries(STAGING_COLUMNS)) {
    const have = cols[name]
    if (have === undefined) {
      details.push({ attr: `column ${name}`, to: type, note: 'add column' })
      steps.push({ op: 'sql', sql: `ALTER TABLE ${pgQualified(d.schema, d.table)} ADD COLUMN IF NOT EXISTS ${pgIdent(name)} ${type}` })
    } else if (have !== type) {
      replace = true
      details.push({ attr: `column ${name}`, from: have, to: type, mark: '-', note: 'type change: drop and re-create' })
    }
  }
  if (replace) {
    const drop: Step = { op: 'sql', sql: `DROP TABLE ${pgQualified(d.schema, d.table)}`, destructive: true }
    return { ...base, action: 'replace', destructive: true, details, steps: [drop, ...ddl.map((sql): Step => ({ op: 'sql', sql }))], live }
  }
  if (!live.index) {
    details.push({ attr: `index ${indexName}`, to: 'create' })
    steps.push({ op: 'sql', sql: ddl[2] })
  }
  const action = steps.length ? 'update' : 'unchanged'
  return { ...base, action, destructive: false, details, steps, live }
}

/** Runs one Postgres step. Statements run on the target database; `pg.createDatabase` on the maintenance one. */
export async function applyPgStep(step: Step, clients: LiveClients): Promise<void> {
  if (step.op === 'pg.createDatabase') {
    const pool = await clients.pgMaintenance()
    try {
      await pool.query(`CREATE DATABASE ${pgIdent(step.database)}`)
    } catch (err) {
      // 42P04 duplicate_database; 23505 when a concurrent CREATE DATABASE won the race
      const code = (err as { code?: string }).code
      if (code !== '42P04' && code !== '23505') throw classifyPgError(err, clients.settings, `creating database ${step.database}`)
    }
    return
  }
  if (step.op !== 'sql') throw new RtdsError(`not a Postgres step: ${step.op}`)
  const pool = await clients.pg()
  try {
    await pool.query(step.sql)
  } catch (err) {
    throw classifyPgError(err, clients.settings, 'applying Postgres DDL')
  }
}

/** The Postgres database, rtds' state tables and staging tables in `plan`/`apply`. */
export const postgresResourceType: ResourceType = {
  kinds: ['postgres_database', 'postgres_state_tables', 'postgres_table'],
  ops: ['pg.createDatabase', 'sql'],
  async plan(declared, clients) {
    const exists = await pgDatabaseExists(clients)
    const out = new Map<DeclaredResource, Change>()
    for (const d of declared) {
      const r = d.resource
      if (r.kind === 'postgres_database') out.set(d, planPgDatabase(r, exists, d.files))
      else if (r.kind === 'postgres_state_tables') out.set(d, await planStateTables(r, clients, exists, d.files))
      else if (r.kind === 'postgres_table') out.set(d, await planStagingTable(r, clients, exists, d.files))
    }
    return out
  },
  apply: applyPgStep,
}
