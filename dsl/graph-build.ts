/**
 * Stage 5: the task graph. Nodes for every source, stage, topic and table; edges along `from` → stage
 * → `to`; nodes sorted topologically (upstream first, ties in declaration order: sources, stages,
 * topics, tables as written). Cycles are found here and reported by the semantic checks.
 */
import type { GraphEdge, GraphNode, NodeKind, TaskGraph } from './graph-types.js'
import { connectorOf, type ConnectorCatalog } from './connector-config.js'
import type { PipelineSpec } from './spec.js'

/** Node id of an entity: `<kind>:<name>`. */
export const nodeId = (kind: NodeKind, name: string): string => `${kind}:${name}`

/** The kind of the entity called `name`, when one exists (names are unique across kinds). */
export function kindOf(spec: PipelineSpec, name: string): NodeKind | undefined {
  if (name in spec.sources) return 'source'
  if (name in spec.topics) return 'topic'
  if (name in spec.tables) return 'table'
  if (name in spec.stages) return 'stage'
  return undefined
}

/** Can a stage read the table `name` (its connector does not declare it sink-only)? */
export function tableReadable(catalog: ConnectorCatalog, spec: PipelineSpec, name: string): boolean {
  const t = spec.tables[name]
  return t !== undefined && connectorOf(catalog, 'table', t.kind)?.readable !== false
}

/** Nodes and edges of `spec` in declaration order (unsorted); dangling references are skipped. */
export function graphParts(spec: PipelineSpec, catalog: ConnectorCatalog): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const topicKind = catalog.find((c) => c.role === 'topic')?.key ?? 'topic'
  const nodes: GraphNode[] = []
  for (const s of Object.values(spec.sources)) nodes.push({ id: nodeId('source', s.name), kind: 'source', name: s.name, connector: s.kind, parallelism: 1, pos: s.pos })
  for (const s of Object.values(spec.stages)) nodes.push({ id: nodeId('stage', s.name), kind: 'stage', name: s.name, connector: 'stage', parallelism: s.parallelism, pos: s.pos })
  for (const t of Object.values(spec.topics)) nodes.push({ id: nodeId('topic', t.name), kind: 'topic', name: t.name, connector: topicKind, parallelism: 1, pos: t.pos })
  for (const t of Object.values(spec.tables)) nodes.push({ id: nodeId('table', t.name), kind: 'table', name: t.name, connector: t.kind, parallelism: 1, pos: t.pos })
  const edges: GraphEdge[] = []
  const seen = new Set<string>()
  const add = (from: string, to: string) => { const k = `${from}>${to}`; if (!seen.has(k)) { seen.add(k); edges.push({ from, to }) } }
  for (const s of Object.values(spec.stages)) {
    const me = nodeId('stage', s.name)
    // edges only in valid directions (the checks report the others): no reading stages or
    // sink-only tables (Cassandra), no writing sources or stages
    for (const f of s.from) { const k = kindOf(spec, f); if (k && k !== 'stage' && !(k === 'table' && !tableReadable(catalog, spec, f))) add(nodeId(k, f), me) }
    for (const t of s.to) { const k = kindOf(spec, t); if (k === 'topic' || k === 'table') add(me, nodeId(k, t)) }
  }
  return { nodes, edges }
}

/**
 * Kahn's topological sort. Returns the sorted nodes, and the ids of the nodes on cycles (empty when
 * the graph is acyclic). Ties keep the input order, so the output is deterministic.
 */
export function topoSort(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): { order: GraphNode[]; cyclic: string[] } {
  const indeg = new Map(nodes.map((n) => [n.id, 0]))
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]))
  for (const e of edges) { indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1); out.get(e.from)?.push(e.to) }
  const rank = new Map(nodes.map((n, i) => [n.id, i]))
  // the ready nodes in a binary min-heap by declaration rank: O((n + e) log n)
  const heap: number[] = []
  const push = (r: number) => {
    heap.push(r)
    for (let i = heap.length - 1; i > 0;) { const up = (i - 1) >> 1; if (heap[up]! <= heap[i]!) break; [heap[up], heap[i]] = [heap[i]!, heap[up]!]; i = up }
  }
  const pop = (): number => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < heap.length && heap[l]! < heap[m]!) m = l
        if (r < heap.length && heap[r]! < heap[m]!) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
        i = m
      }
    }
    return top
  }
  nodes.forEach((n, i) => { if (indeg.get(n.id) === 0) push(i) })
  const order: GraphNode[] = []
  const placed = new Set<string>()
  while (heap.length) {
    const node = nodes[pop()]!
    order.push(node)
    placed.add(node.id)
    for (const t of out.get(node.id) ?? []) { const d = indeg.get(t)! - 1; indeg.set(t, d); if (d === 0) push(rank.get(t)!) }
  }
  const cyclic = nodes.filter((n) => !placed.has(n.id)).map((n) => n.id)
  return { order, cyclic }
}

/**
 * One cycle through the nodes left over by `topoSort`, as ids in flow order (first id repeated at
 * the end), for messages: `stage:a → topic:t → stage:b → topic:u → stage:a`. Iterative depth-first
 * search (no recursion: a cycle may be thousands of stages long), each node visited once.
 */
export function findCycle(cyclic: readonly string[], edges: readonly GraphEdge[]): string[] {
  const inCycle = new Set(cyclic)
  const next = new Map<string, string[]>()
  for (const e of edges) if (inCycle.has(e.from) && inCycle.has(e.to)) { const l = next.get(e.from); if (l) l.push(e.to); else next.set(e.from, [e.to]) }
  const done = new Set<string>()
  for (const start of cyclic) {
    if (done.has(start)) continue
    const path: string[] = []
    const onPath = new Map<string, number>() // id → index in path
    const cursor: number[] = []
    path.push(start); onPath.set(start, 0); cursor.push(0)
    while (path.length) {
      const id = path[path.length - 1]!
      const succ = next.get(id) ?? []
      const i = cursor[cursor.length - 1]!
      if (i >= succ.length) { path.pop(); cursor.pop(); onPath.delete(id); done.add(id); continue }
      cursor[cursor.length - 1] = i + 1
      const n = succ[i]!
      if (onPath.has(n)) return [...path.slice(onPath.get(n)!), n]
      if (done.has(n)) continue
      path.push(n); onPath.set(n, path.length - 1); cursor.push(0)
    }
  }
  return []
}

/** Builds the task graph of a spec (nodes topologically sorted; nodes on cycles appended last). */
export function buildGraph(spec: PipelineSpec, catalog: ConnectorCatalog): TaskGraph {
  const { nodes, edges } = graphParts(spec, catalog)
  const { order, cyclic } = topoSort(nodes, edges)
  const onCycle = new Set(cyclic)
  return { pipeline: spec.pipeline, spec, connectors: catalog, nodes: [...order, ...nodes.filter((n) => onCycle.has(n.id))], edges }
}
