/**
 * Renderers of a compiled task graph for `rtds graph`: text, Mermaid, DOT and JSON. Secrets (HTTP
 * headers, bearer tokens, URL passwords) are never printed.
 */
import type { GraphNode, TaskGraph } from './graph-types.js'
import { connectorFor } from './connector-config.js'
import { formatMillis as ms } from './duration-parse.js'
import { redactConfig } from './secret-redact.js'
import { configOf } from './spec.js'

export const GRAPH_FORMATS = ['text', 'mermaid', 'dot', 'json'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

/** One line describing what a node does (no secrets); sources and tables through their connector. */
export function describeNode(g: TaskGraph, n: GraphNode): string {
  const spec = g.spec
  if (n.kind === 'source') {
    const s = spec.sources[n.name]!
    const sched = s.schedule ? ` schedule ${s.schedule.cron !== undefined ? `cron "${s.schedule.cron}"${s.schedule.timezone ? ` ${s.schedule.timezone}` : ''}` : `every ${ms(s.schedule.interval)}`}${s.schedule.runFor !== undefined ? ` runFor ${ms(s.schedule.runFor)} every ${ms(s.schedule.every)}` : ''}` : ''
    return `${connectorFor(g.connectors, s).describe?.(configOf(s), s, spec) ?? s.kind}${sched}`
  }
  if (n.kind === 'stage') {
    const s = spec.stages[n.name]!
    const t = s.transform ? ` transform=${s.transform.file ? s.transform.pos.file : 'inline'}` : ''
    return `from [${s.from.join(', ')}] to [${s.to.join(', ')}]${t} parallelism=${s.parallelism} batch=${s.batch.size}/${ms(s.batch.timeout)}`
  }
  if (n.kind === 'topic') {
    const t = spec.topics[n.name]!
    return `partitions=${t.partitions} rf=${t.replicationFactor}${t.key ? ` key=${t.key}` : ''}${t.value ? ` value=${t.value.type} ${t.value.path} subject=${t.value.subject}` : ' value=(none)'}`
  }
  const t = spec.tables[n.name]!
  return connectorFor(g.connectors, t).describe?.(configOf(t), t, spec) ?? t.kind
}

/** Plain text: nodes in topological order with what they do, then the edges. */
export function renderGraphText(g: TaskGraph): string {
  const w = Math.max(...g.nodes.map((n) => n.id.length), 4)
  const lines = [`pipeline ${g.pipeline} (${g.spec.file}): ${g.nodes.length} nodes, ${g.edges.length} edges`, '', 'nodes (upstream first):']
  for (const n of g.nodes) lines.push(`  ${n.id.padEnd(w)}  ${n.connector.padEnd(11)} x${n.parallelism}  ${describeNode(g, n)}`)
  lines.push('', 'edges:')
  for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to}`)
  return lines.join('\n') + '\n'
}

const mid = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_')
const esc = (s: string) => s.replace(/"/g, '#quot;')

/** Mermaid flowchart (sources as stadiums, stages as boxes, topics as queues, tables as cylinders). */
export function renderGraphMermaid(g: TaskGraph): string {
  const lines = ['flowchart LR']
  for (const n of g.nodes) {
    const label = esc(`${n.name}<br/>${n.connector}${n.parallelism > 1 ? ` x${n.parallelism}` : ''}`)
    const shape = n.kind === 'source' ? `(["${label}"])` : n.kind === 'stage' ? `["${label}"]` : n.kind === 'topic' ? `>"${label}"]` : `[("${label}")]`
    lines.push(`  ${mid(n.id)}${shape}`)
  }
  for (const e of g.edges) lines.push(`  ${mid(e.from)} --> ${mid(e.to)}`)
  return lines.join('\n') + '\n'
}

/** Graphviz DOT. */
export function renderGraphDot(g: TaskGraph): string {
  const shape = { source: 'ellipse', stage: 'box', topic: 'cds', table: 'cylinder' } as const
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  const lines = [`digraph ${q(g.pipeline)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];']
  for (const n of g.nodes) lines.push(`  ${q(n.id)} [label=${q(`${n.name}\\n${n.connector}${n.parallelism > 1 ? ` x${n.parallelism}` : ''}`).replace(/\\\\n/g, '\\n')}, shape=${shape[n.kind]}];`)
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)};`)
  lines.push('}')
  return lines.join('\n') + '\n'
}

/** The JSON form: nodes (with their redacted configuration) and edges. */
export function graphToJson(g: TaskGraph): unknown {
  const spec = g.spec
  const config = (n: GraphNode): unknown => {
    const { pos: _pos, name: _name, ...rest } = (n.kind === 'source' ? spec.sources : n.kind === 'stage' ? spec.stages : n.kind === 'topic' ? spec.topics : spec.tables)[n.name] as unknown as Record<string, unknown>
    if (n.kind === 'source' || n.kind === 'table') {
      const entity = (n.kind === 'source' ? spec.sources : spec.tables)[n.name]!
      const c = connectorFor(g.connectors, entity)
      const block = configOf(entity)
      return { ...rest, [entity.kind]: redactConfig(c, c.view ? c.view(block) : block) }
    }
    if (n.kind === 'topic' && rest.value) { const v = rest.value as Record<string, unknown>; return { ...rest, value: { path: v.path, type: v.type, subject: v.subject } } }
    if (n.kind === 'stage' && rest.transform) { const t = rest.transform as Record<string, unknown>; return { ...rest, transform: { source: t.file ? (t.pos as { file: string }).file : 'inline', expr: t.file ? undefined : t.expr } } }
    return rest
  }
  return { pipeline: g.pipeline, file: spec.file, nodes: g.nodes.map((n) => ({ ...n, config: config(n) })), edges: g.edges }
}

/** Renders in one of `GRAPH_FORMATS`. */
export function renderGraph(g: TaskGraph, format: GraphFormat): string {
  switch (format) {
    case 'text': return renderGraphText(g)
    case 'mermaid': return renderGraphMermaid(g)
    case 'dot': return renderGraphDot(g)
    case 'json': return JSON.stringify(graphToJson(g), null, 2) + '\n'
  }
}
