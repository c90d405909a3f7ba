/**
 * Stage 6: checks across the whole pipeline — names unique across kinds, references that exist and
 * point the right way, no cycles, schemas on written topics, JSONata that compiles, table
 * columns the transform fills, keys that are columns, schedules that parse.
 */
import { Cron } from 'croner'
import { isSeq } from 'yaml'
import { CODES } from './codes.js'
import { checkLimits } from './limit-checks.js'
import type { Diagnostic } from './diagnostic.js'
import { connectorOf, type ConnectorCatalog } from './connector-config.js'
import { findCycle, kindOf, tableReadable, topoSort } from './graph-build.js'
import type { NodeKind, TaskGraph } from './graph-types.js'
import { compileExpr, exprPosition, literalOutputKeys } from './jsonata-check.js'
import { closest } from './schema-validate.js'
import { configOf, type PipelineSpec, type StageSpec } from './spec.js'
import type { Resolved } from './spec-resolve.js'
import type { DocPath, YamlSource } from './yaml-source.js'

const KIND_SECTIONS: Record<NodeKind, string> = { source: 'sources', topic: 'topics', stage: 'stages', table: 'tables' }

/** Runs every semantic check; returns the diagnostics. */
export function semanticChecks(src: YamlSource, resolved: Resolved, graph: TaskGraph, catalog: ConnectorCatalog): Diagnostic[] {
  const out: Diagnostic[] = []
  const { spec, broken } = resolved
  const report = (code: string, message: string, path: DocPath, hint?: string, opts: { key?: boolean; severity?: 'warning' } = {}) =>
    out.push({ code, severity: opts.severity ?? 'error', message, file: src.file, ...(opts.key ? src.keyPos(path) : src.valuePos(path)), path: path.join('.'), hint })

  checkNames(src, spec, report)
  checkReferences(src, spec, broken, catalog, report)
  checkCycles(graph, report)
  checkUnused(spec, report)
  checkSchedules(spec, broken, catalog, report)
  checkLimits(spec, broken, report)
  // each connector's own checks, on the entities of its kind that resolved
  for (const [role, section] of [['source', spec.sources], ['table', spec.tables]] as const) {
    for (const e of Object.values(section)) {
      if (broken.has(`${role}:${e.name}`)) continue
      connectorOf(catalog, role, e.kind)?.check?.(e, spec, (code, message, path, hint) => report(code, message, path, hint))
    }
  }

  const asts = new Map<string, ReturnType<typeof literalOutputKeys>>()
  for (const origin of resolved.exprs) {
    const r = compileExpr(src, origin)
    if (r.diagnostic) out.push(r.diagnostic)
    else if (r.ast && origin.path[0] === 'stages') asts.set(String(origin.path[1]), literalOutputKeys(r.ast))
  }
  checkColumns(src, spec, broken, resolved, asts, catalog, out, report)
  return out
}

type Report = (code: string, message: string, path: DocPath, hint?: string, opts?: { key?: boolean; severity?: 'warning' }) => void

function checkNames(src: YamlSource, spec: PipelineSpec, report: Report): void {
  const first = new Map<string, NodeKind>()
  const entries: Array<[NodeKind, string]> = [
    ...Object.keys(spec.sources).map((n) => ['source', n] as [NodeKind, string]),
    ...Object.keys(spec.topics).map((n) => ['topic', n] as [NodeKind, string]),
    ...Object.keys(spec.stages).map((n) => ['stage', n] as [NodeKind, string]),
    ...Object.keys(spec.tables).map((n) => ['table', n] as [NodeKind, string]),
  ]
  // report the occurrence that comes later in the file
  entries.sort((a, b) => { const pa = src.keyPos([KIND_SECTIONS[a[0]], a[1]]), pb = src.keyPos([KIND_SECTIONS[b[0]], b[1]]); return pa.line - pb.line || pa.col - pb.col })
  for (const [kind, name] of entries) {
    const prev = first.get(name)
    if (prev) report(CODES.DUPLICATE_NAME, `name "${name}" is used by a ${prev} and a ${kind}`, [KIND_SECTIONS[kind], name], 'from/to refer to sources, topics, stages and tables by name: give each a different name', { key: true })
    else first.set(name, kind)
  }
}

/** Path of the i-th name of a stage's from/to: the list item when written as a list, else the scalar. */
function refPath(src: YamlSource, stage: StageSpec, field: 'from' | 'to', i: number): DocPath {
  const base = ['stages', stage.name, field]
  return isSeq(src.locate(base).node) ? [...base, i] : base
}

function available(spec: PipelineSpec, kinds: readonly NodeKind[]): string {
  const parts: string[] = []
  for (const k of kinds) {
    const names = Object.keys(k === 'source' ? spec.sources : k === 'topic' ? spec.topics : k === 'table' ? spec.tables : spec.stages)
    if (names.length) parts.push(`${KIND_SECTIONS[k]} ${names.join(', ')}`)
  }
  return parts.join('; ') || 'none declared'
}

function checkReferences(src: YamlSource, spec: PipelineSpec, broken: ReadonlySet<string>, catalog: ConnectorCatalog, report: Report): void {
  for (const stage of Object.values(spec.stages)) {
    const pathOf = (field: 'from' | 'to', i: number): DocPath => refPath(src, stage, field, i)
    stage.from.forEach((name, i) => {
      const kind = kindOf(spec, name)
      const readable: NodeKind[] = ['source', 'topic', 'table']
      if (!kind) {
        const guess = closest(name, [...Object.keys(spec.sources), ...Object.keys(spec.topics), ...Object.keys(spec.tables)])
        report(CODES.DANGLING_REFERENCE, `stage "${stage.name}" reads from "${name}", which is not declared`, pathOf('from', i), `${guess ? `did you mean "${guess}"? ` : ''}available: ${available(spec, readable)}`)
      } else if (kind === 'stage') {
        report(CODES.INVALID_DIRECTION, `stage "${stage.name}" reads from stage "${name}": stages read sources, topics or staging tables`, pathOf('from', i), `let "${name}" write a topic or table and read that`)
      } else if (kind === 'table' && !tableReadable(catalog, spec, name)) {
        const c = connectorOf(catalog, 'table', spec.tables[name]!.kind)
        const title = c?.title ?? spec.tables[name]!.kind
        report(CODES.INVALID_DIRECTION, `stage "${stage.name}" reads from ${title} table "${name}": ${title} tables are sinks`, pathOf('from', i), `read the topic that feeds "${name}" instead`)
      } else if (kind === 'table' && stage.to.some((t) => kindOf(spec, t) !== 'topic' && kindOf(spec, t) !== undefined)) {
        report(CODES.INVALID_DIRECTION, `stage "${stage.name}" reads staging table "${name}" but writes ${stage.to.filter((t) => kindOf(spec, t) !== 'topic').map((t) => `"${t}"`).join(', ')}: a staging table is relayed to Kafka topics only`, pathOf('from', i), 'write a topic, and read the topic in another stage')
      }
    })
    stage.to.forEach((name, i) => {
      const kind = kindOf(spec, name)
      if (!kind) {
        const guess = closest(name, [...Object.keys(spec.topics), ...Object.keys(spec.tables)])
        report(CODES.DANGLING_REFERENCE, `stage "${stage.name}" writes to "${name}", which is not declared`, pathOf('to', i), `${guess ? `did you mean "${guess}"? ` : ''}available: ${available(spec, ['topic', 'table'])}`)
      } else if (kind === 'source' || kind === 'stage') {
        report(CODES.INVALID_DIRECTION, `stage "${stage.name}" writes to ${kind} "${name}": stages write topics or tables`, pathOf('to', i), `declare a topic or table and write that`)
      } else if (kind === 'topic' && !spec.topics[name]!.value && !broken.has(`topic:${name}`)) {
        report(CODES.TOPIC_WITHOUT_SCHEMA, `stage "${stage.name}" writes topic "${name}", which has no value schema`, pathOf('to', i), `add value: path/to/schema.avsc (or .json) to topic "${name}": records are validated and encoded with it`)
      }
    })
  }
}

function checkCycles(graph: TaskGraph, report: Report): void {
  const { cyclic } = topoSort(graph.nodes, graph.edges)
  if (!cyclic.length) return
  const cycle = findCycle(cyclic, graph.edges)
  const firstStage = cycle.find((id) => id.startsWith('stage:')) ?? cyclic[0]!
  const name = firstStage.slice(firstStage.indexOf(':') + 1)
  report(CODES.CYCLE, `the data flow has a cycle: ${cycle.map((id) => id.slice(id.indexOf(':') + 1)).join(' → ')}`, ['stages', name], 'records would loop forever: make one of these stages write somewhere else', { key: true })
}

function checkUnused(spec: PipelineSpec, report: Report): void {
  const read = new Set(Object.values(spec.stages).flatMap((s) => s.from))
  const written = new Set(Object.values(spec.stages).flatMap((s) => s.to))
  for (const s of Object.keys(spec.sources)) if (!read.has(s)) report(CODES.UNUSED, `source "${s}" is not read by any stage`, ['sources', s], 'add it to a stage\'s from:, or remove it', { key: true, severity: 'warning' })
  for (const t of [...Object.keys(spec.topics), ...Object.keys(spec.tables)]) {
    if (!read.has(t) && !written.has(t)) report(CODES.UNUSED, `${t in spec.topics ? 'topic' : 'table'} "${t}" is not used by any stage`, [t in spec.topics ? 'topics' : 'tables', t], 'add it to a stage\'s from: or to:, or remove it', { key: true, severity: 'warning' })
  }
}

function checkSchedules(spec: PipelineSpec, broken: ReadonlySet<string>, catalog: ConnectorCatalog, report: Report): void {
  for (const s of Object.values(spec.sources)) {
    const sch = s.schedule
    if (!sch || broken.has(`source:${s.name}`)) continue
    const path = ['sources', s.name, 'schedule']
    const fixed = connectorOf(catalog, 'source', s.kind)?.schedulable
    if (fixed === false || typeof fixed === 'object') report(CODES.SCHEDULE_CONFLICT, `source "${s.name}" is an ${s.kind}: ${fixed ? fixed.because : 'it runs by itself'} and cannot be scheduled`, path, 'remove schedule:', { key: true })
    if (sch.cron !== undefined && sch.interval !== undefined) report(CODES.SCHEDULE_CONFLICT, `schedule of source "${s.name}" has both cron and interval`, path, 'keep exactly one of cron: and interval:', { key: true })
    else if (sch.cron === undefined && sch.interval === undefined) report(CODES.SCHEDULE_CONFLICT, `schedule of source "${s.name}" has neither cron nor interval`, path, 'add cron: "@daily" or interval: 1m', { key: true })
    let tzOk = true
    if (sch.timezone !== undefined) {
      try { new Intl.DateTimeFormat('en', { timeZone: sch.timezone }) } catch {
        tzOk = false
        report(CODES.INVALID_TIMEZONE, `unknown time zone "${sch.timezone}"`, [...path, 'timezone'], 'use an IANA name such as UTC or Europe/Berlin')
      }
    }
    if (sch.cron !== undefined) {
      try { new Cron(sch.cron, { paused: true, ...(tzOk && sch.timezone ? { timezone: sch.timezone } : {}) }).stop() } catch (e) {
        report(CODES.INVALID_CRON, `invalid cron expression "${sch.cron}": ${(e as Error).message}`, [...path, 'cron'], 'use 5 or 6 fields ("*/5 * * * *") or @hourly, @daily, @weekly, @monthly, @yearly')
      }
    }
  }
}

function checkColumns(src: YamlSource, spec: PipelineSpec, broken: ReadonlySet<string>, resolved: Resolved, asts: Map<string, ReturnType<typeof literalOutputKeys>>, catalog: ConnectorCatalog, out: Diagnostic[], report: Report): void {
  /** The columns of a table whose connector knows them (a Cassandra table); undefined otherwise. */
  const columnsOf = (name: string): Readonly<Record<string, string>> | undefined => {
    const t = spec.tables[name]
    if (!t || broken.has(`table:${name}`)) return undefined
    return connectorOf(catalog, 'table', t.kind)?.columns?.(configOf(t))
  }
  for (const stage of Object.values(spec.stages)) {
    if (broken.has(`stage:${stage.name}`)) continue
    const targets = stage.to.flatMap((t) => { const cols = columnsOf(t); return cols ? [{ name: t, cols, title: connectorOf(catalog, 'table', spec.tables[t]!.kind)?.title ?? spec.tables[t]!.kind }] : [] })
    if (!targets.length) continue
    let keys: Array<{ key: string; index: number }> | undefined
    let origin = resolved.exprs.find((e) => e.path[0] === 'stages' && e.path[1] === stage.name)
    if (stage.transform) keys = asts.get(stage.name)
    else if (stage.from.length === 1 && spec.topics[stage.from[0]!]?.value?.type === 'AVRO') {
      const fields = (spec.topics[stage.from[0]!]!.value!.schema as { fields?: Array<{ name: string }> }).fields
      keys = fields?.map((f) => ({ key: f.name, index: 0 }))
      origin = undefined
    }
    if (!keys) continue // not knowable
    for (const t of targets) {
      const cols = Object.keys(t.cols)
      const have = new Set(keys.map((k) => k.key))
      const what = stage.transform ? `the transform of stage "${stage.name}"` : `the records of topic "${stage.from[0]}" (stage "${stage.name}" has no transform)`
      const missing = cols.filter((c) => !have.has(c))
      if (missing.length) {
        report(CODES.COLUMN_NOT_FILLED, `${missing.length === 1 ? 'column' : 'columns'} ${missing.map((c) => `"${c}"`).join(', ')} of ${t.title} table "${t.name}" ${missing.length === 1 ? 'is' : 'are'} never filled by ${what}`,
          stage.transform ? ['stages', stage.name, 'transform'] : ['stages', stage.name, 'to'], `add ${missing.map((c) => `"${c}": ...`).join(', ')} to the transform's output object, or remove the column`)
      }
      const extra = keys.filter((k) => !cols.includes(k.key))
      if (!origin && extra.length) {
        report(CODES.OUTPUT_NOT_COLUMN, `${what} have ${extra.length === 1 ? 'field' : 'fields'} ${extra.map((k) => `"${k.key}"`).join(', ')} that ${extra.length === 1 ? 'is not a column' : 'are not columns'} of ${t.title} table "${t.name}"`,
          ['stages', stage.name, 'to'], 'add a transform that builds the row, e.g. transform: \'{"id": login.uuid, ...}\'')
        continue
      }
      for (const k of extra) {
        const at = origin ? exprPosition(src, origin, k.index) : { file: src.file, ...src.valuePos(['stages', stage.name, 'to']) }
        const guess = closest(k.key, cols)
        out.push({ code: CODES.OUTPUT_NOT_COLUMN, severity: 'error', message: `${what} outputs "${k.key}", which is not a column of ${t.title} table "${t.name}"`, ...at,
          path: `stages.${stage.name}.transform`, hint: `${guess ? `did you mean "${guess}"? ` : ''}columns: ${cols.join(', ')}` })
      }
    }
  }
}
