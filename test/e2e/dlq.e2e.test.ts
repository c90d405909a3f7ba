/**
 * `rtds dlq` against the real servers: a unique copy of users.yaml whose transform is broken
 * dead-letters every user at `store` (and one user without email at `ingest`); `list` and `show`
 * find them by reason, with randomuser's login secrets masked; after the transform is fixed,
 * `replay --reason transform` lands every one in Cassandra; replaying the invalid user fails again
 * and puts it back with `rtds.replays` = 1, then 2 — each replay ends (no loop).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { applyLiveCopy, randomUser, root, rtds, servePages, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > dlq')
let live: LiveCopy | undefined
let transformFile = ''
const GOOD = readFileSync(join(root, 'pipelines/transforms/created_user.jsonata'), 'utf8')

test.before(async () => {
  live = await applyLiveCopy({ every: '50ms' })
  transformFile = join(live.copy.dir, 'created_user.jsonata')
  writeFileSync(transformFile, GOOD.replace(/"email":\s*email/, '"email": $error("transform broken on purpose")'))
  assert.ok(readFileSync(transformFile, 'utf8') !== GOOD, 'transform broken')
  const yaml = readFileSync(live.copy.file, 'utf8')
  writeFileSync(live.copy.file, yaml.replace(join(root, 'pipelines/transforms/created_user.jsonata'), transformFile))
})
test.after(async () => {
  await live?.close()
})

const json = async (args: string[]): Promise<{ code: number | null; doc: any; stderr: string }> => {
  const r = await rtds([...args, '--json'])
  let doc: any
  try {
    doc = JSON.parse(r.stdout)
  } catch {
    assert.unreachable(`not one JSON document:\n${r.stdout}\n${r.stderr}`)
  }
  return { code: r.code, doc, stderr: r.stderr }
}

test('list, show, replay after a fix; a record failing again goes back with its replay count', async () => {
  const { copy, cass } = live!
  const users = Array.from({ length: 5 }, (_, i) => ({ ...randomUser(i, copy.tag), login: { ...randomUser(i, copy.tag).login, password: `pw-Secret-${i}` } }))
  delete (users[2] as Record<string, unknown>).email
  const pages = await servePages(users)
  try {
    const run = await rtds(['run', copy.file, '--once', '--run-for', '1s', '--progress', '0', '--admin', 'off'], { RANDOMUSER_URL: pages.url })
    assert.is(run.code, 0, `${run.stdout}\n${run.stderr}`)
  } finally {
    await pages.close()
  }
  const listed = await json(['dlq', 'list', copy.file])
  assert.is(listed.code, 0, listed.stderr)
  assert.is(listed.doc.status, 'ok')
  assert.is(listed.doc.count, 5)
  const reasons = listed.doc.deadLetters.map((d: any) => `${d.stage}/${d.reason}`).sort()
  assert.equal(reasons, ['ingest/validation', 'store/transform', 'store/transform', 'store/transform', 'store/transform'])
  assert.ok(listed.doc.deadLetters.every((d: any) => d.value === undefined && d.replays === 0 && /^.+\.dlq\/0@\d+$/.test(d.id)))

  const shown = await json(['dlq', 'show', copy.file, '--reason', 'validation'])
  assert.is(shown.doc.count, 1)
  assert.is(shown.doc.deadLetters[0].value.login.password, '***')
  assert.not.match(JSON.stringify(shown.doc), /pw-Secret/)
  assert.match(shown.doc.deadLetters[0].error, /email/)

  // fix the transform, replay what failed in it
  writeFileSync(transformFile, GOOD)
  const replayed = await json(['dlq', 'replay', copy.file, '--reason', 'transform'])
  assert.is(replayed.code, 0, replayed.stderr)
  assert.equal([replayed.doc.replayed, replayed.doc.succeeded, replayed.doc.failedAgain], [4, 4, 0])
  const rows = await cass.execute(`SELECT id, email FROM "${copy.keyspace}".created_users`)
  assert.equal(rows.rows.map((r) => r.get('id').toString()).sort(), users.filter((_, i) => i !== 2).map((u) => u.login.uuid).sort())

  // the invalid user fails again: back to the DLQ with rtds.replays 1, then 2
  for (const n of [1, 2]) {
    const again = await json(['dlq', 'replay', copy.file, '--reason', 'validation', ...(n === 2 ? ['--stage', 'ingest'] : [])])
    assert.is(again.code, 1, again.stderr)
    assert.is(again.doc.status, 'findings')
    assert.is(again.doc.failedAgain, n === 1 ? 1 : 2, 'each replay replays what was there when it started')
    const after = await json(['dlq', 'list', copy.file, '--reason', 'validation'])
    assert.equal(after.doc.deadLetters.map((d: any) => d.replays).sort(), n === 1 ? [0, 1] : [0, 1, 1, 2])
  }
})

test.run()
