/** The bench's markdown table: every rtds figure next to the raw ceiling measured in the same run, with the ratio and the issue's target. */
import type { ApiFigure, BenchResult } from './pipeline-bench.js'

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–')
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–')
const pct = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${Math.round((a / b) * 100)} %` : '–')

/** The table (markdown). */
export function benchTable(r: BenchResult): string {
  const raw = r.raw
  const t = r.rtds
  const api = (c: number, per: number) => t.api.find((a) => a.connections === c && a.usersPerRequest === per)
  const rows: string[][] = [
    ['raw: cassandra-driver prepared INSERTs', `${n(raw.cassandra.rowsPerSec)} rows/s (best at ${raw.cassandra.bestConcurrency} in flight; ${Object.entries(raw.cassandra.byConcurrency).map(([c, v]) => `${c}: ${n(v)}`).join(', ')})`, '', ''],
    ['raw: kafkajs produce (idempotent, acks=all) / no-op consume', `${n(raw.kafkaProduceRowsPerSec)} / ${n(raw.kafkaConsumeRowsPerSec)} rows/s`, '', ''],
    ['raw: Postgres multi-row insert (unnest, best of 500 / 5,000 per statement)', `${n(raw.postgresInsertRowsPerSec)} rows/s`, '', ''],
    ['raw: node:http alone (parse the body, answer 202), same load generator, best of 64 / 256 connections', `${n(raw.http.requestsPerSec)} requests/s, p50 ${ms(raw.http.p50Ms)}, p99 ${ms(raw.http.p99Ms)}`, '', ''],
    ['rtds consumer stage alone (Kafka → Avro → JSONata → Cassandra)', `${n(t.consumerRowsPerSec)} rows/s`, `${pct(t.consumerRowsPerSec, raw.cassandra.rowsPerSec)} of raw Cassandra`, '≥ 80 %'],
    ['rtds consumer stage alone: peak RSS of the process', `${n(t.consumerPeakRssMb)} MB`, '', '≤ 250 MB'],
    ['rtds relay alone (staging → Kafka)', `${n(t.relayRowsPerSec)} rows/s`, `${pct(t.relayRowsPerSec, raw.kafkaProduceRowsPerSec)} of raw produce`, '≥ 20,000 rows/s'],
    ['rtds ingest alone (generated pull → staging)', `${n(t.ingestRowsPerSec)} rows/s`, `${pct(t.ingestRowsPerSec, raw.postgresInsertRowsPerSec)} of raw insert`, ''],
    ['rtds `run --once` end to end (stages at once)', `${n(t.once.usersPerSec)} users/s (${t.once.seconds.toFixed(1)} s; slowest stage alone ${t.once.slowestStageSeconds.toFixed(1)} s; peak RSS ${n(t.once.peakRssMb)} MB)`, `${(t.once.seconds / Math.max(0.001, t.once.slowestStageSeconds)).toFixed(2)} × the slowest stage`, '≤ 1.3 ×'],
  ]
  const figure = (a: ApiFigure) => `${n(a.acceptedUsersPerSec)} users/s, p50 ${ms(a.p50Ms)}, p99 ${ms(a.p99Ms)}${a.failed ? `, ${a.failed} failed` : ''}`
  for (const [c, per, target] of [[64, 1, '≥ 10,000 users/s, p99 ≤ 50 ms'], [256, 1, ''], [64, 100, '≥ 50,000 users/s']] as const) {
    const a = api(c, per)
    const ratio = per === 1 ? `${pct(a?.acceptedUsersPerSec ?? NaN, raw.http.requestsPerSec)} of raw HTTP` : `${pct(a?.acceptedUsersPerSec ?? NaN, raw.postgresInsertRowsPerSec)} of raw insert`
    if (a) rows.push([`rtds API (ingest stage alone), ${c} connections, ${per === 1 ? 'one user' : `arrays of ${per}`} per request`, figure(a), ratio, target])
  }
  const full = t.apiWithEveryStage
  rows.push(['rtds API with every stage running in the process, 64 connections, one user per request', figure(full), `${pct(full.acceptedUsersPerSec, raw.http.requestsPerSec)} of raw HTTP`, ''])
  rows.push(['rtds API, a lone request', `p50 ${ms(t.loneRequestP50Ms)}`, '', '≤ 5 ms'])
  rows.push(['rtds 202 → row readable in Cassandra', `p50 ${ms(t.latency.p50Ms)}, p99 ${ms(t.latency.p99Ms)} at ${n(t.latency.ratePerSec)} users/s (${t.latency.samples} samples)`, '', 'p99 ≤ 100 ms'])
  const head = ['what', 'measured', 'ratio', 'target']
  return [
    `${r.users.toLocaleString('en-US')} users, ${r.cores} cores, ${r.host}, ${r.at}`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((c) => `| ${c.join(' | ')} |`),
  ].join('\n')
}
