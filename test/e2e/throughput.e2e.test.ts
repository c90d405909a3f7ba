/**
 * Rough throughput against the real servers (the benchmark issue refines it): `rtds run --once`
 * over 10,000 served users, reporting records/s of the whole run and of the consumer stage alone
 * (Kafka → Avro decode → JSONata → Cassandra, from its stage timing). The assertions are about
 * correctness (every user stored); the figures are printed, not asserted.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import { applyLiveCopy, randomUser, rtds, servePages, type PipelineCopy, type LiveCopy } from './e2e-support.js'

const test = suite('e2e > throughput')
const N = Math.min(5000, Number(process.env.RTDS_BENCH_USERS ?? 5000)) // one pull: randomuser answers at most 5,000 per request (the schema says so too)
let copy: PipelineCopy
let cass: cassandra.Client

let live: LiveCopy | undefined
test.before(async () => {
  live = await applyLiveCopy({ results: N }) // one pull of N users: no idle runFor window in the figure
  ;({ copy, cass } = live)
})
test.after(async () => {
  await live?.close()
})

test(`rtds run --once over ${N} served users`, async () => {
  const server = await servePages(Array.from({ length: N }, (_, i) => randomUser(i, copy.tag)))
  let run
  try {
    run = await rtds(['run', copy.file, '--once', '--run-for', '0', '--progress', '0', '--json'], { RANDOMUSER_URL: server.url })
  } finally {
    await server.close()
  }
  assert.is(run.code, 0, `rtds run failed:\n${run.stdout}\n${run.stderr}`)
  const [summary] = JSON.parse(run.stdout).pipelines as { durationMs: number; recordsStored: number; stages: Record<string, { in: number; ms: number }> }[]
  assert.is(summary.recordsStored, N)
  const rows = await cass.execute(`SELECT count(*) AS n FROM "${copy.keyspace}".created_users`)
  assert.is(Number(rows.rows[0].n), N)
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000)
  const line = Object.entries(summary.stages).map(([name, s]) => `${name} ${s.in} in ${s.ms} ms (${rate(s.in, s.ms)}/s)`).join(', ')
  console.log(`  throughput: ${N} users in ${summary.durationMs} ms = ${rate(N, summary.durationMs)} records/s end to end (process wall ${run.ms} ms); ${line}`)
})

test.run()
