/**
 * Secrets never printed, over a full life cycle of a unique copy of users.yaml against the real
 * servers: the Postgres password (DATABASE_URL), the registry credentials (SCHEMA_REGISTRY_URL),
 * the ingestion API's bearer token and randomuser's login secrets of every user (listed under
 * `redact:`) appear in no output of `validate`, `graph`, `plan`, `apply`, `run --once --json`, a
 * streaming `run` (API answers, /metrics, /readyz, SIGTERM), nor of a `plan` against a server that is
 * down. The dead letters in Kafka carry `***` instead of the login secrets.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { kafka } from '../../connectors/kafka/client.js'
import { readDeadLetters } from '../../connectors/kafka/dlq-read.js'
import { settings, waitFor } from '../integration/connectors-support.js'
import { applyLiveCopy, freePort, randomUser, rtds, servePages, startRtds, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > secrets')
let live: LiveCopy | undefined
const PG_PASSWORD = 'PgSecret-91x7'
const REGISTRY_PASSWORD = 'RegSecret-73y2'
const API_TOKEN = 'ApiToken-55z-4be1c0'
const withPassword = (url: string, user: string, password: string): string => {
  const u = new URL(url)
  u.username ||= user
  u.password = password
  return u.toString()
}
const ENV = {
  DATABASE_URL: withPassword(settings.databaseUrl, 'postgres', PG_PASSWORD),
  SCHEMA_REGISTRY_URL: withPassword(settings.schemaRegistryUrl, 'rtds', REGISTRY_PASSWORD),
  API_TOKEN,
}
/** randomuser's login secrets, distinct per user. */
const loginSecrets = (i: number) => ({ password: `pw-Secret-${i}-q`, salt: `salt-Secret-${i}-q`, md5: `md5-Secret-${i}-q`, sha1: `sha1-Secret-${i}-q`, sha256: `sha256-Secret-${i}-q` })

test.before(async () => {
  live = await applyLiveCopy({ every: '50ms' })
  const { file, apiPort } = live.copy
  const yaml = readFileSync(file, 'utf8')
  const withToken = yaml.replace(`port: ${apiPort}\n`, `port: ${apiPort}\n      token: "{{env.API_TOKEN}}"\n`)
  assert.ok(withToken !== yaml, 'token added to the copy')
  writeFileSync(file, withToken)
})
test.after(async () => {
  await live?.close()
})

test('no password, token or redacted field in any output of a full life cycle', async () => {
  const { copy } = live!
  const outputs: string[] = []
  const users = Array.from({ length: 12 }, (_, i) => ({ ...randomUser(i, copy.tag), login: { ...randomUser(i, copy.tag).login, ...loginSecrets(i) } }))
  for (const i of [3, 8]) delete (users[i] as Record<string, unknown>).email // dead-lettered by ingest, secrets and all
  const pages = await servePages(users)
  const env = { ...ENV, RANDOMUSER_URL: pages.url }
  try {
    const step = (what: string): void => void process.stderr.write(`secrets: ${what}\n`)
    for (const args of [['validate', copy.file], ['graph', copy.file], ['graph', copy.file, '--json'], ['plan', copy.file], ['apply', copy.file, '--json']]) {
      step(args.join(' '))
      const r = await rtds(args, env)
      outputs.push(r.stdout, r.stderr)
      assert.is(r.code, 0, `${args.join(' ')}:\n${r.stdout}\n${r.stderr}`)
    }
    step('run --once')
    const once = await rtds(['run', copy.file, '--once', '--run-for', '1s', '--json', '--admin', 'off'], env)
    outputs.push(once.stdout, once.stderr)
    assert.is(once.code, 0, `${once.stdout}\n${once.stderr}`)
    assert.is(pages.served(), 12)

    // streaming, with the API (token), the admin endpoint, then SIGTERM
    step('run (streaming)')
    const adminPort = await freePort()
    const run = startRtds(['run', copy.file, '--progress', '1s', '--admin', `127.0.0.1:${adminPort}`], env)
    try {
      const api = `http://127.0.0.1:${copy.apiPort}/api/data`
      const post = (body: unknown, token = API_TOKEN) => fetch(api, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
      const extra = Array.from({ length: 3 }, (_, i) => ({ ...randomUser(100 + i, copy.tag), login: { ...randomUser(100 + i, copy.tag).login, ...loginSecrets(100 + i) } }))
      delete (extra[1] as Record<string, unknown>).email
      const ok = await waitFor(async () => post(extra[0]).catch(() => undefined), 60_000, `the API (output: ${run.output()})`)
      assert.is(ok.status, 202)
      const invalid = await post(extra[1])
      assert.is(invalid.status, 400)
      outputs.push(await invalid.text())
      const wrong = await post(extra[2], `${API_TOKEN.slice(0, -1)}x`)
      assert.is(wrong.status, 401)
      outputs.push(await wrong.text())
      await waitFor(async () => /store: in 1 out 1 dlq 0/.test(run.output()), 60_000, 'the streamed user stored')
      outputs.push(await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text())
      outputs.push(await (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).text())
    } finally {
      run.child.kill('SIGTERM')
      const done = await run.done
      outputs.push(done.stdout, done.stderr)
      assert.is(done.code, 0, `${done.stdout}\n${done.stderr}`)
    }

    // a server that is down: the error names the address, never the password
    step('plan with Postgres down')
    const down = await rtds(['plan', copy.file], { ...env, DATABASE_URL: withPassword('postgres://127.0.0.1:1/rtds', 'postgres', PG_PASSWORD) }, 120_000)
    outputs.push(down.stdout, down.stderr)
    assert.is(down.code, 2, `${down.stdout}\n${down.stderr}`)
    assert.match(down.stderr, /127\.0\.0\.1:1/)

    const all = outputs.join('\n')
    const secrets = [PG_PASSWORD, REGISTRY_PASSWORD, API_TOKEN, ...[...users.keys(), 100, 101, 102].flatMap((i) => Object.values(loginSecrets(i)))]
    for (const s of secrets) assert.not.ok(all.includes(s), `"${s}" was printed:\n${all.split('\n').filter((l) => l.includes(s)).slice(0, 5).join('\n')}`)
    assert.ok(all.length > 2000, 'the outputs were collected')

    // the dead letters in Kafka: masked
    const k = kafka(settings)
    const admin = k.admin()
    await admin.connect()
    const dead = await readDeadLetters(k, admin, `${copy.topic}.dlq`, settings).finally(() => admin.disconnect())
    assert.is(dead.length, 2, 'the two users without email of the pull (the API answered 400 to its invalid one)')
    for (const letter of dead) {
      const d = JSON.stringify(letter)
      const login = (letter.value as { login: Record<string, string> }).login
      assert.equal([login.password, login.salt, login.md5, login.sha1, login.sha256], ['***', '***', '***', '***', '***'], d)
      for (const s of secrets) assert.not.ok(d.includes(s), `dead letter holds ${s}`)
    }
  } finally {
    await pages.close()
  }
})

test.run()
