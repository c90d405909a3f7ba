/**
 * The small form of `npm run bench` (a few hundred users): keeps the benchmark's code working. It
 * asserts counts — every generated user stored once, every user the API accepted stored, every
 * accepted latency sample seen in Cassandra — never speed.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { runBench } from '../../bench/pipeline-bench.js'
import { benchTable } from '../../bench/report.js'

const test = suite('e2e > bench')

test('npm run bench, small: every count adds up', async () => {
  const lines: string[] = []
  const r = await runBench({ users: 300, phaseMs: 1500, progress: (l) => lines.push(l) })
  try {
    assert.is(r.rtds.once.stored, 300)
    assert.is(r.rtds.consumerStored, 300, 'the consumer stage alone stored the users the stages alone moved')
    assert.is(r.rtds.once.dlq, 0)
    assert.ok(r.raw.cassandra.rowsPerSec > 0 && r.raw.kafkaProduceRowsPerSec > 0 && r.raw.kafkaConsumeRowsPerSec > 0 && r.raw.postgresInsertRowsPerSec > 0)
    assert.ok(r.raw.http.requestsPerSec > 0)
    assert.equal(r.rtds.api.map((a) => [a.connections, a.usersPerRequest, a.failures]), [[64, 1, {}], [256, 1, {}], [64, 100, {}]], 'no request failed')
    assert.equal(r.rtds.apiWithEveryStage.failures, {}, 'no request failed')
    assert.ok(r.rtds.apiAloneStaged.accepted > 0)
    assert.is(r.rtds.apiAloneStaged.staged, r.rtds.apiAloneStaged.accepted, 'every user the API alone accepted (202) was staged')
    assert.ok(r.rtds.apiStored.accepted > 0)
    assert.is(r.rtds.apiStored.stored, r.rtds.apiStored.accepted, 'every user the API accepted (202) was stored')
    assert.ok(r.rtds.latency.samples > 0)
    const table = benchTable(r)
    assert.match(table, /\| rtds consumer stage .* of raw Cassandra/)
    assert.match(table, /\| rtds API \(ingest stage alone\), 64 connections, one user per request \| .* of raw HTTP/)
    assert.ok(lines.some((l) => l.includes('dropping what the bench created')))
  } catch (err) {
    // what the bench printed (phases, failed requests with their reasons, the runs' output)
    console.log(lines.join('\n'))
    throw err
  }
})

test.run()
