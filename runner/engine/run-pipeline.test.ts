import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { DLQ_HEADERS } from '../../core/stream.js'
import { runPipeline, upstreamStages } from './run-pipeline.js'
import { expectedRow, numericPostcodeUser, randomuserServer, stringPostcodeUser, userWithoutEmail } from '../../test/helpers/users-fixture.js'

const USERS_YAML = 'pipelines/users.yaml'

/** users.yaml with `results: <n>` per request, pulling from `url`. */
function usersGraph(url: string, results = 50) {
  const text = readFileSync(USERS_YAML, 'utf8').replace(/results: 10 /, `results: ${results} `)
  const r = compilePipeline(USERS_YAML, text, { env: { ...process.env, RANDOMUSER_URL: url } })
  assert.ok(r.graph, JSON.stringify(r.diagnostics))
  return r.graph!
}

const test = suite('runner > engine > run-pipeline')

test('users.yaml end to end on the memory backend: rows field by field, a user missing email is dead-lettered', async () => {
  const special = [numericPostcodeUser(), stringPostcodeUser(), userWithoutEmail()]
  const users = [...special, ...Array.from({ length: 25 }, (_, i) => generateUser(7, i))]
  const server = await randomuserServer(users)
  try {
    const backend = new MemoryBackend({ pipeline: 'users' })
    const summary = await runPipeline(usersGraph(server.url), backend, { once: true, runFor: 0, offline: false, progressMs: 0 })
    assert.match(server.requests[0], /results=50/)
    assert.is(summary.status, 'completed', summary.errors.join('\n'))
    assert.is(summary.recordsIn, 28)
    assert.is(summary.recordsStored, 27)
    assert.is(summary.deadLettered, 1)

    const table = backend.tables.get('created_users')!
    assert.is(table.rows.size, 27)
    const byId = new Map([...table.rows.values()].map((r) => [r.id as string, r]))
    for (const u of users) {
      if (u === special[2]) {
        assert.not.ok(byId.has((u as any).login.uuid), 'the user without email must not be stored')
        continue
      }
      assert.equal(byId.get((u as any).login.uuid), expectedRow(u as any))
    }
    const numeric = byId.get('1b4e28ba-2fa1-41d2-883f-0016d3cca427')!
    assert.is(numeric.post_code, '50667')
    assert.is(numeric.first_name, 'Jürgen')
    assert.is(numeric.last_name, 'Ødegård')
    const str = byId.get('6fa459ea-ee8a-4ca4-894e-db77e160355e')!
    assert.is(str.post_code, 'EC1A 1BB')
    assert.is(str.first_name, 'Оксана')

    const dead = backend.dlq.get('users_created.dlq')!
    assert.is(dead.length, 1)
    const h = dead[0].headers
    assert.is(h[DLQ_HEADERS.stage], 'ingest')
    assert.is(h[DLQ_HEADERS.reason], 'validation')
    assert.match(h[DLQ_HEADERS.error], 'email: missing')
    assert.is(h[DLQ_HEADERS.origin], 'http:randomuser page=1 index=2')
    assert.is(h[DLQ_HEADERS.pipeline], 'users')
    assert.equal((dead[0].value as any).login.uuid, '0e7b1a4c-52f4-4c44-a0f5-3a3e3b0b9b11')

    // everything was relayed and consumed: outbox published, group offsets at the end
    const staging = backend.staging.get('staging_users')!
    assert.is(staging.rows.length, 27)
    assert.is(staging.unpublished().length, 0)
    const topic = backend.topics.get('users_created')!
    assert.equal(topic.committedOffsets('rtds.users.store'), topic.endOffsets())
    // the Kafka key is login.uuid
    for (const m of topic.decodedMessages()) assert.is(m.key, (m.value as any).login.uuid)

    // the run is recorded
    assert.is(backend.runs.length, 1)
    assert.is(backend.runs[0].trigger, 'once')
    assert.equal(backend.runs[0].outcome, { status: 'succeeded', records: 28, deadLettered: 1 })
  } finally {
    await server.close()
  }
})

test('a replay (outbox rows published again) changes nothing in the table: upserts by login.uuid', async () => {
  const users = Array.from({ length: 30 }, (_, i) => generateUser(11, i))
  const server = await randomuserServer(users)
  try {
    const backend = new MemoryBackend({ pipeline: 'users' })
    const graph = usersGraph(server.url)
    await runPipeline(graph, backend, { once: true, runFor: 0, offline: false, progressMs: 0 })
    const before = structuredClone([...backend.tables.get('created_users')!.rows.values()])
    for (const r of backend.staging.get('staging_users')!.rows) r.published = false // as after a crash before the mark
    const again = await runPipeline(graph, backend, { once: true, runFor: 0, offline: false, progressMs: 0 })
    assert.is(again.stages.publish.out, 30)
    assert.is(backend.topics.get('users_created')!.decodedMessages().length, 60)
    assert.is(backend.tables.get('created_users')!.writes, 60)
    assert.equal([...backend.tables.get('created_users')!.rows.values()], before)
  } finally {
    await server.close()
  }
})

test('an undecodable topic record is dead-lettered by the consumer stage, which continues', async () => {
  const backend = new MemoryBackend({ pipeline: 'users' })
  const graph = usersGraph('http://unused.invalid/', 10)
  const topic = backend.topic(graph.spec.topics.users_created)
  topic.append('k-bad', Buffer.from([0xff, 0x00, 0x13]))
  const good = generateUser(3, 0) as any
  topic.append(good.login.uuid, topic.codec.encode(good))
  const summary = await runPipeline(graph, backend, { once: true, runFor: 0, progressMs: 0 })
  assert.is(summary.stages.store.dlq, 1)
  assert.is(summary.stages.store.out, 10 + 1) // 10 generated by the offline pull + the good one
  const dead = backend.dlq.get('users_created.dlq')!
  assert.is(dead.length, 1)
  assert.is(dead[0].headers[DLQ_HEADERS.reason], 'decode')
  assert.is(dead[0].headers[DLQ_HEADERS.stage], 'store')
  assert.match(dead[0].headers[DLQ_HEADERS.origin], /^kafka:users_created\/\d@0$/)
  assert.ok(Buffer.isBuffer(dead[0].value), 'the raw bytes are kept')
  assert.ok(backend.tables.get('created_users')!.rows.has(JSON.stringify([good.login.uuid])))
})

test('embedded/offline: the http source is replaced by generate and says so', async () => {
  const backend = new MemoryBackend({ pipeline: 'users' })
  const lines: string[] = []
  const summary = await runPipeline(usersGraph('http://unused.invalid/', 10), backend, { once: true, runFor: 0, progressMs: 0, log: (l) => lines.push(l) })
  assert.is(summary.recordsStored, 10)
  assert.ok(lines.some((l) => /replaced by the generate source/.test(l)), lines.join('\n'))
  assert.ok(lines.some((l) => /http_server not started in --once/.test(l)), lines.join('\n'))
})

test('--once: each stage waits for the stages upstream of it in the compiled graph', () => {
  const graph = usersGraph('http://unused.invalid/')
  assert.equal([...upstreamStages(graph)], [['ingest', []], ['publish', ['ingest']], ['store', ['publish']]])
})

test.run()
