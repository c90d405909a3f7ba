import type { ConnectorCatalog } from './connector-config.js'
import type { PipelineSpec, SourcePosition } from './spec.js'

/** Kinds of node in a compiled task graph. */
export type NodeKind = 'source' | 'stage' | 'topic' | 'table'

export interface GraphNode {
  /** Unique id inside the graph: `<kind>:<name>`, e.g. `stage:store`. */
  readonly id: string
  readonly kind: NodeKind
  readonly name: string
  /** Connector that drives the node: `http`, `http_server`, `generate`, `kafka`, `postgres`, `cassandra`, `stage`. */
  readonly connector: string
  readonly parallelism: number
  readonly pos: SourcePosition
}

export interface GraphEdge {
  readonly from: string // node id
  readonly to: string // node id
}

/**
 * The compiled task graph of one pipeline: data flows source → stage → topic/table → stage → ...
 * Nodes are in a topological order (upstream first), which is also the order `apply` creates
 * resources and `run` starts stages (downstream first when stopping).
 */
export interface TaskGraph {
  readonly pipeline: string
  readonly spec: PipelineSpec
  /** The connectors the spec was compiled with (renderers describe and redact nodes through them). */
  readonly connectors: ConnectorCatalog
  readonly nodes: readonly GraphNode[]
  readonly edges: readonly GraphEdge[]
}
