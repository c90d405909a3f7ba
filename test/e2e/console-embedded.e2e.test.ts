/**
 * The web console of an embedded run (no services) in headless Chromium: the page loads without
 * console errors, "Run now" starts the @daily source and the graph's stage counters move as the
 * generated users flow, and the parts that need servers (dead letters, registry, tables) say they
 * are not available instead of failing.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromium } from 'playwright-core'
import { freePort, root, startRtds } from './e2e-support.js'

const test = suite('e2e > console (embedded)')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

test('embedded run: no console errors, run now moves the counters, server parts marked unavailable', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`)
  mkdirSync(join(root, 'test/artifacts'), { recursive: true })
  const port = await freePort()
  const admin = `http://127.0.0.1:${port}`
  const runner = startRtds(['run', 'pipelines/users.yaml', '--embedded', '--run-for', '1s', '--progress', '0', '--admin', `127.0.0.1:${port}`], { RANDOMUSER_URL: 'http://127.0.0.1:1/' })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  try {
    for (let i = 0; i < 240; i++) {
      if (await fetch(`${admin}/healthz`).then((r) => r.ok, () => false)) break
      await new Promise((r) => setTimeout(r, 250))
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } })
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    await page.goto(admin + '/')
    for (const stage of ['ingest', 'publish', 'store']) await page.waitForSelector(`[data-node="stage:${stage}"]`, { timeout: 10_000 })
    // @daily: nothing flows until "Run now"
    await page.locator('button[data-source="randomuser"]').click({ timeout: 15_000 })
    await page.waitForFunction(() => /[1-9][\d,]* out ·/.test(document.querySelector('[data-node="stage:store"]')?.textContent ?? ''), undefined, { timeout: 30_000 })
    await page.locator('#dlq-count', { hasText: 'embedded mode' }).waitFor({ timeout: 15_000 })
    await page.locator('#servers', { hasText: 'embedded mode' }).waitFor({ timeout: 20_000 })
    await page.screenshot({ path: join(root, 'test/artifacts/console-embedded.png'), fullPage: true })
    assert.equal(problems, [], 'no console errors')
  } finally {
    await browser.close()
    runner.child.kill('SIGTERM')
    await runner.done
  }
})

test.run()
