/**
 * The "add a connector" recipe of docs/ARCHITECTURE.md, done: a `jsonl` table sink in its own folder
 * (`jsonl/spec.ts`, `jsonl/connector.ts`) and one registry line (`registry.ts`). Nothing else of rtds
 * changes, yet the schema, validation, defaults, graph rendering and the engine all know it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline, formatDiagnostic, renderGraph, assemblePipelineSchema } from '../../dsl/index.js'
import { CONNECTOR_CATALOG } from '../../connectors/index.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { runPipeline } from '../../runner/engine/run-pipeline.js'
import { TOY_CONNECTORS } from './registry.js'

const test = suite('toy connector (add a connector)')
const catalog = TOY_CONNECTORS.configs()

const pipeline = (table: string) => `pipeline: toy
sources:
  gen: { generate: { count: 25, seed: 3 } }
stages:
  copy:
    from: gen
    to: out
    transform: '{"id": login.uuid, "email": email}'
tables:
  out:
${table}
`

test('its block is part of the schema, validated with located errors', () => {
  const schema = JSON.stringify(assemblePipelineSchema(catalog))
  assert.ok(schema.includes('Append every record as one JSON line to a file.'))
  const ok = compilePipeline('/tmp/toy.yaml', pipeline('    jsonl: { path: out.jsonl }'), { connectors: catalog })
  assert.equal(ok.diagnostics.filter((d) => d.severity === 'error'), [])
  const typo = compilePipeline('/tmp/toy.yaml', pipeline('    jsonl: { pth: out.jsonl }'), { connectors: catalog })
  const lines = typo.diagnostics.map(formatDiagnostic)
  assert.ok(lines.some((l) => /^\/tmp\/toy\.yaml:\d+:\d+ error RTDS\d+ unknown key "pth" in tables\.out\.jsonl/.test(l)), lines.join('\n'))
  // without the registry line, rtds does not know the block
  const without = compilePipeline('/tmp/toy.yaml', pipeline('    jsonl: { path: out.jsonl }'), { connectors: CONNECTOR_CATALOG })
  assert.ok(without.diagnostics.some((d) => d.severity === 'error' && /unknown key "jsonl"/.test(d.message)), without.diagnostics.map(formatDiagnostic).join('\n'))
})

test('its own rules apply: it is sink-only, and graph renders it', () => {
  const r = compilePipeline('/tmp/toy.yaml', pipeline('    jsonl: { path: out.jsonl }'), { connectors: catalog })
  assert.match(renderGraph(r.graph!, 'text'), /table:out\s+jsonl\s+x1\s+jsonl out\.jsonl/)
  const reading = compilePipeline('/tmp/toy.yaml', pipeline('    jsonl: { path: out.jsonl }').replace('  copy:\n', '  back: { from: out, to: out }\n  copy:\n'), { connectors: catalog })
  assert.ok(reading.diagnostics.some((d) => /reads from JSON lines table "out": JSON lines tables are sinks/.test(d.message)), reading.diagnostics.map(formatDiagnostic).join('\n'))
})

test('the engine runs it: every generated record lands in the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-toy-'))
  try {
    const file = join(dir, 'toy.yaml')
    writeFileSync(file, pipeline('    jsonl: { path: out.jsonl }'))
    const r = compilePipeline(file, readFileSync(file, 'utf8'), { connectors: catalog })
    assert.ok(r.graph, r.diagnostics.map(formatDiagnostic).join('\n'))
    const summary = await runPipeline(r.graph!, new MemoryBackend({ pipeline: 'toy', connectors: TOY_CONNECTORS }), { once: true, runFor: 0, progressMs: 0 })
    assert.is(summary.status, 'completed', summary.errors.join('\n'))
    const rows = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.is(rows.length, 25)
    assert.is(new Set(rows.map((x) => x.id)).size, 25)
    for (const row of rows) assert.match(row.email, /@/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('adding it touched nothing outside its folder', () => {
  const grep = spawnSync('git', ['grep', '-l', '-w', '-e', 'jsonl', '-e', 'JSONL', '--', 'core', 'transform', 'dsl', 'connectors', 'runner'], { encoding: 'utf8' })
  assert.is(grep.stdout.trim(), '')
  assert.is(grep.status, 1) // git grep: 1 = no match (2 would be an error)
})

test.run()
