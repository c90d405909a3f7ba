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
import { connectorOf, withDefaults, type ConnectorCatalog, type ConnectorConfigSpec, type ResolveContext } from './connector-config.js'
import { topicSchema, scheduleSchema, settingsSchema, stageSchema } from './schema-assemble.js'
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

/** Is a transform value a file path (one line ending in `.jsonata`) rather than an inline expression? */
export const isTransformFile = (s: string): boolean => !s.includes('\n') && /\.jsonata\s*$/.test(s)

/**
 * Builds the spec. `invalid` holds the JSON pointers that failed shape validation. Each source and
 * table block is resolved by its connector in `catalog` (defaults from its schema, then its own
 * `resolve`); the DSL itself knows no connector kind.
 */
export function resolveSpec(src: YamlSource, value: unknown, dir: string, invalid: ReadonlySet<string>, catalog: ConnectorCatalog): Resolved {
  const diagnostics: Diagnostic[] = []
  const exprs: ExprOrigin[] = []
  const broken = new Set<string>()
  const root = obj(value)
  const file = src.file
  const pos = (path: DocPath): SourcePosition => ({ file, ...src.keyPos(path) })
  const report = (code: string, message: string, path: DocPath, hint?: string, key = false) =>
    diagnostics.push({ code, severity: 'error', message, file, ...(key ? src.keyPos(path) : src.valuePos(path)), path: path.join('.'), hint })
  const isBroken = (prefix: string) => [...invalid].some((p) => p === prefix || p.startsWith(prefix + '/'))

  /** The one connector block of a source or table, reported when there is none or several. */
  const connectorBlock = (section: 'sources' | 'tables', role: 'source' | 'table', name: string, entity: Obj): ConnectorConfigSpec | undefined => {
    const keys = catalog.filter((c) => c.role === role).map((c) => c.key)
    const kinds = keys.filter((k) => k in entity)
    const what = role === 'source' ? 'source' : 'table'
    if (kinds.length !== 1) {
      report(CODES.CONNECTOR_COUNT, kinds.length ? `${what} "${name}" has several connectors (${kinds.join(', ')}): a ${what} has exactly one` : `${what} "${name}" has no connector`, [section, name], `use exactly one of: ${keys.join(', ')}`, true)
      broken.add(`${what}:${name}`)
    }
    return kinds[0] === undefined ? undefined : connectorOf(catalog, role, kinds[0])
  }
  /** Resolves a connector block through its connector. */
  const resolveBlock = (c: ConnectorConfigSpec, section: 'sources' | 'tables', name: string, block: unknown): Obj => {
    const path: DocPath = [section, name, c.key]
    const ptr = `/${section}/${name}/${c.key}`
    const ctx: ResolveContext = {
      name, path, dir: src.dir,
      report: (code, message, rel, hint, key) => report(code, message, [...path, ...rel], hint, key),
      isInvalid: (rel = []) => isBroken(rel.length ? `${ptr}/${rel.join('/')}` : `/${section}/${name}`),
      markBroken: () => { broken.add(`${section === 'sources' ? 'source' : 'table'}:${name}`) },
      expr: (expr, rel, what) => { exprs.push({ expr, path: [...path, ...rel], what }) },
      loadSchema: (written, subject) => loadSchemaFile(src.dir, written, subject),
    }
    const defaulted = withDefaults(c.schema, block)
    return (c.resolve ? c.resolve(defaulted, ctx) : defaulted) as Obj
  }

  const sources: Record<string, SourceSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.sources))) {
    const s = obj(raw)
    if (isBroken(`/sources/${name}`)) broken.add(`source:${name}`)
    const c = connectorBlock('sources', 'source', name, s)
    const schedule = s.schedule === undefined ? undefined : resolveSchedule(obj(s.schedule))
    // without a connector (reported) the source is still named, so references to it resolve
    const kind = c?.key ?? ''
    sources[name] = { kind, name, pos: pos(['sources', name]), [kind]: c ? resolveBlock(c, 'sources', name, s[kind]) : {}, ...(schedule ? { schedule } : {}) } as unknown as SourceSpec
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
    const d = withDefaults(topicSchema(catalog), t)
    topics[name] = { name, pos: pos(['topics', name]), partitions: d.partitions, replicationFactor: d.replicationFactor, ...(t.key !== undefined ? { key: t.key } : {}), ...(value ? { value } : {}),
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
    const d = withDefaults(stageSchema, s)
    stages[name] = { name, pos: pos(['stages', name]), from: asList(s.from), to: asList(s.to), ...(transform ? { transform } : {}), parallelism: d.parallelism,
      batch: { size: d.batch.size, timeout: d.batch.timeout } }
  }

  const tables: Record<string, TableSpec> = {}
  for (const [name, raw] of Object.entries(obj(root.tables))) {
    const t = obj(raw)
    if (isBroken(`/tables/${name}`)) broken.add(`table:${name}`)
    const c = connectorBlock('tables', 'table', name, t)
    const kind = c?.key ?? ''
    tables[name] = { kind, name, pos: pos(['tables', name]), [kind]: c ? resolveBlock(c, 'tables', name, t[kind]) : {} } as unknown as TableSpec
  }

  const spec: PipelineSpec = {
    file, dir: src.dir, pipeline: String(root.pipeline ?? ''), ...(root.description !== undefined ? { description: String(root.description) } : {}),
    vars: obj(root.vars), settings: withDefaults(settingsSchema, root.settings) as PipelineSpec['settings'],
    redact: Array.isArray(root.redact) ? root.redact.filter((p): p is string => typeof p === 'string') : [],
    sources, topics, stages, tables,
  }
  return { spec, diagnostics, exprs, broken }
}

function resolveSchedule(s: Obj): ScheduleSpec {
  return withDefaults(scheduleSchema, s) as ScheduleSpec
}
