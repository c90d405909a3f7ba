import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { DeadLetterSink, RecordFailure, Sink, Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { StageSpec } from '../../dsl/spec.js'
import { ConnectionError, RecordError, RtdsError } from '../../core/errors.js'
import type { Prepared } from './record-steps.js'
import { deadLetterFailed, newStageStats, prepareGroup, readGroup, runStage, settleGroup, writeTargets, type StageRunOptions } from './stage-runner.js'
import { BoundedQueue } from './bounded-queue.js'
import type { RtdsEvent } from '../../core/events.js'
import { EventBus } from '../../core/events.js'
import { logEvents } from './event-log.js'

const pos = { file: 't.yaml', line: 1, col: 1 }
const stageSpec = (over: Partial<StageSpec> = {}): StageSpec => ({ name: 's', pos, from: ['src'], to: ['out'], parallelism: 1, batch: { size: 10, timeout: 5 }, ...over })
const rec = (i: number): StreamRecord => ({ key: `k${i}`, value: { i }, origin: `test index=${i}` })
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A source emitting `n` batches of `size`, logging emits/acks/nacks with a shared event log. */
function fakeSource(n: number, size: number, events: string[]) {
  const state = { emitted: 0, acked: 0, nacked: 0, maxOutstanding: 0 }
  const source: Source = {
    name: 'src',
    async run(emit, signal) {
      for (let b = 0; b < n && !signal.aborted; b++) {
        const records = Array.from({ length: size }, (_, i) => rec(b * size + i))
        const batch: SourceBatch = {
          records,
          ack: async () => { state.acked++; events.push(`ack ${b}`) },
          nack: async () => { state.nacked++; events.push(`nack ${b}`) },
        }
        state.emitted++
        state.maxOutstanding = Math.max(state.maxOutstanding, state.emitted - state.acked - state.nacked)
        await emit(batch)
      }
    },
    async close() {},
  }
  return { source, state }
}

function memorySink(opts: { delayMs?: number; failTimes?: number; fatal?: boolean; events?: string[] } = {}) {
  const written: StreamRecord[] = []
  let calls = 0
  const sink: Sink = {
    name: 'out',
    async write(records): Promise<readonly RecordFailure[]> {
      calls++
      if (opts.delayMs) await wait(opts.delayMs)
      if (opts.fatal) throw new RtdsError('table does not exist')
      if (opts.failTimes && calls <= opts.failTimes) throw new ConnectionError('server down')
      written.push(...records)
      opts.events?.push(`write ${records.length}`)
      return []
    },
    async close() {},
  }
  return { sink, written, calls: () => calls }
}

function dlqSink() {
  const sent: { topic: string; record: StreamRecord; stage: string; error: Error }[] = []
  const dlq: DeadLetterSink = { async send(topic, record, info) { sent.push({ topic, record, ...info }) }, async close() {} }
  return { dlq, sent }
}

function options(over: Partial<StageRunOptions> & Pick<StageRunOptions, 'inputs' | 'sinks'>): StageRunOptions {
  return {
    stage: stageSpec(),
    prepare: async (r): Promise<Prepared> => ({ outputs: [r] }),
    dlq: dlqSink().dlq,
    dlqTopic: 't.dlq',
    stats: newStageStats(),
    stop: new AbortController().signal,
    kill: new AbortController().signal,
    events: new EventBus(),
    ...over,
  }
}

const test = suite('runner > engine > stage-runner')

test('back-pressure: a slow sink bounds the queue and the batches in flight', async () => {
  const { source, state } = fakeSource(40, 10, [])
  const { sink, written } = memorySink({ delayMs: 5 })
  const stats = newStageStats()
  await runStage(options({ inputs: [source], sinks: [sink], stats, stage: stageSpec({ parallelism: 2 }), queueCapacity: 3 }))
  assert.is(written.length, 400)
  assert.is(state.acked, 40)
  assert.ok(stats.queueHighWater <= 3, `queue high water ${stats.queueHighWater}`)
  // queue (3) + one group per worker (2 workers; a group is up to batch.size records = 1 batch here) + the one being pushed
  assert.ok(state.maxOutstanding <= 3 + 2 + 1, `outstanding ${state.maxOutstanding}`)
})

test('a flaky sink is retried with backoff; the batch is acked once, after the write', async () => {
  const events: string[] = []
  const { source, state } = fakeSource(1, 5, events)
  const { sink, written, calls } = memorySink({ failTimes: 2, events })
  const stats = newStageStats()
  await runStage(options({ inputs: [source], sinks: [sink], stats }))
  assert.is(calls(), 3)
  assert.is(stats.retries, 2)
  assert.is(written.length, 5)
  assert.is(state.acked, 1)
  assert.equal(events, ['write 5', 'ack 0'])
})

test('ack only after write: nothing is acked while the write is pending', async () => {
  const events: string[] = []
  const { source, state } = fakeSource(2, 10, events)
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const sink: Sink = { name: 'out', async write(records) { await gate; events.push(`write ${records.length}`); return [] }, async close() {} }
  const run = runStage(options({ inputs: [source], sinks: [sink], stage: stageSpec({ batch: { size: 100, timeout: 20 } }) }))
  await wait(60)
  assert.is(state.acked, 0)
  release()
  await run
  assert.equal(events, ['write 20', 'ack 0', 'ack 1'])
})

test('no window: groups are written one after another in read order while earlier ones are still being acked (at most 4)', async () => {
  const writes: number[] = []
  let acksDone = 0
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const source: Source = {
    name: 'src',
    async run(emit) {
      for (let b = 0; b < 8; b++)
        await emit({ records: Array.from({ length: 10 }, (_, i) => rec(b * 10 + i)), ack: async () => { await gate; acksDone++ }, nack: async () => {} })
    },
    async close() {},
  }
  const sink: Sink = { name: 'out', async write(records) { writes.push((records[0].value as { i: number }).i / 10); return [] }, async close() {} }
  const run = runStage(options({ inputs: [source], sinks: [sink] }))
  await wait(50)
  assert.equal(writes, [0, 1, 2, 3, 4], 'the next groups were written while the acks waited, up to 4 settling')
  assert.is(acksDone, 0)
  release()
  await run
  assert.equal(writes, [0, 1, 2, 3, 4, 5, 6, 7], 'every group written once, in read order')
  assert.is(acksDone, 8)
})

test('a non-retriable sink error nacks the batch (never acked with records missing)', async () => {
  const { source, state } = fakeSource(2, 3, [])
  const { sink } = memorySink({ fatal: true })
  const stats = newStageStats()
  await runStage(options({ inputs: [source], sinks: [sink], stats, stage: stageSpec({ batch: { size: 3, timeout: 1 } }) }))
  assert.is(state.acked, 0)
  assert.is(state.nacked, 2)
  assert.is(stats.nacked, 2)
  assert.match(stats.errors[0], 'table does not exist')
})

test('per-record failures (prepare and sink) are dead-lettered; the rest is written and the batch acked', async () => {
  const { source, state } = fakeSource(1, 6, [])
  const { dlq, sent } = dlqSink()
  const written: StreamRecord[] = []
  const sink: Sink = {
    name: 'out',
    async write(records) {
      const bad = records.filter((r) => (r.value as any).i === 5)
      written.push(...records.filter((r) => !bad.includes(r)))
      return bad.map((record) => ({ record, error: new RecordError('encode', 'does not fit') }))
    },
    async close() {},
  }
  const stats = newStageStats()
  const prepare = async (r: StreamRecord): Promise<Prepared> =>
    (r.value as any).i === 2 ? { error: new RecordError('transform', 'transform of stage s failed: D1012: Evaluation timeout') } : { outputs: [r] }
  await runStage(options({ inputs: [source], sinks: [sink], dlq, prepare, stats }))
  assert.is(written.length, 4)
  assert.equal(sent.map((s) => [s.topic, (s.record.value as any).i, (s.error as RecordError).reason]), [['t.dlq', 2, 'transform'], ['t.dlq', 5, 'encode']])
  assert.is(sent[0].stage, 's')
  assert.is(sent[0].record.origin, 'test index=2')
  assert.is(stats.dlq, 2)
  assert.is(stats.out, 4)
  assert.is(state.acked, 1)
})

test('graceful stop: inputs stop, in-flight batches complete and are acked', async () => {
  const stop = new AbortController()
  const { source, state } = fakeSource(1000, 10, [])
  const { sink, written } = memorySink({ delayMs: 10 })
  const run = runStage(options({ inputs: [source], sinks: [sink], stop: stop.signal }))
  await wait(50)
  stop.abort()
  await run
  assert.ok(state.emitted < 1000)
  assert.is(state.nacked, 0)
  assert.is(state.acked, state.emitted, 'every batch taken was completed')
  assert.is(written.length, state.acked * 10)
})

test('grace period over: a write that cannot complete is nacked, queued batches too', async () => {
  const stop = new AbortController()
  const kill = new AbortController()
  const { source, state } = fakeSource(5, 10, [])
  const { sink } = memorySink({ failTimes: 1_000_000 }) // server down for good
  const run = runStage(options({ inputs: [source], sinks: [sink], stop: stop.signal, kill: kill.signal, stage: stageSpec({ batch: { size: 10, timeout: 1 } }) }))
  await wait(50)
  stop.abort()
  kill.abort()
  await run
  assert.is(state.acked, 0)
  assert.is(state.nacked, state.emitted)
})

test('streaming: an input failing with a retriable error is restarted after a backoff; a fatal one is recorded', async () => {
  let runs = 0
  const acked: number[] = []
  const flaky: Source = {
    name: 'kafka',
    async run(emit) {
      if (++runs === 1) throw new ConnectionError('broker down')
      await emit({ records: [rec(1)], ack: async () => { acked.push(1) }, nack: async () => {} })
    },
    async close() {},
  }
  const { sink, written } = memorySink()
  const stats = newStageStats()
  await runStage(options({ inputs: [flaky], sinks: [sink], stats, restartInputs: true }))
  assert.is(runs, 2)
  assert.is(written.length, 1)
  assert.equal(acked, [1])
  assert.is(stats.errors.length, 0)
  const fatal: Source = { name: 'x', async run() { throw new RtdsError('bad config') }, async close() {} }
  const stats2 = newStageStats()
  await runStage(options({ inputs: [fatal], sinks: [sink], stats: stats2, restartInputs: true }))
  assert.match(stats2.errors[0], 'input x: bad config')
})

test('--once: an input failing with a retriable error at start (broker just started) is retried; one failing after it emitted is recorded', async () => {
  let runs = 0
  const starting: Source = {
    name: 'kafka',
    async run(emit) {
      // a just-started broker: the group coordinator is still loading for the first two attempts
      if (++runs <= 2) throw new ConnectionError('This is not the correct coordinator for this group')
      await emit({ records: [rec(1), rec(2)], ack: async () => {}, nack: async () => {} })
    },
    async close() {},
  }
  const { sink, written } = memorySink()
  const stats = newStageStats()
  const lines: string[] = []
  const events = new EventBus()
  logEvents(events, (l) => lines.push(l))
  await runStage(options({ inputs: [starting], sinks: [sink], stats, restartInputs: false, events }))
  assert.is(runs, 3)
  assert.is(written.length, 2)
  assert.equal(stats.errors, [])
  assert.is(stats.retries, 2)
  assert.match(lines[0], /input kafka failed at start: This is not the correct coordinator/)

  let midRuns = 0
  const mid: Source = {
    name: 'kafka',
    async run(emit) {
      midRuns++
      await emit({ records: [rec(3)], ack: async () => {}, nack: async () => {} })
      throw new ConnectionError('broker went away')
    },
    async close() {},
  }
  const stats2 = newStageStats()
  await runStage(options({ inputs: [mid], sinks: [sink], stats: stats2, restartInputs: false }))
  assert.is(midRuns, 1, 'a --once input is not restarted after it emitted')
  assert.match(stats2.errors[0], 'input kafka: broker went away')

  let downRuns = 0
  const down: Source = { name: 'pg', async run() { downRuns++; throw new ConnectionError('ECONNREFUSED') }, async close() {} }
  const stats3 = newStageStats()
  await runStage(options({ inputs: [down], sinks: [sink], stats: stats3, restartInputs: false, startRetryMs: 0 }))
  assert.is(downRuns, 1, 'startRetryMs bounds the retries at start')
  assert.match(stats3.errors[0], 'input pg: ECONNREFUSED')
})

const batchOf = (records: StreamRecord[], log: string[] = []): SourceBatch => ({ records, ack: async () => { log.push('ack') }, nack: async (e) => { log.push(`nack ${e.message}`) } })

test('step read: the first batch topped up to batch.size from the queue, without waiting past the linger', async () => {
  const q = new BoundedQueue<SourceBatch>(10)
  for (let i = 0; i < 4; i++) await q.push(batchOf([rec(2 * i), rec(2 * i + 1)]))
  const group = await readGroup(q, 5, 0, new AbortController().signal)
  assert.is(group!.length, 3, 'three batches of 2 reach 5 records')
  assert.is((await readGroup(q, 5, 10, new AbortController().signal))!.length, 1)
  q.close()
  assert.is(await readGroup(q, 5, 0, new AbortController().signal), undefined)
})

test('step prepare: outputs per target; a failing record is kept aside with its error', async () => {
  const prepared = await prepareGroup([batchOf([rec(1), rec(2)])], async (r) =>
    (r.value as { i: number }).i === 2 ? { error: new RecordError('transform', 'boom') } : { outputs: [r, { ...r, key: 'copy' }] }, 2)
  assert.is(prepared.perTarget[0].length, 1)
  assert.is(prepared.perTarget[1][0].out.key, 'copy')
  assert.is([...prepared.failed.values()][0].message, 'boom')
})

test('step write: chunks of batch.size; a record the sink refuses becomes a sink failure of its source record', async () => {
  const chunks: number[] = []
  const sink: Sink = { name: 'out', async write(rs) { chunks.push(rs.length); return rs.filter((r) => r.key === 'k3').map((record) => ({ record, error: new Error('bad row') })) }, async close() {} }
  const srcs = [0, 1, 2, 3, 4].map(rec)
  const prepared = { perTarget: [srcs.map((r) => ({ out: { ...r }, src: r }))], failed: new Map<StreamRecord, Error>() }
  await writeTargets([sink], prepared, 2, (_s, fn) => fn())
  assert.equal(chunks, [2, 2, 1])
  const err = prepared.failed.get(srcs[3]) as RecordError
  assert.is(err.reason, 'sink')
  assert.match(err.message, 'out: bad row')
})

test('steps dead-letter and ack: failed records sent per batch, then every batch acked (or nacked with the error)', async () => {
  const log: string[] = []
  const a = batchOf([rec(1), rec(2)], log), b = batchOf([rec(3)], log)
  const sent: string[] = []
  const counts = await deadLetterFailed([a, b], new Map([[a.records[1], new Error('x')]]), async (r) => { sent.push(r.key!) })
  assert.equal(counts, [1, 0])
  assert.equal(sent, ['k2'])
  await settleGroup([a, b], undefined, () => assert.unreachable())
  await settleGroup([a], new Error('down'), () => assert.unreachable())
  assert.equal(log, ['ack', 'ack', 'nack down'])
})

test('events: batches read, records written and dead letters reach the event seam', async () => {
  const events = new EventBus()
  const seen: RtdsEvent[] = []
  events.on((e) => seen.push(e))
  const { source } = fakeSource(3, 4, [])
  const { sink } = memorySink()
  await runStage(options({ inputs: [source], sinks: [sink], events, prepare: async (r) => (r.key === 'k5' ? { error: new RecordError('transform', 'no') } : { outputs: [r] }) }))
  const sum = (t: RtdsEvent['type']) => seen.filter((e) => e.type === t).reduce((n, e) => n + ('records' in e ? e.records : 1), 0)
  assert.is(sum('batch.read'), 12)
  assert.is(sum('records.written'), 11)
  const dead = seen.find((e) => e.type === 'record.dead_lettered')
  assert.ok(dead && dead.type === 'record.dead_lettered' && dead.reason === 'transform' && dead.origin === 'test index=5')
})

test('pipelined (sink with a window): groups overlap, complete out of order, each acked after its own write; in flight stays near the window', async () => {
  const log: string[] = []
  const { source, state } = fakeSource(12, 10, log)
  let concurrent = 0, maxConcurrent = 0, call = 0
  const written: StreamRecord[] = []
  const sink: Sink = {
    name: 'out', window: 40,
    async write(records) {
      const me = call++
      concurrent++
      maxConcurrent = Math.max(maxConcurrent, concurrent)
      await wait(me === 1 ? 80 : 5) // the second group finishes long after later ones
      written.push(...records)
      log.push(`written ${(records[0].value as { i: number }).i / 10}`)
      concurrent--
      return []
    },
    async close() {},
  }
  const events = new EventBus()
  const inFlight: number[] = []
  events.on((e) => { if (e.type === 'writes.in_flight') inFlight.push(e.records) })
  const stats = newStageStats()
  await runStage(options({ inputs: [source], sinks: [sink], stats, events, stage: stageSpec({ parallelism: 2 }), lingerMs: 0 }))
  assert.is(written.length, 120)
  assert.is(state.acked, 12)
  assert.ok(maxConcurrent > 1, `writes overlapped (max ${maxConcurrent})`)
  assert.ok(log.indexOf('ack 2') < log.indexOf('ack 1'), 'a later group is acked before the slow one (out of order)')
  for (let b = 0; b < 12; b++) assert.ok(log.indexOf(`written ${b}`) < log.indexOf(`ack ${b}`), `group ${b} acked only after its write`)
  assert.ok(Math.max(...inFlight) <= 40 + 2 * 10, `in flight bounded by window + one group per worker (${Math.max(...inFlight)})`)
  assert.is(stats.inFlightHighWater, Math.max(...inFlight))
})

test('pipelined: a group whose write fails for good is nacked while the others are acked', async () => {
  const log: string[] = []
  const { source, state } = fakeSource(6, 10, log)
  const sink: Sink = {
    name: 'out', window: 30,
    async write(records) {
      if ((records[0].value as { i: number }).i === 20) throw new RtdsError('table does not exist')
      await wait(2)
      return []
    },
    async close() {},
  }
  await runStage(options({ inputs: [source], sinks: [sink], lingerMs: 0 }))
  assert.is(state.acked, 5)
  assert.is(state.nacked, 1)
  assert.ok(log.includes('nack 2'))
})

test.run()
