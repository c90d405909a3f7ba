import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { SourceBatch, StreamRecord } from '../../core/stream.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { ConnectionError } from '../../core/errors.js'
import type { PullSource } from '../../core/pull-source.js'
import { fireTimes } from './schedule.js'
import { scheduledSource } from './scheduled-source.js'
import { ScheduleTriggers } from './triggers.js'

const test = suite('runner > scheduler')
const iso = (d: Date | null) => d?.toISOString()

test('cron in Europe/Berlin across spring-forward: 02:30 (skipped wall time) runs once, at 03:00 CEST', () => {
  const t = fireTimes({ cron: '30 2 * * *', timezone: 'Europe/Berlin' })
  const a = t.next(new Date('2026-03-28T12:00:00Z'))
  assert.is(iso(a), '2026-03-29T01:00:00.000Z') // 03:00 CEST: the first valid instant after the gap
  const b = t.next(a!)
  assert.is(iso(b), '2026-03-30T00:30:00.000Z') // back to 02:30 CEST
})

test('cron in Europe/Berlin across fall-back: 02:30 (repeated wall time) runs once', () => {
  const t = fireTimes({ cron: '30 2 * * *', timezone: 'Europe/Berlin' })
  const a = t.next(new Date('2026-10-24T12:00:00Z'))
  assert.is(iso(a), '2026-10-25T00:30:00.000Z') // first 02:30 (CEST)
  const b = t.next(a!)
  assert.is(iso(b), '2026-10-26T01:30:00.000Z', 'not again at 02:30 CET on the same day')
})

test('@daily follows local midnight (23 h and 25 h days); hourly has no duplicate or gap at fall-back', () => {
  const d = fireTimes({ cron: '@daily', timezone: 'Europe/Berlin' })
  const m1 = d.next(new Date('2026-03-28T12:00:00Z'))!
  const m2 = d.next(m1)!
  assert.is(iso(m1), '2026-03-28T23:00:00.000Z')
  assert.is((m2.getTime() - m1.getTime()) / 3600_000, 23)
  const h = fireTimes({ cron: '0 * * * *', timezone: 'Europe/Berlin' })
  let at = new Date('2026-10-24T22:30:00Z')
  const fires: string[] = []
  for (let i = 0; i < 5; i++) fires.push(iso((at = h.next(at)!))!)
  assert.equal(fires, ['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z'])
})

test('interval schedule and bad cron', () => {
  assert.is(iso(fireTimes({ interval: 5000 }).next(new Date('2026-01-01T00:00:00Z'))), '2026-01-01T00:00:05.000Z')
  assert.throws(() => fireTimes({ cron: 'not a cron' }), /invalid cron expression/)
})

function counter(name = 'p'): PullSource & { pulls: number } {
  const s = {
    name, describe: 'test', pulls: 0,
    async pull(): Promise<readonly StreamRecord[]> { s.pulls++; return [{ key: null, value: { n: s.pulls }, origin: `test pull=${s.pulls}` }] },
    async close() {},
  }
  return s
}

test('once: one run now honouring runFor with `every` between pulls; recorded in the run history', async () => {
  const backend = new MemoryBackend({ pipeline: 'p' })
  const src = counter()
  // the window is measured on a clock that advances 100 ms per pull: 3 pulls whatever the machine's load
  let clock = 0
  const pull = src.pull.bind(src)
  src.pull = async (signal) => { const r = await pull(signal); clock += 100; return r }
  const source = scheduledSource(src, { cron: '@daily', runFor: 250, every: 100 }, { pipeline: 'p', once: true, history: backend.runHistory(), now: () => clock })
  const batches: SourceBatch[] = []
  const t0 = Date.now()
  await source.run(async (b) => { batches.push(b); (b as any).deadLettered?.(b === batches[0] ? 1 : 0); await b.ack() }, new AbortController().signal)
  assert.is(src.pulls, 3) // t=0, 100, 200
  assert.ok(Date.now() - t0 >= 150, 'it paused `every` between pulls (100 + 50 ms, the rest of the window)')
  assert.is(backend.runs.length, 1)
  assert.is(backend.runs[0].trigger, 'once')
  assert.equal(backend.runs[0].outcome, { status: 'succeeded', records: 3, deadLettered: 1 })
})

test('a page larger than batchSize is emitted in pieces; the run counts the whole page and succeeds once every piece is acked', async () => {
  const backend = new MemoryBackend({ pipeline: 'p' })
  const page: StreamRecord[] = Array.from({ length: 25 }, (_, i) => ({ key: null, value: { i }, origin: `test i=${i}` }))
  const src: PullSource = { name: 'big', describe: 'test', pull: async () => page, close: async () => {} }
  const source = scheduledSource(src, undefined, { pipeline: 'p', once: true, history: backend.runHistory(), batchSize: 10 })
  const sizes: number[] = []
  const held: SourceBatch[] = []
  const running = source.run(async (b) => { sizes.push(b.records.length); held.push(b) }, new AbortController().signal)
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(sizes, [10, 10, 5])
  assert.equal(held.flatMap((b) => b.records.map((r) => (r.value as { i: number }).i)), page.map((_, i) => i), 'in order, each record once')
  assert.is(page.length, 25, 'the pulled page itself is left as it was')
  assert.is(backend.runs[0]?.outcome, undefined, 'the run is not finished while pieces are unacked')
  for (const b of held) await b.ack()
  await running
  assert.equal(backend.runs[0].outcome, { status: 'succeeded', records: 25, deadLettered: 0 })
})

test('interval schedule: runs repeatedly until aborted; a failed pull is recorded and the schedule goes on', async () => {
  const backend = new MemoryBackend({ pipeline: 'p' })
  let n = 0
  const flaky: PullSource = {
    name: 'f', describe: 't',
    async pull() { if (++n === 2) throw new ConnectionError('down'); return [{ key: null, value: n, origin: 'o' }] },
    async close() {},
  }
  const ac = new AbortController()
  const source = scheduledSource(flaky, { interval: 40 }, { pipeline: 'p', once: false, history: backend.runHistory() })
  const run = source.run(async (b) => b.ack(), ac.signal)
  await new Promise((r) => setTimeout(r, 150))
  ac.abort()
  await run
  assert.ok(n >= 3, `pulls ${n}`)
  assert.equal(backend.runs[1].outcome?.status, 'failed')
  assert.match(backend.runs[1].outcome?.error ?? '', 'down')
  assert.is(backend.runs[0].outcome?.status, 'succeeded')
  assert.ok(backend.runs.every((r) => r.trigger === 'schedule'))
})

test('run now: a @daily source runs at once (trigger manual) and waits for its schedule again; unregistered when stopped', async () => {
  const backend = new MemoryBackend({ pipeline: 'p' })
  const src = counter('daily')
  const triggers = new ScheduleTriggers()
  const ac = new AbortController()
  const source = scheduledSource(src, { cron: '@daily' }, { pipeline: 'p', once: false, history: backend.runHistory(), triggers })
  const run = source.run(async (b) => b.ack(), ac.signal)
  await new Promise((r) => setTimeout(r, 50))
  assert.is(src.pulls, 0, 'not before midnight')
  assert.equal(triggers.sources(), ['daily'])
  assert.ok(triggers.trigger('daily'))
  assert.not.ok(triggers.trigger('other'))
  for (let i = 0; i < 100 && backend.runs[0]?.outcome === undefined; i++) await new Promise((r) => setTimeout(r, 10))
  assert.is(src.pulls, 1)
  assert.is(backend.runs[0].trigger, 'manual')
  assert.is(backend.runs[0].outcome?.status, 'succeeded')
  await new Promise((r) => setTimeout(r, 50))
  assert.is(src.pulls, 1, 'back to waiting for the schedule')
  ac.abort()
  await run
  assert.equal(triggers.sources(), [])
})

test('a nacked batch marks the run failed', async () => {
  const backend = new MemoryBackend({ pipeline: 'p' })
  const source = scheduledSource(counter(), undefined, { pipeline: 'p', once: true, history: backend.runHistory() })
  await source.run(async (b) => b.nack(new ConnectionError('staging down')), new AbortController().signal)
  assert.is(backend.runs[0].outcome?.status, 'failed')
})

test.run()
