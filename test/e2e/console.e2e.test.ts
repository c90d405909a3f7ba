/**
 * The web console in a real browser (Debian's headless Chromium driven by playwright-core) against
 * `rtds run` on the real servers: a unique copy of users.yaml whose transform fails users with an
 * email at fail.example. The page loads without console errors; the graph shows every node; a user
 * POSTed to the ingestion API moves the store stage's counter on the page; a user failing the
 * transform appears in the dead-letter list with reason `transform` and its password masked;
 * "Run now" starts a manual run of the @daily randomuser source; cross-origin and token-less POSTs
 * are refused. Screenshots go to test/artifacts/ (gitignored).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromium, type Browser } from 'playwright-core'
import { applyLiveCopy, freePort, randomUser, root, servePages, startRtds, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > console')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = join(root, 'test/artifacts')
let live: LiveCopy | undefined
let transformFile = ''
let goodTransform = ''
let browser: Browser | undefined

test.before(async () => {
  live = await applyLiveCopy({ every: '50ms' })
  const good = (goodTransform = readFileSync(join(root, 'pipelines/transforms/created_user.jsonata'), 'utf8'))
  transformFile = join(live.copy.dir, 'created_user.jsonata')
  const broken = good.replace(/"email":\s*email/, '"email": $contains(email, "@fail.example") ? $error("transform refuses fail.example") : email')
  assert.ok(broken !== good, 'transform broken for fail.example')
  writeFileSync(transformFile, broken)
  writeFileSync(live.copy.file, readFileSync(live.copy.file, 'utf8').replace(join(root, 'pipelines/transforms/created_user.jsonata'), transformFile))
  mkdirSync(ARTIFACTS, { recursive: true })
})
test.after(async () => {
  await browser?.close().catch(() => {})
  await live?.close()
})

async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined && v !== null && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

test('the console: graph, live counters, a dead letter masked, run now, refused POSTs', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`)
  const { copy, pool } = live!
  // what "Run now" pulls: a user without email, with login secrets (dead-lettered at ingest, masked)
  const pulled: Record<string, any> = randomUser(7000, copy.tag)
  delete pulled.email
  pulled.login = { ...pulled.login, password: `pw-Pulled-${copy.tag}`, md5: `md5-${copy.tag}` }
  const pages = await servePages([pulled])
  const adminPort = await freePort()
  const admin = `http://127.0.0.1:${adminPort}`
  const runner = startRtds(['run', copy.file, '--progress', '0', '--run-for', '0', '--admin', `127.0.0.1:${adminPort}`], { RANDOMUSER_URL: pages.url })
  const api = `http://127.0.0.1:${copy.apiPort}/api/data`
  const post = (body: unknown) => fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  try {
    await waitFor(async () => (await fetch(`${admin}/healthz`)).ok, 60_000, `the admin endpoint (${runner.output()})`)
    const first = randomUser(7001, copy.tag)
    assert.is((await waitFor(() => post(first), 60_000, `the API (${runner.output()})`)).status, 202)

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } })
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    await page.goto(admin + '/', { waitUntil: 'load' })

    // every node of the graph is drawn
    const graph = (await (await fetch(`${admin}/api/graph`)).json()) as { pipelines: { pipeline: string; nodes: { id: string }[] }[] }
    const ids = graph.pipelines.find((p) => p.pipeline === copy.pipeline)!.nodes.map((n) => n.id)
    assert.equal(ids.filter((i) => i.startsWith('stage:')).sort(), ['stage:ingest', 'stage:publish', 'stage:store'])
    for (const id of ids) await page.waitForSelector(`[data-node="${id}"]`, { timeout: 10_000 })

    // the first user reaches the store stage: its counter on the page moves
    const storeText = () => page.locator('[data-node="stage:store"]').textContent()
    const sentOnPage = async () => Number(/([\d,]+) out ·/.exec((await storeText()) ?? '')?.[1]?.replace(/,/g, '') ?? NaN)
    const before = await waitFor(async () => ((await sentOnPage()) >= 1 ? sentOnPage() : undefined), 60_000, 'the first user stored, shown on the page')
    const second = randomUser(7002, copy.tag)
    assert.is((await post(second)).status, 202)
    await waitFor(async () => ((await sentOnPage()) === before + 1 ? true : undefined), 60_000, 'the store counter on the page to move by one')
    await page.screenshot({ path: join(ARTIFACTS, 'console-graph.png'), fullPage: true })

    // a user failing the transform: in the dead-letter list, reason transform, no password visible
    const failing: Record<string, any> = { ...randomUser(7003, copy.tag), email: `x${copy.tag}@fail.example` }
    failing.login = { ...failing.login, password: `pw-Console-${copy.tag}`, salt: `salt-${copy.tag}`, sha256: `sha-${copy.tag}` }
    assert.is((await post(failing)).status, 202)
    const row = page.locator('#dlq tbody tr', { hasText: failing.login.uuid })
    await row.first().waitFor({ timeout: 60_000 })
    assert.is((await row.first().locator('td.reason').textContent())?.trim(), 'transform')
    assert.match((await row.first().textContent()) ?? '', /transform refuses fail\.example/)
    const html = await page.content()
    for (const secret of [failing.login.password, failing.login.salt, failing.login.sha256]) assert.not.ok(html.includes(secret), `${secret} visible on the page`)
    // the store node turns amber (a dead letter in the last minute)
    await page.waitForSelector('[data-node="stage:store"][data-health="warn"]', { timeout: 10_000 })
    await page.screenshot({ path: join(ARTIFACTS, 'console-dlq.png'), fullPage: true })

    // mutating POSTs: cross-origin refused; same-origin from the page accepted (run now)
    const evil = await fetch(`${admin}/api/runs/trigger`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ source: 'randomuser' }) })
    assert.is(evil.status, 403)
    const site = await fetch(`${admin}/api/dlq/replay`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: JSON.stringify({ all: true }) })
    assert.is(site.status, 403)
    const form = await fetch(`${admin}/api/runs/trigger`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ source: 'randomuser' }) })
    assert.is(form.status, 415)
    await page.locator('button[data-source="randomuser"]').click({ timeout: 15_000 })
    await waitFor(async () => {
      const r = await pool.query(`SELECT status FROM rtds.runs WHERE pipeline = $1 AND trigger = 'manual' AND finished_at IS NOT NULL`, [copy.pipeline])
      return r.rowCount ? r.rows[0].status : undefined
    }, 60_000, 'the manual run in rtds.runs')
    await page.locator('#runs tbody tr', { hasText: 'manual' }).first().waitFor({ timeout: 15_000 })
    // the pulled user failed validation at ingest: listed with its secrets masked
    const invalid = page.locator('#dlq tbody tr', { hasText: pulled.login.uuid })
    await invalid.first().waitFor({ timeout: 30_000 })
    assert.is((await invalid.first().locator('td.reason').textContent())?.trim(), 'validation')
    const shown = JSON.parse((await invalid.first().locator('pre.value').textContent()) ?? '{}')
    assert.is(shown.login.password, '***')
    assert.is(shown.login.md5, '***')
    const after = await page.content()
    for (const secret of [pulled.login.password, pulled.login.md5, failing.login.password]) assert.not.ok(after.includes(secret), `${secret} visible on the page`)
    await page.screenshot({ path: join(ARTIFACTS, 'console-runs.png'), fullPage: true })

    // replay from the page: after the transform is fixed the failed user lands in Cassandra; the
    // invalid one fails again and comes back with replays 1
    writeFileSync(transformFile, goodTransform)
    await row.first().locator('button', { hasText: 'Replay' }).click()
    await page.locator('#dlq-msg', { hasText: 'replayed 1 of 1: 1 written, 0 dead-lettered again' }).waitFor({ timeout: 30_000 })
    const stored = await live!.cass.execute(`SELECT id FROM "${copy.keyspace}".created_users WHERE id = ?`, [failing.login.uuid], { prepare: true })
    assert.is(stored.rowLength, 1, 'the replayed user is stored')
    await invalid.first().locator('input[type=checkbox]').check()
    await page.locator('#replay-selected').click()
    await page.locator('#dlq-msg', { hasText: 'replayed 1 of 1: 0 written, 1 dead-lettered again' }).waitFor({ timeout: 30_000 })
    await page.locator('#dlq tbody tr', { hasText: pulled.login.uuid }).filter({ has: page.locator('td:nth-child(7)', { hasText: /^1$/ }) }).first().waitFor({ timeout: 15_000 })
    await page.screenshot({ path: join(ARTIFACTS, 'console-replay.png'), fullPage: true })
    assert.equal(problems, [], 'no console errors')
  } finally {
    runner.child.kill('SIGTERM')
    await runner.done
    await pages.close()
  }
})

test.run()
