/**
 * Stage 4: the rendered, shape-checked document turned into a typed `PipelineSpec`: defaults
 * applied (exactly as commented in dsl/spec.ts), durations and sizes parsed, relative paths resolved
 * against the pipeline's folder, schema and transform files loaded, Cassandra columns derived.
 * Entities whose shape is invalid are still named (so references to them resolve) but skipped by
 * the deeper checks (`broken`), which avoids cascades of follow-up errors.
 */
import { readFileSync } from 'node:fs'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'
import { columnsFromAvro } from './avro-columns.js'
import { parseDuration, parseSize } from './duration-parse.js'
import { SOURCE_KINDS, TABLE_KINDS } from './schema-assemble.js'
import { displayPath, loadSchemaFile, resolveIn } from './schema-file-load.js'
import type { PipelineSpec, ScheduleSpec, SourcePosition, SourceSpec, StageSpec, TableSpec, TopicSpec, TransformSpec } from './spec.js'
import type { DocPath, YamlSource } from './yaml-source.js'

type Obj = Record<string, any>

/** Where a JSONata expression came from, for mapping its error positions. */
export interface ExprOrigin {
  readonly expr: string
  /** Path of the scalar in the pipeline file (inline expressions). */
  readonly path: DocPath
  /** The .jsonata file (display path) when the expression came from a file. */
  readonly file?: string
  /** Human name, e.g. `transform of stage "store"`. */
  readonly what: string
}

export interface Resolved {
  readonly spec: PipelineSpec
  readonly diagnostics: Diagnostic[]
  readonly exprs: ExprOrigin[]
  /** `kind:name` of entities whose shape is invalid. */
  readonly broken: ReadonlySet<string>
}

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const dur = (v: unknown, def?: number): number | undefined => { try { return v === undefined ? def : parseDuration(v as string) } catch { return def } }

/** Is a transform value a file path (one line ending in `.jsonata`) rather than an inline expression? */
export const isTransformFile = (s: string): boolean => !s.includes('\n') && /\.jsonata\s*$/.test(s)

/** Builds the spec. `invalid` holds the JSON pointers that failed shape validation. */
export function resolveSpec(src: YamlSource, value: unknown, dir: string, invalid: ReadonlySet<string>): Resolved {
  const diagnostics: Diagnostic[] = []
  const exprs: ExprOrigin[] = []
  const broken = new Set<string>()
  const root = obj(value)
  const file = src.file
  const pos = (path: DocPath): SourcePosition => ({ file, ...src.keyPos(path) })
  const report = (code: string, message: string, path: DocPath, hint?: string, key = false) =>
    diagnostics.push({ code, severity: 'error', message, file, ...(key ? src.keyPos(path) : src.valuePos(path)), path: path.join('.'), hint })
  const isBroken = (prefix: string) => [...invalid].some((p) => p === prefix || p.startsWith(prefix + '/'))

  const settingsT = obj(obj(root.settings).transform)
  const sources: Record<string, SourceSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.sources))) {
    const s = obj(raw)
    if (isBroken(`/sources/${name}`)) broken.add(`source:${name}`)
    const kinds = SOURCE_KINDS.filter((k) => k in s)
    if (kinds.length !== 1) {
      report(CODES.CONNECTOR_COUNT, kinds.length ? `source "${name}" has several connectors (${kinds.join(', ')}): a source has exactly one` : `source "${name}" has no connector`, ['sources', name], `use exactly one of: ${SOURCE_KINDS.join(', ')}`, true)
      broken.add(`source:${name}`)
    }
    const kind = kinds[0] ?? 'generate'
    const c = obj(s[kind])
    const schedule = s.schedule === undefined ? undefined : resolveSchedule(obj(s.schedule))
    const base = { name, pos: pos(['sources', name]) }
    const sched = schedule ? { schedule } : {}
    if (kind === 'http') {
      sources[name] = { kind, ...base, http: { url: String(c.url ?? ''), ...(c.results !== undefined ? { results: c.results } : {}), records: c.records ?? '$', timeout: dur(c.timeout, 10_000)!, retries: c.retries ?? 5, ...(c.headers ? { headers: c.headers } : {}) }, ...sched }
      if (typeof c.records === 'string') exprs.push({ expr: c.records, path: ['sources', name, 'http', 'records'], what: `records of source "${name}"` })
    } else if (kind === 'http_server') {
      let maxBodyBytes = 1024 * 1024
      try { if (c.maxBodyBytes !== undefined) maxBodyBytes = parseSize(c.maxBodyBytes) } catch { /* reported by the schema */ }
      sources[name] = { kind, ...base, http_server: { path: c.path ?? '/api/data', port: c.port ?? 5000, host: c.host ?? '127.0.0.1', maxBodyBytes, ...(c.token !== undefined ? { token: c.token } : {}) }, ...sched }
    } else {
      sources[name] = { kind: 'generate', ...base, generate: { shape: c.shape ?? 'randomuser', seed: c.seed ?? 1, count: c.count ?? 10 }, ...sched }
    }
  }

  const topics: Record<string, TopicSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.topics))) {
    const t = obj(raw)
    if (isBroken(`/topics/${name}`)) broken.add(`topic:${name}`)
    const subject = typeof t.subject === 'string' ? t.subject : `${name}-value`
    let value: TopicSpec['value']
    if (typeof t.value === 'string' && !isBroken(`/topics/${name}/value`)) {
      const r = loadSchemaFile(src.dir, t.value, subject)
      if (r.problem) { report(r.problem.code, r.problem.message, ['topics', name, 'value'], r.problem.hint); broken.add(`topic:${name}`) }
      value = r.ref
    }
    if (typeof t.key === 'string') exprs.push({ expr: t.key, path: ['topics', name, 'key'], what: `key of topic "${name}"` })
    topics[name] = { name, pos: pos(['topics', name]), partitions: t.partitions ?? 1, replicationFactor: t.replicationFactor ?? 1, ...(t.key !== undefined ? { key: t.key } : {}), ...(value ? { value } : {}),
      config: Object.fromEntries(Object.entries(obj(t.config)).map(([k, v]) => [k, String(v)])) }
  }

  const stages: Record<string, StageSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.stages))) {
    const s = obj(raw)
    if (isBroken(`/stages/${name}`)) broken.add(`stage:${name}`)
    let transform: TransformSpec | undefined
    if (typeof s.transform === 'string') {
      const tpath = ['stages', name, 'transform']
      if (isTransformFile(s.transform)) {
        const abs = resolveIn(src.dir, s.transform.trim())
        try {
          const expr = readFileSync(abs, 'utf8')
          transform = { expr, file: abs, pos: { file: displayPath(abs), line: 1, col: 1 } }
          exprs.push({ expr, path: tpath, file: displayPath(abs), what: `transform of stage "${name}"` })
        } catch (e) {
          const missing = (e as NodeJS.ErrnoException).code === 'ENOENT'
          report(CODES.TRANSFORM_FILE, `transform file "${s.transform}" ${missing ? 'does not exist' : 'cannot be read'} (looked for ${displayPath(abs)})`, tpath, 'paths are relative to the pipeline file\'s folder')
          broken.add(`stage:${name}`)
        }
      } else {
        transform = { expr: s.transform, pos: { file, ...src.valuePos(tpath) } }
        exprs.push({ expr: s.transform, path: tpath, what: `transform of stage "${name}"` })
      }
    }
    const b = obj(s.batch)
    stages[name] = { name, pos: pos(['stages', name]), from: asList(s.from), to: asList(s.to), ...(transform ? { transform } : {}), parallelism: s.parallelism ?? 1,
      batch: { size: b.size ?? 100, timeout: dur(b.timeout, 200)! } }
  }

  const tables: Record<string, TableSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.tables))) {
    const t = obj(raw)
    if (isBroken(`/tables/${name}`)) broken.add(`table:${name}`)
    const kinds = TABLE_KINDS.filter((k) => k in t)
    if (kinds.length !== 1) {
      report(CODES.CONNECTOR_COUNT, kinds.length ? `table "${name}" has several connectors (${kinds.join(', ')}): a table has exactly one` : `table "${name}" has no connector`, ['tables', name], `use exactly one of: ${TABLE_KINDS.join(', ')}`, true)
      broken.add(`table:${name}`)
    }
    if (kinds[0] === 'cassandra') tables[name] = resolveCassandra(name, obj(t.cassandra), ['tables', name, 'cassandra'])
    else { const p = obj(t.postgres); tables[name] = { kind: 'postgres', name, pos: pos(['tables', name]), postgres: { schema: p.schema ?? 'rtds', table: p.table ?? name } } }
  }

  function resolveCassandra(name: string, c: Obj, path: DocPath): TableSpec {
    let columns: Record<string, string> = c.columns ? { ...c.columns } : {}
    let schema: TopicSpec['value']
    if (typeof c.schema === 'string' && !isBroken(`/tables/${name}/cassandra/schema`)) {
      const r = loadSchemaFile(src.dir, c.schema, `${name}-row`)
      if (r.problem) { report(r.problem.code, r.problem.message, [...path, 'schema'], r.problem.hint); broken.add(`table:${name}`) }
      schema = r.ref
      if (r.ref && !c.columns) {
        const d = columnsFromAvro(r.ref.schema)
        columns = d.columns
        if (d.unsupported.length) { report(CODES.COLUMNS_UNDERIVABLE, `cannot derive Cassandra columns of table "${name}" from ${c.schema}: unsupported field ${d.unsupported.join(', ')}`, [...path, 'schema'], 'declare columns: explicitly'); broken.add(`table:${name}`) }
      }
    } else if (!c.columns && !isBroken(`/tables/${name}`)) {
      report(CODES.NO_COLUMNS, `Cassandra table "${name}" has neither columns nor schema`, path, 'add columns: { id: uuid, ... } or schema: path/to/row.avsc', true)
      broken.add(`table:${name}`)
    }
    return { kind: 'cassandra', name, pos: pos(['tables', name]), cassandra: { keyspace: c.keyspace ?? '', table: c.table ?? name,
      replication: c.replication ?? { class: 'SimpleStrategy', replication_factor: 1 }, primaryKey: asList(c.primaryKey), clusteringKey: asList(c.clusteringKey), ...(typeof c.concurrency === 'number' ? { concurrency: c.concurrency } : {}), columns, ...(schema ? { schema } : {}) } }
  }

  const spec: PipelineSpec = {
    file, dir: src.dir, pipeline: String(root.pipeline ?? ''), ...(root.description !== undefined ? { description: String(root.description) } : {}),
    vars: obj(root.vars), settings: { transform: { timeout: dur(settingsT.timeout, 1000)!, maxDepth: settingsT.maxDepth ?? 500 } },
    sources, topics, stages, tables,
  }
  return { spec, diagnostics, exprs, broken }
}

function resolveSchedule(s: Obj): ScheduleSpec {
  return { ...(s.cron !== undefined ? { cron: String(s.cron) } : {}), ...(s.timezone !== undefined ? { timezone: String(s.timezone) } : {}),
    ...(s.interval !== undefined ? { interval: dur(s.interval) } : {}), ...(s.runFor !== undefined ? { runFor: dur(s.runFor) } : {}), every: dur(s.every, 1000)! }
}
