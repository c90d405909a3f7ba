import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CODES, formatDiagnostic, graphToJson, parseDuration, parseSize, renderGraph, stagingTopicOf } from './index.js'
import { compilePipeline, loadPipeline, loadPipelines } from '../connectors/index.js'

process.chdir(new URL('..', import.meta.url).pathname)

test('dsl > load: users.yaml loads clean into a spec and a graph on a clean machine (env {})', () => {
  const r = loadPipeline('pipelines/users.yaml', { env: {} })
  assert.equal(r.diagnostics.map(formatDiagnostic), [])
  const spec = r.spec!
  assert.is(spec.pipeline, 'users')
  const ru = spec.sources.randomuser!
  assert.ok(ru.kind === 'http')
  if (ru.kind === 'http') {
    assert.is(ru.http.url, 'https://randomuser.me/api/')
    assert.equal([ru.http.results, ru.http.records, ru.http.timeout, ru.http.retries], [10, 'results', 10_000, 5])
    assert.equal(ru.schedule, { cron: '@daily', runFor: 60_000, every: 1000 })
  }
  const api = spec.sources.api!
  assert.ok(api.kind === 'http_server' && api.http_server.port === 5000 && api.http_server.host === '127.0.0.1' && api.http_server.maxBodyBytes === 1048576 && api.http_server.path === '/api/data')
  const topic = spec.topics.users_created!
  assert.equal([topic.partitions, topic.replicationFactor, topic.key, topic.value?.type, topic.value?.subject], [3, 1, 'login.uuid', 'AVRO', 'users_created-value'])
  assert.ok(topic.value!.file.endsWith('/schemas/randomuser_user.avsc'))
  const store = spec.stages.store!
  assert.equal([store.parallelism, store.batch.size, store.batch.timeout], [4, 100, 200])
  assert.ok(store.transform!.file!.endsWith('/pipelines/transforms/created_user.jsonata') && store.transform!.expr.includes('"post_code"'))
  assert.equal(spec.settings, { transform: { timeout: 1000, maxDepth: 500 } })
  const rows = spec.tables.created_users!
  assert.ok(rows.kind === 'cassandra')
  if (rows.kind === 'cassandra') {
    assert.equal([rows.cassandra.keyspace, rows.cassandra.table, rows.cassandra.primaryKey, rows.cassandra.clusteringKey], ['spark_streams', 'created_users', ['id'], []])
    assert.equal(rows.cassandra.replication, { class: 'SimpleStrategy', replication_factor: 1 })
    assert.is(rows.cassandra.columns.id, 'uuid')
    assert.is(Object.keys(rows.cassandra.columns).length, 12)
  }
  const staging = spec.tables.staging_users!
  assert.ok(staging.kind === 'postgres' && staging.postgres.schema === 'rtds' && staging.postgres.table === 'staging_users')
  assert.is(stagingTopicOf(spec, 'staging_users')?.name, 'users_created')
  assert.is(stagingTopicOf(spec, 'created_users'), undefined)
  assert.is(r.graph!.nodes.length, 8)
})

test('dsl > load: the environment overrides the defaults in templates', () => {
  const r = loadPipeline('pipelines/users.yaml', { env: { RANDOMUSER_URL: 'http://127.0.0.1:9/api/' } })
  const ru = r.spec!.sources.randomuser!
  assert.is(ru.kind === 'http' && ru.http.url, 'http://127.0.0.1:9/api/')
})

test('dsl > load: columns derived from Avro types; explicit columns win', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-dsl-'))
  writeFileSync(join(dir, 'row.avsc'), JSON.stringify({ type: 'record', name: 'R', fields: [
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } }, { name: 'n', type: 'int' }, { name: 'l', type: 'long' }, { name: 'b', type: 'boolean' },
    { name: 'd', type: 'double' }, { name: 'f', type: 'float' }, { name: 'o', type: ['null', 'string'] }, { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } } ] }))
  const text = (cols: string) => `pipeline: p
sources: { g: { generate: {} } }
topics: { t: { value: ${join(process.cwd(), 'schemas/randomuser_user.avsc')} } }
stages:
  a: { from: g, to: t }
  b: { from: t, to: rows, transform: '{"id": login.uuid, "n": 1, "l": 2, "b": true, "d": 0.5, "f": 0.5, "o": nat, "ts": $millis()}' }
tables: { rows: { cassandra: { keyspace: k, primaryKey: [id], schema: row.avsc${cols} } } }
`
  const derived = compilePipeline(join(dir, 'p.yaml'), text(''), { env: {} })
  const cols = derived.spec ? (derived.spec.tables.rows as { cassandra: { columns: object } }).cassandra.columns : derived.diagnostics
  assert.equal(cols, { id: 'uuid', n: 'int', l: 'bigint', b: 'boolean', d: 'double', f: 'float', o: 'text', ts: 'timestamp' })
  // explicit columns win over the schema: "extra" is never filled, "n".."ts" are not columns
  const explicit = compilePipeline(join(dir, 'p.yaml'), text(', columns: { id: uuid, extra: text }'), { env: {} })
  assert.equal(explicit.diagnostics.map((d) => d.code), [CODES.COLUMN_NOT_FILLED, ...Array(7).fill(CODES.OUTPUT_NOT_COLUMN)])
  assert.match(explicit.diagnostics[0]!.message, '"extra"')
})

test('dsl > load: secrets are marked in the spec and never printed by the graph renderers', () => {
  const r = compilePipeline('pipelines/s.yaml', `pipeline: s
sources:
  web: { http: { url: "https://user:pw-url@example.test/a", headers: { Authorization: "Bearer hdr-secret" } } }
  api: { http_server: { token: tok-secret } }
topics: { t: { value: ../schemas/randomuser_user.avsc } }
stages: { a: { from: [web, api], to: t } }
`, { env: {} })
  assert.ok(r.graph, JSON.stringify(r.diagnostics))
  for (const f of ['text', 'mermaid', 'dot', 'json'] as const) {
    const out = renderGraph(r.graph!, f)
    for (const secret of ['pw-url', 'hdr-secret', 'tok-secret']) assert.not.ok(out.includes(secret), `${f} printed ${secret}`)
  }
  const json = JSON.stringify(graphToJson(r.graph!))
  assert.ok(json.includes('"Authorization":"***"') && json.includes('"token":"***"'))
})

test('dsl > load: a secret never appears in a diagnostic', () => {
  const r = compilePipeline('pipelines/s.yaml', 'pipeline: s\nsources:\n  api: { http_server: { token: "" } }\n  web: { http: { url: x, headers: { A: 12345678 } } }\n', { env: {} })
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), [CODES.INVALID_VALUE, CODES.WRONG_TYPE])
  assert.not.ok(r.diagnostics.map(formatDiagnostic).join('\n').includes('12345678'))
})

test('dsl > load: a JSON Schema (draft 2020-12) topic value loads as type JSON', () => {
  const r = compilePipeline('test/golden/validate/cases/x.yaml', `pipeline: j
sources: { g: { generate: {} } }
topics: { t: { value: ../fixtures/user.schema.json } }
stages: { a: { from: g, to: t } }
`, { env: {} })
  assert.equal(r.diagnostics, [])
  assert.equal([r.spec!.topics.t!.value!.type, r.spec!.topics.t!.value!.subject], ['JSON', 't-value'])
})

test('dsl > load: loadPipelines expands folders (sorted, *.test.yaml excluded) and reports missing paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-dsl-'))
  mkdirSync(join(dir, 'sub'))
  const minimal = `pipeline: x\nsources: { g: { generate: {} } }\ntopics: { t: { value: ${join(process.cwd(), 'schemas/randomuser_user.avsc')} } }\nstages: { s: { from: g, to: t } }\n`
  for (const f of ['b.yaml', 'a.yml', 'c.test.yaml', 'd.test.yml', 'notes.txt', 'sub/e.yaml']) writeFileSync(join(dir, f), minimal)
  const { results, ioErrors } = loadPipelines([dir, join(dir, 'missing.yaml')], { env: {} })
  assert.equal(results.map((r) => r.file), [join(dir, 'a.yml'), join(dir, 'b.yaml')])
  assert.ok(results.every((r) => r.spec && r.graph && r.diagnostics.length === 0))
  assert.equal(ioErrors.map((e) => e.path), [join(dir, 'missing.yaml')])
})

test('dsl > load: durations and sizes', () => {
  assert.equal(['500ms', '10s', '1.5s', '2m', '1h', '1d', 250].map(parseDuration), [500, 10_000, 1500, 120_000, 3_600_000, 86_400_000, 250])
  assert.equal(['512kb', '1mb', '100b', 7].map(parseSize), [524288, 1048576, 100, 7])
  assert.throws(() => parseDuration('10 sec'), /500ms/)
  assert.throws(() => parseSize('1 megabyte'), /512kb/)
})

test('dsl > load: an unreadable file is a diagnostic, not an exception', () => {
  const r = loadPipeline('/nonexistent/p.yaml')
  assert.equal(r.diagnostics.map((d) => d.code), [CODES.FILE_UNREADABLE])
})

test.run()
