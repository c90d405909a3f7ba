/**
 * Issue 11 through the engine: one embedded run (memory backend, a local randomuser server) whose
 * transform is compiled once and evaluated record after record — the object `rtds run` uses. Early
 * records lack `location.postcode`, later ones have it: every stored row must be what that record
 * alone gives (written by hand here), whatever records came before it.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { runPipeline } from './run-pipeline.js'
import { randomuserServer } from '../../test/helpers/users-fixture.js'

const test = suite('runner > engine > run-pipeline > transform state')

// `$string(location.postcode)` as in the reference mapping; `location.postcode{...}` groups over the
// postcode, and over a missing one jsonata evaluates the group's value once with no context at all:
// the case that used to make every later `$string()` of the process return nothing
const TRANSFORM = '{"id": login.uuid, "post_code": $string(location.postcode), "grouped": location.postcode{"v": $string()}, "city": location.city ~> $uppercase()}'

const PIPELINE = (url: string) => `
pipeline: transform_state
sources:
  users:
    http: { url: "${url}", results: 10, records: results }
stages:
  shape:
    from: users
    transform: '${TRANSFORM}'
    to: shaped
tables:
  shaped: { postgres: { schema: rtds } }
`

type User = Record<string, any>

function user(i: number, postcode: unknown): User {
  const u = structuredClone(generateUser(1111, i)) as User
  if (postcode === undefined) delete u.location.postcode
  else u.location.postcode = postcode
  return u
}

/** The row of one user, by hand. */
function expected(u: User): Record<string, unknown> {
  const pc = u.location.postcode
  const row: Record<string, unknown> = { id: u.login.uuid }
  if (pc !== undefined) row.post_code = String(pc)
  row.grouped = pc === undefined ? {} : { v: String(pc) }
  row.city = u.location.city.toUpperCase()
  return row
}

test('records lacking location.postcode before records that have it: every row is right', async () => {
  const users = [user(0, undefined), user(1, undefined), user(2, 75001), user(3, 'EC1A 1BB'), user(4, undefined), user(5, 10115), user(6, '0'), user(7, undefined), user(8, 69001)]
  const server = await randomuserServer(users)
  try {
    const r = compilePipeline('transform-state.yaml', PIPELINE(server.url), { env: {} })
    assert.ok(r.graph, JSON.stringify(r.diagnostics))
    const backend = new MemoryBackend({ pipeline: 'transform_state' })
    const summary = await runPipeline(r.graph!, backend, { once: true, runFor: 0, offline: false, progressMs: 0 })
    assert.is(summary.status, 'completed', summary.errors.join('\n'))
    assert.is(summary.deadLettered, 0)
    const rows = backend.staging.get('shaped')!.rows.map((row) => JSON.parse(JSON.stringify(row.value)) as Record<string, unknown>)
    assert.is(rows.length, users.length)
    const byId = new Map(rows.map((row) => [row.id, row]))
    for (const u of users) assert.equal(byId.get(u.login.uuid), expected(u), `row of the user with postcode ${String(u.location.postcode)}`)
  } finally {
    await server.close()
  }
})

test.run()
