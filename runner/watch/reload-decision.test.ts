import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadPipeline } from '../../connectors/index.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import type { Change, Plan } from '../../connectors/resource-model.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import { planHash, summarise } from '../reconcile/planner.js'
import { changedStages, decideReload, describeDecision, fingerprint, planRefusal, referencedFiles, type ReloadDecision } from './reload-decision.js'
import { FileWatch, runWatched } from './watch-run.js'

const test = suite('runner > watch > reload decision')
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
const env = { ...process.env, RANDOMUSER_URL: 'http://unused.invalid/' }
const load = (f: string) => loadPipeline(f, { env })

/** A copy of users.yaml and its transform in a temp folder (the schemas stay where they are). */
function copy(port = 5000) {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-watch-'))
  const transform = join(dir, 'created_user.jsonata')
  writeFileSync(transform, readFileSync('pipelines/transforms/created_user.jsonata', 'utf8'))
  const file = join(dir, 'users.yaml')
  writeFileSync(file, readFileSync('pipelines/users.yaml', 'utf8')
    .replace(/\.\.\/schemas\//g, `${resolve('schemas')}/`)
    .replace('transforms/created_user.jsonata', transform)
    .replace('port: 5000', `port: ${port}`))
  const graph = load(file).graph
  assert.ok(graph, JSON.stringify(load(file).diagnostics))
  return { dir, file, transform, graph: graph! }
}

const change = (c: Partial<Change>): Change => ({ kind: 'kafka_topic', name: 't', action: 'unchanged', destructive: false, breaking: false, details: [], steps: [], live: null, files: [], ...c })
const plan = (...changes: Change[]): Plan => ({ changes, summary: summarise(changes), hash: planHash(changes) })

test('referenced files: the pipeline, its transform and its schemas', () => {
  const c = copy()
  try {
    const files = referencedFiles(c.file, c.graph.spec)
    assert.ok(files.includes(resolve(c.file)))
    assert.ok(files.includes(c.transform))
    assert.ok(files.includes(resolve('schemas/randomuser_user.avsc')), files.join(', '))
    assert.ok(files.includes(resolve('schemas/created_user.avsc')), files.join(', '))
  } finally {
    rmSync(c.dir, { recursive: true, force: true })
  }
})

test('unchanged / invalid (located) / refused / reload', async () => {
  const c = copy()
  try {
    const files = referencedFiles(c.file, c.graph.spec)
    const base = { file: c.file, current: c.graph, currentFingerprint: fingerprint(files), currentFiles: files, load }
    let planned = 0
    const planOf = (p: Plan) => async () => { planned++; return p }

    assert.is((await decideReload({ ...base, plan: planOf(plan()) })).kind, 'unchanged')
    assert.is(planned, 0, 'an unchanged file is not planned')

    writeFileSync(c.transform, '{ "id": login.uuid, "first_name": $uppercase(name.first ')
    const bad = await decideReload({ ...base, plan: planOf(plan()) })
    assert.is(bad.kind, 'invalid')
    const lines = describeDecision(c.file, bad).join('\n')
    assert.match(lines, /reload refused: .* has errors; the running version continues/)
    assert.match(lines, new RegExp(`created_user\\.jsonata:1:\\d+`), lines)
    assert.is(planned, 0, 'an invalid file is not planned')

    writeFileSync(c.transform, readFileSync('pipelines/transforms/created_user.jsonata', 'utf8').replace('"first_name": name.first', '"first_name": $uppercase(name.first)'))
    const ok = await decideReload({ ...base, plan: planOf(plan(change({}))) }) as Extract<ReloadDecision, { kind: 'reload' }>
    assert.is(ok.kind, 'reload')
    assert.is(ok.apply, false, 'no resource change: nothing to apply')
    assert.match(ok.graph.spec.stages.store!.transform!.expr, '$uppercase(name.first)')
    assert.is.not(ok.fingerprint, base.currentFingerprint)

    const created = await decideReload({ ...base, plan: planOf(plan(change({ action: 'create' }))) })
    assert.is(created.kind, 'reload')
    assert.ok((created as { apply: boolean }).apply)

    const embedded = await decideReload({ ...base })
    assert.is(embedded.kind, 'reload', 'no servers: valid is enough')

    for (const [p, why] of [
      [plan(change({ kind: 'cassandra_table', name: 'created_users', action: 'replace', destructive: true })), /destructive change \(cassandra_table created_users\)/],
      [plan(change({ action: 'update', destructive: true })), /destructive change/],
      [plan(change({ action: 'impossible' })), /impossible change \(kafka_topic t\)/],
      [plan(change({ kind: 'registry_subject', name: 's', action: 'update', breaking: true, verdict: { compatible: false, level: 'FULL', messages: [], breakingFields: ['email: removed'] } })), /incompatible schema \(registry_subject s: email: removed\)/],
    ] as const) {
      const d = await decideReload({ ...base, plan: planOf(p) })
      assert.is(d.kind, 'refused')
      assert.match((d as { reason: string }).reason, why)
      assert.match(describeDecision(c.file, d).join('\n'), /Plan: /, 'the plan is printed')
    }
    assert.is(planRefusal(plan(change({ action: 'create' }), change({ action: 'update' }))), undefined)

    assert.equal(changedStages(c.graph.spec, ok.graph.spec), ['store'], 'a transform edit changes one stage')
    assert.equal(changedStages(c.graph.spec, c.graph.spec), [])
    writeFileSync(c.file, readFileSync(c.file, 'utf8').replace('timeout: 10s', 'timeout: 11s'))
    assert.is(changedStages(c.graph.spec, load(c.file).graph!.spec), undefined, 'a source edit restarts every stage')

    writeFileSync(c.file, readFileSync(c.file, 'utf8').replace(/^pipeline: users$/m, 'pipeline: users2'))
    const renamed = await decideReload({ ...base, plan: planOf(plan()) })
    assert.is(renamed.kind, 'refused')
    assert.match((renamed as { reason: string }).reason, 'renamed')
  } finally {
    rmSync(c.dir, { recursive: true, force: true })
  }
})

test('FileWatch: one call per burst of writes, only for watched names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-watch-'))
  try {
    const a = join(dir, 'a.yaml')
    writeFileSync(a, '1')
    writeFileSync(join(dir, 'other'), '1')
    let calls = 0
    const w = new FileWatch(() => calls++, 100)
    w.set([a])
    await wait(50)
    writeFileSync(join(dir, 'other'), '2')
    await wait(250)
    assert.is(calls, 0, 'an unwatched file in the same folder')
    for (let i = 0; i < 5; i++) { writeFileSync(a, String(i)); await wait(10) }
    await wait(300)
    assert.is(calls, 1)
    w.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

test('embedded: a transform edit under a running stream takes effect, every user stored once; an invalid edit changes nothing', async () => {
  const c = copy(await freePort())
  const port = (c.graph.spec.sources.api as any).http_server?.port ?? Number(/port: (\d+)/.exec(readFileSync(c.file, 'utf8'))![1])
  const backend = new MemoryBackend({ pipeline: 'users' })
  const ac = new AbortController()
  const logs: string[] = []
  const decisions: ReloadDecision[] = []
  const run = runWatched(c.graph as TaskGraph, backend, { signal: ac.signal, progressMs: 0, graceMs: 5000, offline: true }, {
    file: c.file, load, log: (l) => logs.push(l), debounceMs: 100, onDecision: (d) => decisions.push(d),
  })
  const posted: any[] = []
  let posting = true
  const poster = (async () => {
    for (let i = 0; posting; i++) {
      const u: any = generateUser(11, i)
      for (;;) { // a client retries until the API accepts (it is briefly closed during a restart)
        const ok = await fetch(`http://127.0.0.1:${port}/api/data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(u) })
          .then((r) => r.status === 202, () => false)
        if (ok) break
        await wait(20)
      }
      posted.push(u)
      await wait(5)
    }
  })()
  const rows = () => backend.tables.get('created_users')?.rows ?? new Map()
  let storedBefore = new Set<unknown>()
  let afterReload = Infinity
  try {
    for (let i = 0; i < 500 && rows().size < 10; i++) await wait(20)
    storedBefore = new Set([...rows().keys()].map((k) => rows().get(k)!.id))
    assert.ok(storedBefore.size >= 10, `${storedBefore.size} stored of ${posted.length} posted\n${logs.join("\n")}`)
    writeFileSync(c.transform, readFileSync(c.transform, 'utf8').replace('"first_name": name.first', '"first_name": $uppercase(name.first)'))
    for (let i = 0; i < 300 && !logs.some((l) => l.startsWith('reload: stage(s) store restarted')); i++) await wait(20)
    assert.ok(logs.some((l) => l.startsWith('reload: stage(s) store restarted')), logs.join('\n'))
    afterReload = posted.length
    for (let i = 0; i < 500 && posted.length < afterReload + 10; i++) await wait(20)

    // a source edit: every stage restarts (the API closes for a moment; the client retries)
    writeFileSync(c.file, readFileSync(c.file, 'utf8').replace('timeout: 10s', 'timeout: 11s'))
    for (let i = 0; i < 300 && !logs.some((l) => l.startsWith('reload: the new version starts')); i++) await wait(20)
    assert.ok(logs.some((l) => l.startsWith('reload: the new version starts')), logs.join('\n'))
    const afterFull = posted.length
    for (let i = 0; i < 500 && posted.length < afterFull + 10; i++) await wait(20)

    writeFileSync(c.transform, '{ "id": login.uuid, ') // invalid
    for (let i = 0; i < 200 && !decisions.some((d) => d.kind === 'invalid'); i++) await wait(20)
    assert.ok(decisions.some((d) => d.kind === 'invalid'), logs.join('\n'))
    assert.match(logs.join('\n'), /created_user\.jsonata:\d+:\d+/)
    const afterInvalid = posted.length
    for (let i = 0; i < 500 && posted.length < afterInvalid + 10; i++) await wait(20)
    assert.ok(posted.length >= afterInvalid + 10, 'the API still accepts users after the invalid edit')
    posting = false
    await poster
    for (let i = 0; i < 200 && rows().size < posted.length; i++) await wait(20)
  } finally {
    posting = false
    ac.abort()
  }
  const summary = await run
  try {
    assert.is(decisions.filter((d) => d.kind === 'reload').length, 2, logs.join('\n'))
    assert.is(rows().size, posted.length, 'every posted user stored')
    assert.is(summary.recordsStored, posted.length, 'and stored once (no record written twice across the restart)')
    const byId = new Map([...rows().values()].map((r: any) => [r.id, r]))
    for (const [i, u] of posted.entries()) {
      const row = byId.get(u.login.uuid)
      assert.ok(row, `user ${i} missing`)
      if (i >= afterReload) assert.is(row.first_name, u.name.first.toUpperCase(), 'later users have the new value (and the invalid edit kept it)')
      if (storedBefore.has(u.login.uuid)) assert.is(row.first_name, u.name.first, 'users stored before the edit kept the old value')
    }
  } finally {
    rmSync(c.dir, { recursive: true, force: true })
  }
})

test.run()
