/**
 * Cassandra keyspaces and tables as resources of `rtds plan` / `rtds apply`. Live state comes from
 * `system_schema`; added columns are a safe `ALTER TABLE ADD`; a changed primary key or column type
 * is destructive (drop and re-create, only with `--allow-destroy`), and so is a dropped column.
 * Every DDL statement waits for schema agreement.
 */
import { sleep } from '../../core/retry.js'
import type cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../../core/settings.js'
import { RtdsError } from '../../core/errors.js'
import { sortObject, type Change, type ChangeDetail, type DesiredCassandraTable, type DesiredKeyspace, type Step } from '../resource-model.js'
import { classifyCassandraError, cqlIdent } from './client.js'
import type { ResourceType } from '../connector.js'
import type { DeclaredResource } from '../resource-model.js'

type Settings = Pick<ConnectionSettings, 'cassandraContactPoints'>

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

/** A table as `system_schema` describes it. */
export interface LiveCassandraTable {
  readonly partitionKey: readonly string[]
  readonly clusteringKey: readonly string[]
  readonly columns: Readonly<Record<string, string>>
}

/** CQL type in normal form (`VARCHAR` → `text`, no spaces). Throws on anything that is not a plain type expression. */
export function normaliseCqlType(t: string): string {
  const s = t.toLowerCase().replace(/\s+/g, '')
  if (!/^[a-z0-9_<>,]+$/.test(s)) throw new RtdsError(`invalid CQL type ${JSON.stringify(t)}`)
  return s.replace(/\bvarchar\b/g, 'text')
}

const cqlString = (v: string): string => `'${v.replace(/'/g, "''")}'`
const replicationText = (r: Readonly<Record<string, string>>): string => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(', ')
const replicationCql = (r: Readonly<Record<string, string>>): string =>
  `{${Object.entries(r).map(([k, v]) => `${cqlString(k)}: ${cqlString(v)}`).join(', ')}}`

async function exec(client: cassandra.Client, settings: Settings, cql: string, params: unknown[], what: string): Promise<cassandra.types.ResultSet> {
  try {
    return await client.execute(cql, params, { prepare: true })
  } catch (err) {
    throw classifyCassandraError(err, settings, what)
  }
}

/** Reads a keyspace's replication (normal form), undefined when it does not exist. */
export async function readKeyspace(client: cassandra.Client, settings: Settings, name: string): Promise<Record<string, string> | undefined> {
  const rs = await exec(client, settings, 'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [name], `reading keyspace ${name}`)
  const row = rs.first()
  return row ? normaliseReplication(row.replication as Record<string, string>) : undefined
}

/** Plans a keyspace: create, or alter its replication. */
export function planKeyspace(d: DesiredKeyspace, live: Record<string, string> | undefined, files: readonly string[]): Change {
  const base = { kind: d.kind, name: d.name, destructive: false, breaking: false, files }
  const repl = replicationCql(d.replication)
  if (!live) {
    return {
      ...base, action: 'create', live: null,
      details: [{ attr: 'replication', to: replicationText(d.replication) }],
      steps: [{ op: 'cql', cql: `CREATE KEYSPACE IF NOT EXISTS ${cqlIdent(d.name)} WITH replication = ${repl}` }],
    }
  }
  if (JSON.stringify(live) === JSON.stringify(d.replication)) return { ...base, action: 'unchanged', details: [], steps: [], live }
  return {
    ...base, action: 'update', live,
    details: [{ attr: 'replication', from: replicationText(live), to: replicationText(d.replication) }],
    steps: [{ op: 'cql', cql: `ALTER KEYSPACE ${cqlIdent(d.name)} WITH replication = ${repl}` }],
  }
}

/** Reads a table's key and columns from `system_schema.columns`, undefined when it does not exist. */
export async function readCassandraTable(client: cassandra.Client, settings: Settings, keyspace: string, table: string): Promise<LiveCassandraTable | undefined> {
  const rs = await exec(
    client, settings,
    'SELECT column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
    [keyspace, table], `reading table ${keyspace}.${table}`,
  )
  if (rs.rows.length === 0) return undefined
  const rows = rs.rows.map((r) => ({ name: String(r.column_name), kind: String(r.kind), position: Number(r.position), type: normaliseCqlType(String(r.type)) }))
  const keyOf = (kind: string): string[] => rows.filter((r) => r.kind === kind).sort((a, b) => a.position - b.position).map((r) => r.name)
  const columns: Record<string, string> = {}
  for (const r of [...rows].sort((a, b) => (a.name < b.name ? -1 : 1))) columns[r.name] = r.type
  return { partitionKey: keyOf('partition_key'), clusteringKey: keyOf('clustering'), columns }
}

/** `CREATE TABLE IF NOT EXISTS` for a desired table. */
export function createTableCql(d: DesiredCassandraTable): string {
  const cols = Object.entries(d.columns).map(([n, t]) => `${cqlIdent(n)} ${normaliseCqlType(t)}`)
  const pk = `(${d.partitionKey.map(cqlIdent).join(', ')})`
  const key = [pk, ...d.clusteringKey.map(cqlIdent)].join(', ')
  return `CREATE TABLE IF NOT EXISTS ${cqlIdent(d.keyspace)}.${cqlIdent(d.table)} (${cols.join(', ')}, PRIMARY KEY (${key}))`
}

/** Plans a table: create; add columns; drop columns (destructive); replace on a key or type change (destructive). */
export function planCassandraTable(d: DesiredCassandraTable, live: LiveCassandraTable | undefined, files: readonly string[]): Change {
  const base = { kind: d.kind, name: d.name, breaking: false, files }
  const q = `${cqlIdent(d.keyspace)}.${cqlIdent(d.table)}`
  const create = createTableCql(d)
  if (!live) {
    const details: ChangeDetail[] = [
      { attr: 'primary key', to: keyText(d.partitionKey, d.clusteringKey) },
      ...Object.entries(d.columns).map(([n, t]) => ({ attr: `column ${n}`, to: normaliseCqlType(t) })),
    ]
    return { ...base, action: 'create', destructive: false, details, steps: [{ op: 'cql', cql: create }], live: null }
  }
  const details: ChangeDetail[] = []
  let replace = false
  const liveKey = keyText(live.partitionKey, live.clusteringKey)
  const wantKey = keyText(d.partitionKey, d.clusteringKey)
  if (liveKey !== wantKey) {
    replace = true
    details.push({ attr: 'primary key', from: liveKey, to: wantKey, mark: '-', note: 'key change: drop and re-create (data is lost)' })
  }
  const add: Step[] = []
  for (const [n, t] of Object.entries(d.columns)) {
    const want = normaliseCqlType(t)
    const have = live.columns[n]
    if (have === undefined) {
      details.push({ attr: `column ${n}`, to: want, note: 'add column' })
      add.push({ op: 'cql', cql: `ALTER TABLE ${q} ADD ${cqlIdent(n)} ${want}` })
    } else if (have !== want) {
      replace = true
      details.push({ attr: `column ${n}`, from: have, to: want, mark: '-', note: 'type change: drop and re-create (data is lost)' })
    }
  }
  const drop: Step[] = []
  const keyCols = new Set([...live.partitionKey, ...live.clusteringKey])
  for (const n of Object.keys(live.columns)) {
    if (d.columns[n] !== undefined || keyCols.has(n)) continue
    details.push({ attr: `column ${n}`, from: live.columns[n], mark: '-', note: 'drop column (data is lost)' })
    drop.push({ op: 'cql', cql: `ALTER TABLE ${q} DROP ${cqlIdent(n)}`, destructive: true })
  }
  if (replace) {
    return { ...base, action: 'replace', destructive: true, details, live, steps: [{ op: 'cql', cql: `DROP TABLE ${q}`, destructive: true }, { op: 'cql', cql: create }] }
  }
  const steps = [...add, ...drop]
  return { ...base, action: steps.length ? 'update' : 'unchanged', destructive: drop.length > 0, details, steps, live }
}

const keyText = (pk: readonly string[], ck: readonly string[]): string => `((${pk.join(', ')})${ck.map((c) => `, ${c}`).join('')})`

/** Runs one CQL step and waits (up to 30 s) until every node agrees on the schema. */
export async function applyCqlStep(step: Step, client: cassandra.Client, settings: Settings): Promise<void> {
  if (step.op !== 'cql') throw new RtdsError(`not a Cassandra step: ${step.op}`)
  try {
    await client.execute(step.cql)
  } catch (err) {
    throw classifyCassandraError(err, settings, 'applying CQL')
  }
  const deadline = Date.now() + 30_000
  // checkSchemaAgreement exists in the driver (4.x) but is missing from its type declarations
  const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> }
  while (!(await metadata.checkSchemaAgreement())) {
    if (Date.now() > deadline) throw new RtdsError('Cassandra nodes did not reach schema agreement within 30 s', { hint: 'check `nodetool describecluster`, then run `rtds apply` again' })
    await sleep(250)
  }
}

/** Cassandra keyspaces and tables in `plan`/`apply`. */
export const cassandraResourceType: ResourceType = {
  kinds: ['cassandra_keyspace', 'cassandra_table'],
  ops: ['cql'],
  async plan(declared, clients) {
    const client = await clients.cassandra()
    const out = new Map<DeclaredResource, Change>()
    for (const d of declared) {
      const r = d.resource
      if (r.kind === 'cassandra_keyspace') out.set(d, planKeyspace(r, await readKeyspace(client, clients.settings, r.name), d.files))
      else if (r.kind === 'cassandra_table') out.set(d, planCassandraTable(r, await readCassandraTable(client, clients.settings, r.keyspace, r.table), d.files))
    }
    return out
  },
  apply: async (step, clients) => applyCqlStep(step, await clients.cassandra(), clients.settings),
}
