import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { compilePipeline } from '../../connectors/index.js'
import { EventBus } from '../../core/events.js'
import { jsonLogger, pipelineJsonLog } from './json-log.js'

const test = suite('runner > engine > json-log')

test('one JSON object per line with pipeline, stage, component; events with their type, level and fields', async () => {
  const spec = compilePipeline('pipelines/users.yaml', readFileSync('pipelines/users.yaml', 'utf8'), { env: { ...process.env, RANDOMUSER_URL: 'http://x/' } }).graph!.spec
  const out = new PassThrough()
  let text = ''
  out.on('data', (d) => (text += d))
  const l = pipelineJsonLog(jsonLogger(out), spec)
  const bus = new EventBus()
  l.watch(bus)
  l.log('randomuser: run (schedule) succeeded: 10 record(s)')
  l.log('ingest: in 1 out 1 dlq 0 | publish: in 0 out 0 dlq 0')
  bus.emit({ type: 'retry', stage: 'store', component: 'created_users', what: 'write', attempt: 2, delayMs: 200, error: 'Cassandra at 127.0.0.1:9042 is unavailable' })
  bus.emit({ type: 'stage.error', stage: 'publish', component: 'publish', error: 'ack failed' })
  bus.emit({ type: 'records.written', stage: 'store', component: 'created_users', records: 3, ms: 2 })
  await new Promise((r) => setImmediate(r))
  const lines = text.trim().split('\n').map((x) => JSON.parse(x))
  assert.is(lines.length, 4, 'routine events are not logged')
  assert.equal([lines[0].pipeline, lines[0].component, lines[0].stage, lines[0].level], ['users', 'randomuser', undefined, 'info'])
  assert.is(lines[1].stage, undefined, 'a progress line is about every stage')
  assert.equal([lines[2].level, lines[2].event, lines[2].stage, lines[2].component, lines[2].attempt], ['warn', 'retry', 'store', 'created_users', 2])
  assert.match(lines[2].msg, /retry 2 in 200 ms/)
  assert.equal([lines[3].level, lines[3].event, lines[3].stage], ['error', 'stage.error', 'publish'])
  for (const x of lines) assert.ok(!Number.isNaN(Date.parse(x.time)))
})

test.run()
