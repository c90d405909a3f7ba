import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { EventBus, type RtdsEvent } from '../../core/events.js'
import { DLQ_HEADERS } from '../../core/stream.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { randomuserServer, userWithoutEmail } from '../../test/helpers/users-fixture.js'
import { runPipeline } from './run-pipeline.js'

const test = suite('runner > engine > redaction')
const SECRET = 'hunter2-Secret-Pw'

function usersGraph(url: string, edit: (yaml: string) => string = (y) => y) {
  const r = compilePipeline('pipelines/users.yaml', edit(readFileSync('pipelines/users.yaml', 'utf8')), { env: { ...process.env, RANDOMUSER_URL: url } })
  assert.ok(r.graph, JSON.stringify(r.diagnostics))
  return r.graph!
}

test('users.yaml: a dead-lettered user carries *** for every login secret; nothing else is masked', async () => {
  const bad = structuredClone(userWithoutEmail()) as any
  Object.assign(bad.login, { password: SECRET, salt: 'salt-Secret', md5: 'md5-Secret', sha1: 'sha1-Secret', sha256: 'sha256-Secret' })
  const server = await randomuserServer([bad, generateUser(3, 1)])
  try {
    const backend = new MemoryBackend({ pipeline: 'users' })
    const summary = await runPipeline(usersGraph(server.url), backend, { once: true, runFor: 0, offline: false, progressMs: 0 })
    assert.is(summary.deadLettered, 1)
    const [dead] = backend.dlq.get('users_created.dlq')!
    const login = (dead.value as any).login
    assert.equal(login, { ...bad.login, password: '***', salt: '***', md5: '***', sha1: '***', sha256: '***' })
    assert.not.match(JSON.stringify(dead), /Secret/)
  } finally {
    await server.close()
  }
})

test('a transform error quoting a redacted field: masked in the DLQ error header, the events and the log lines', async () => {
  // login secrets never reach the store stage (the topic's Avro schema drops them): redact email here
  const user = generateUser(5, 2) as any
  user.email = `${SECRET}@example.com`
  const server = await randomuserServer([user])
  try {
    // a transform that fails with the password in its message ($error quotes it)
    const cols = ['last_name', 'gender', 'address', 'post_code', 'email', 'username', 'dob', 'registered_date', 'phone', 'picture'].map((c) => `'${c}': 'x'`).join(', ')
    const graph = usersGraph(server.url, (y) => y.replace('redact: [login.password,', 'redact: [email, login.password,').replace('transform: transforms/created_user.jsonata', `transform: "{ 'id': login.uuid, 'first_name': $error('cannot use ' & email), ${cols} }"`))
    const backend = new MemoryBackend({ pipeline: 'users' })
    const events = new EventBus()
    const seen: RtdsEvent[] = []
    events.on((e) => seen.push(e))
    const lines: string[] = []
    const summary = await runPipeline(graph, backend, { once: true, runFor: 0, offline: false, progressMs: 0, events, log: (l) => lines.push(l) })
    assert.is(summary.deadLettered, 1)
    const [dead] = backend.dlq.get('users_created.dlq')!
    assert.is(dead.headers[DLQ_HEADERS.reason], 'transform', dead.headers[DLQ_HEADERS.error])
    assert.match(dead.headers[DLQ_HEADERS.error], /\*\*\*/, dead.headers[DLQ_HEADERS.error])
    const everything = JSON.stringify({ dead, seen, lines, summary })
    assert.not.ok(everything.includes(SECRET), 'the password appears nowhere')
  } finally {
    await server.close()
  }
})

test.run()
