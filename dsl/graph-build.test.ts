import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildGraph, findCycle, topoSort } from './graph-build.js'
import type { GraphEdge, GraphNode } from './graph-types.js'
import { CONNECTOR_CATALOG, compilePipeline } from '../connectors/index.js'

const node = (id: string): GraphNode => ({ id, kind: id.split(':')[0] as GraphNode['kind'], name: id.split(':')[1]!, connector: 'x', parallelism: 1, pos: { file: 'f', line: 1, col: 1 } })
const edge = (from: string, to: string): GraphEdge => ({ from, to })

test('dsl > graph: topological order puts upstream first and keeps declaration order on ties', () => {
  const nodes = ['table:t', 'stage:b', 'source:s', 'stage:a', 'topic:x'].map(node)
  const edges = [edge('source:s', 'stage:a'), edge('stage:a', 'topic:x'), edge('topic:x', 'stage:b'), edge('stage:b', 'table:t')]
  const { order, cyclic } = topoSort(nodes, edges)
  assert.equal(order.map((n) => n.id), ['source:s', 'stage:a', 'topic:x', 'stage:b', 'table:t'])
  assert.equal(cyclic, [])
  // independent nodes keep their input order
  assert.equal(topoSort(['topic:z', 'topic:y'].map(node), []).order.map((n) => n.id), ['topic:z', 'topic:y'])
})

test('dsl > graph: cycles are detected and one cycle is reported in flow order', () => {
  const nodes = ['source:s', 'stage:a', 'topic:x', 'stage:b', 'topic:y', 'table:out'].map(node)
  const edges = [edge('source:s', 'stage:a'), edge('stage:a', 'topic:x'), edge('topic:x', 'stage:b'), edge('stage:b', 'topic:y'), edge('topic:y', 'stage:a'), edge('stage:b', 'table:out')]
  const { order, cyclic } = topoSort(nodes, edges)
  assert.equal(order.map((n) => n.id), ['source:s'])
  assert.equal(cyclic.sort(), ['stage:a', 'stage:b', 'table:out', 'topic:x', 'topic:y'])
  assert.equal(findCycle(['stage:a', 'topic:x', 'stage:b', 'topic:y', 'table:out'], edges), ['stage:a', 'topic:x', 'stage:b', 'topic:y', 'stage:a'])
})

test('dsl > graph: a pipeline declared out of order compiles to nodes in flow order', () => {
  const r = compilePipeline('pipelines/users.yaml', `pipeline: g
sources: { a: { generate: {} }, b: { http_server: {} } }
topics: { t: { value: ../schemas/randomuser_user.avsc } }
stages:
  store: { from: t, to: out, parallelism: 3, transform: '{"id": login.uuid}' }
  ingest: { from: [a, b], to: t }
tables: { out: { cassandra: { keyspace: k, primaryKey: [id], columns: { id: uuid } } } }
`, { env: {} })
  assert.ok(r.graph, JSON.stringify(r.diagnostics))
  const g = buildGraph(r.spec!, CONNECTOR_CATALOG)
  assert.equal(g.nodes.map((n) => n.id), ['source:a', 'source:b', 'stage:ingest', 'topic:t', 'stage:store', 'table:out'])
  assert.is(g.nodes.find((n) => n.id === 'stage:store')!.parallelism, 3)
  assert.equal(g.edges.map((e) => `${e.from}>${e.to}`).sort(), ['source:a>stage:ingest', 'source:b>stage:ingest', 'stage:ingest>topic:t', 'stage:store>table:out', 'topic:t>stage:store'])
})

test.run()
