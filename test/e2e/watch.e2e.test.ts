/**
 * `rtds run --watch` against the real servers: users are posted continuously to the ingestion API of
 * a unique copy of users.yaml (its own transform copy); the transform is edited under the running
 * stream (first_name upper-cased): the reload is logged, later users have the new value and every
 * user is staged once, published and stored once (Cassandra count and ids, the run's stored count).
 * Only the store stage restarts for that edit (no post refused). A partition increase in the
 * pipeline file is applied and restarts every stage; a decrease is refused with its plan; an invalid
 * edit is reported with its file:line:col; after both the run keeps storing posted users.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { kafka } from '../../connectors/kafka/client.js'
import { settings, waitFor } from '../integration/connectors-support.js'
import { applyLiveCopy, randomUser, root, servePages, startRtds, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > run --watch')
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

let live: LiveCopy | undefined
test.after(async () => { await live?.close() })

test('a transform edit under a running stream takes effect, every user stored once; an invalid edit is reported and changes nothing', async () => {
  live = await applyLiveCopy()
  const { copy, cass, pool } = live
  // the copy's own transform file (the test edits it)
  const transform = join(copy.dir, 'created_user.jsonata')
  const original = readFileSync(join(root, 'pipelines/transforms/created_user.jsonata'), 'utf8')
  writeFileSync(transform, original)
  writeFileSync(copy.file, readFileSync(copy.file, 'utf8').replace(join(root, 'pipelines/transforms/created_user.jsonata'), transform))

  const empty = await servePages([])
  const runner = startRtds(['run', copy.file, '--watch', '--progress', '0', '--grace', '20s', '--admin', 'off'], { RANDOMUSER_URL: empty.url })
  const api = `http://127.0.0.1:${copy.apiPort}/api/data`
  const posted: Record<string, any>[] = []
  let posting = true
  let refusedPosts = 0
  const poster = (async () => {
    for (let i = 0; posting; i++) {
      const u = randomUser(7000 + i, copy.tag)
      for (;;) { // a client retries until the API accepts: it is closed for a moment while the pipeline restarts
        const status = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(u) }).then((r) => r.status, () => 0)
        if (status === 202) break
        assert.ok(status === 0 || status === 503, `unexpected status ${status}`)
        refusedPosts++
        await wait(100)
      }
      posted.push(u)
      await wait(20)
    }
  })()
  const ids = async (): Promise<Map<string, string>> => {
    const r = await cass.execute(`SELECT id, first_name FROM "${copy.keyspace}".created_users`, [], { fetchSize: 10000 })
    return new Map(r.rows.map((row) => [row.get('id').toString(), row.get('first_name') as string]))
  }
  let stopped = false
  try {
    await waitFor(async () => (await ids()).size >= 10, 90000, `10 users stored (output: ${runner.output()})`)
    const storedBefore = await ids()

    writeFileSync(transform, original.replace('"first_name": name.first', '"first_name": $uppercase(name.first)'))
    const edited = Date.now()
    const retriedBeforeEdit = refusedPosts // while the API started
    await waitFor(async () => /reload: stage\(s\) store restarted/.test(runner.output()), 90000, `the reload of the store stage (output: ${runner.output()})`)
    const afterReload = posted.length
    const reloadMs = Date.now() - edited
    const retriedDuringSwap = refusedPosts - retriedBeforeEdit
    await waitFor(async () => posted.length >= afterReload + 20, 60000, 'users posted after the reload')

    // an edit of the pipeline file outside its stages, with a non-destructive resource change (3 → 4
    // partitions): the plan is applied, then every stage restarts (the API closes for a moment)
    writeFileSync(copy.file, readFileSync(copy.file, 'utf8').replace('partitions: 3', 'partitions: 4'))
    const editedFile = Date.now()
    await waitFor(async () => /reload: the new version starts/.test(runner.output()), 90000, `the full restart (output: ${runner.output()})`)
    const fullMs = Date.now() - editedFile
    assert.match(runner.output(), /reload: plan applied/)
    const admin = kafka(settings).admin()
    await admin.connect()
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [copy.topic] })
      assert.is(meta.topics[0]!.partitions.length, 4, 'the partition increase was applied')
    } finally {
      await admin.disconnect()
    }
    const afterFull = posted.length
    await waitFor(async () => posted.length >= afterFull + 20, 60000, 'users posted after the full restart')

    // a destructive (impossible) change: refused with the plan, nothing restarts
    writeFileSync(copy.file, readFileSync(copy.file, 'utf8').replace('partitions: 4', 'partitions: 2'))
    await waitFor(async () => /reload refused: impossible change \(kafka_topic /.test(runner.output()), 60000, `the partition decrease refused (output: ${runner.output()})`)
    assert.match(runner.output(), /Plan: .* 1 impossible/)

    writeFileSync(transform, '{ "id": login.uuid, "first_name": ') // invalid
    await waitFor(async () => /reload refused: .* has errors/.test(runner.output()), 30000, `the invalid edit reported (output: ${runner.output()})`)
    assert.match(runner.output(), /created_user\.jsonata:\d+:\d+/, 'the diagnostic is located')
    const afterInvalid = posted.length
    await waitFor(async () => posted.length >= afterInvalid + 20, 60000, 'users posted after the invalid edit')
    posting = false
    await poster

    const stored = await waitFor(async () => { const m = await ids(); return m.size >= posted.length ? m : undefined }, 90000, `all ${posted.length} users stored`)
    assert.is(stored.size, posted.length, 'every posted user stored, none extra')
    for (const [i, u] of posted.entries()) {
      const first = stored.get(u.login.uuid)
      assert.ok(first !== undefined, `user ${i} missing`)
      if (i >= afterReload) assert.is(first, u.name.first.toUpperCase(), `user ${i} posted after the reload has the new transform's value`)
      if (storedBefore.has(u.login.uuid)) assert.is(first, u.name.first, `user ${i} stored before the edit kept the old value`)
    }
    const staged = await pool.query(`SELECT key, count(*)::int AS n FROM "${copy.stagingSchema}".staging_users GROUP BY key HAVING count(*) > 1`)
    assert.is(staged.rowCount, 0, 'every user staged once')
    const pending = await pool.query(`SELECT count(*)::int AS n FROM "${copy.stagingSchema}".staging_users`)
    assert.is(pending.rows[0].n, posted.length)

    runner.child.kill('SIGTERM')
    stopped = true
    const done = await runner.done
    assert.is(done.code, 0, `rtds run --watch did not stop cleanly:\n${done.stdout}\n${done.stderr}`)
    const summary = /(\d+) in, (\d+) stored, (\d+) dead-lettered/.exec(done.stdout)
    assert.ok(summary, done.stdout)
    assert.is(Number(summary![2]), posted.length, `each user written to Cassandra once across both versions (${refusedPosts} posts retried during the restart)\n${done.stderr}`)
    assert.is(Number(summary![3]), 0)
    process.stdout.write(`watch: ${posted.length} users posted; transform edit → store restarted in ${reloadMs} ms (${retriedDuringSwap} posts retried: the API stayed up); file edit → every stage restarted in ${fullMs} ms (${refusedPosts - retriedDuringSwap - retriedBeforeEdit} posts retried while the API restarted)\n`)
    assert.is(retriedDuringSwap, 0, 'the API stays up while only the store stage restarts')
    assert.is((done.stderr.match(/reload: the new version starts/g) ?? []).length, 1, 'one full restart: the invalid edit restarted nothing')
    assert.is((done.stderr.match(/reload: stage\(s\) store restarted/g) ?? []).length, 1)
  } finally {
    posting = false
    await poster.catch(() => {})
    if (!stopped) runner.child.kill('SIGTERM')
    await runner.done
    await empty.close()
  }
})

test.run()
