/**
 * End-to-end helpers: randomuser-shaped users, a local page server standing in for randomuser.me,
 * a unique copy of pipelines/users.yaml (own pipeline, topic, staging schema, keyspace, API port),
 * the CLI run from the sources, the expected `created_users` row computed independently of the
 * JSONata transform, and cleanup of everything a test created.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { kafka } from '../../connectors/kafka/client.js'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { pgPool } from '../../connectors/postgres/client.js'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import type pg from 'pg'
import { requireCassandra, requireKafka, requirePostgres, requireRegistry, settings, unique } from '../integration/connectors-support.js'

export const root = fileURLToPath(new URL('../..', import.meta.url))

const FIRST = ['Zoë', 'Jürgen', 'Ngọc', 'Åsa', 'Олег', 'محمد', 'Chloé', 'Søren', 'José', 'Ian']
const LAST = ['Ørsted', 'Müller', 'Nguyễn', 'Ström', 'Иванов', 'الحسن', "O'Brien", 'Łukasz', 'García', 'Smith']

/** One randomuser.me-shaped user; even `i` get a numeric postcode, odd ones a string (as randomuser does per country). */
export function randomUser(i: number, runTag = ''): Record<string, any> {
  const hex = (i + 1).toString(16).padStart(12, '0')
  const tag = runTag.replace(/[^0-9a-f]/g, '').padEnd(8, '0').slice(0, 8)
  return {
    gender: i % 3 === 0 ? 'female' : 'male',
    name: { title: i % 2 ? 'Mr' : 'Ms', first: `${FIRST[i % FIRST.length]}${i}`, last: LAST[(i * 7) % LAST.length] },
    location: {
      street: { number: 100 + (i % 9000), name: i % 2 ? 'Rue de l’Église' : 'Hauptstraße' },
      city: i % 2 ? 'Genève' : 'Zürich', state: i % 2 ? 'Genève' : 'Zürich', country: 'Switzerland',
      postcode: i % 2 ? `${1200 + (i % 99)} GE-${i}` : 10000 + i,
      coordinates: { latitude: '46.2', longitude: '6.1' },
    },
    email: `user${i}@example.com`,
    login: { uuid: `${tag}-0000-4000-8000-${hex}`, username: `user_${i}`, password: 'not-used' },
    dob: { date: `19${50 + (i % 49)}-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:15:30.${String(i % 1000).padStart(3, '0')}Z`, age: 30 + (i % 40) },
    registered: { date: `20${10 + (i % 14)}-11-0${1 + (i % 9)}T12:00:00.000Z`, age: i % 15 },
    phone: `0${i % 10}1-234-${String(i % 10000).padStart(4, '0')}`,
    cell: '079-000-00-00',
    id: { name: 'AVS', value: null },
    picture: { large: `https://randomuser.me/api/portraits/women/${i % 100}.jpg`, medium: `https://randomuser.me/api/portraits/med/women/${i % 100}.jpg`, thumbnail: null },
    nat: 'CH',
  }
}

/** The `created_users` row of a user, computed without JSONata (one definition, shared with the engine's tests). */
export { expectedRow } from '../helpers/users-fixture.js'

/** A local randomuser.me: `GET /api/?results=N` answers the next N users of `users`, then empty pages. */
export interface PageServer {
  readonly url: string
  /** Users handed out so far. */
  served(): number
  close(): Promise<void>
}

export async function servePages(users: readonly unknown[]): Promise<PageServer> {
  let cursor = 0
  let page = 0
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const n = Math.max(1, Number(u.searchParams.get('results') ?? 1))
    const results = users.slice(cursor, cursor + n)
    cursor += results.length
    page++
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ results, info: { seed: 'rtds-e2e', results: results.length, page, version: '1.4' } }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/api/`,
    served: () => cursor,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A unique copy of pipelines/users.yaml; see the module comment. */
export interface PipelineCopy {
  readonly file: string
  readonly dir: string
  readonly tag: string
  readonly pipeline: string
  readonly topic: string
  readonly stagingSchema: string
  readonly keyspace: string
  readonly apiPort: number
}

export interface CopyOptions {
  /** `results` per pull (default 10). */
  readonly results?: number
  /** Pause between pulls inside the runFor window (default 1s as in users.yaml). */
  readonly every?: string
  /** Batch size of the stages (default: the engine's). */
  readonly batch?: number
}

export async function copyPipeline(opts: CopyOptions = {}): Promise<PipelineCopy> {
  const tag = unique('e2e').slice(4)
  const dir = mkdtempSync(join(tmpdir(), 'rtds-e2e-'))
  const c = {
    tag, dir, file: join(dir, 'users.yaml'), pipeline: `users_${tag}`, topic: `users_created_${tag}`,
    stagingSchema: `e2e_${tag}`, keyspace: `e2e_${tag}`, apiPort: await freePort(),
  }
  let y = readFileSync(join(root, 'pipelines/users.yaml'), 'utf8')
  y = y.replace(/^pipeline: users$/m, `pipeline: ${c.pipeline}`)
    .replace(/users_created/g, c.topic)
    .replace(/keyspace: spark_streams/, `keyspace: ${c.keyspace}`)
    .replace(/schema: rtds$/m, `schema: ${c.stagingSchema}`)
    .replace(/port: 5000/, `port: ${c.apiPort}`)
    .replace(/\.\.\/schemas\//g, `${join(root, 'schemas')}/`)
    .replace(/transforms\/created_user\.jsonata/, join(root, 'pipelines/transforms/created_user.jsonata'))
  if (opts.results) y = y.replace(/results: 10 /, `results: ${opts.results} `)
  if (opts.every) y = y.replace(/every: 1s/, `every: ${opts.every}`)
  if (opts.batch) y = y.replace(/^stages:\n/m, '').replace(/^( {2}(ingest|publish|store):\n)/gm, `$1    batch: { size: ${opts.batch} }\n`).replace(/^( {2}ingest:)/m, 'stages:\n$1')
  writeFileSync(c.file, y)
  return c
}

/** Result of a CLI run. */
export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * Spawns `rtds <args>` from the sources (test/e2e/rtds-dev.ts), or with `entry` (a compiled entry
 * script, e.g. the bench's build) instead.
 */
export function startRtds(args: readonly string[], env: NodeJS.ProcessEnv = {}, entry?: string): { child: ChildProcess; done: Promise<CliResult>; output(): string } {
  const started = Date.now()
  const child = spawn(process.execPath, [...(entry ? [entry] : ['--import', 'tsx', join(root, 'test/e2e/rtds-dev.ts')]), ...args], {
    cwd: root, env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = '', stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })),
  )
  return { child, done, output: () => stdout + stderr }
}

/** Runs `rtds <args>` to completion (killed after `timeoutMs`). */
export async function rtds(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<CliResult> {
  const run = startRtds(args, env)
  const t = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs)
  try {
    return await run.done
  } finally {
    clearTimeout(t)
  }
}

/** Drops everything a pipeline copy created: keyspace, staging schema, topics (+ .dlq), subject, runs, temp folder. */
export async function cleanup(c: PipelineCopy): Promise<void> {
  const cass = cassandraClient(settings)
  await cass.execute(`DROP KEYSPACE IF EXISTS "${c.keyspace}"`).catch(() => {})
  await cass.shutdown().catch(() => {})
  const pool = pgPool(settings)
  await pool.query(`DROP SCHEMA IF EXISTS "${c.stagingSchema}" CASCADE`).catch(() => {})
  await pool.query(`DELETE FROM rtds.runs WHERE pipeline = $1`, [c.pipeline]).catch(() => {})
  await pool.end()
  const admin = kafka(settings).admin()
  await admin.connect().catch(() => {})
  await admin.deleteTopics({ topics: [c.topic, `${c.topic}.dlq`] }).catch(() => {})
  await admin.deleteGroups([`rtds.${c.pipeline}.store`]).catch(() => {})
  await admin.disconnect().catch(() => {})
  const base = settings.schemaRegistryUrl.replace(/\/$/, '')
  await fetch(`${base}/subjects/${c.topic}-value`, { method: 'DELETE' }).catch(() => {})
  await fetch(`${base}/subjects/${c.topic}-value?permanent=true`, { method: 'DELETE' }).catch(() => {})
  rmSync(c.dir, { recursive: true, force: true })
}

/** A unique copy of users.yaml applied to the real servers, with clients to inspect them. */
export interface LiveCopy {
  readonly copy: PipelineCopy
  readonly cass: cassandra.Client
  readonly pool: pg.Pool
  /** Closes the clients and drops everything the copy created. */
  close(): Promise<void>
}

/**
 * The set-up of every end-to-end test: checks the four servers answer (failing with the command that
 * starts them), writes a unique copy of users.yaml and runs `rtds apply` on it.
 */
export async function applyLiveCopy(opts: CopyOptions = {}): Promise<LiveCopy> {
  await requirePostgres()
  await requireKafka()
  await requireRegistry()
  await requireCassandra()
  const copy = await copyPipeline(opts)
  const applied = await rtds(['apply', copy.file])
  assert.is(applied.code, 0, `rtds apply failed:\n${applied.stdout}\n${applied.stderr}`)
  const cass = cassandraClient(settings)
  const pool = pgPool(settings)
  return {
    copy, cass, pool,
    close: async () => {
      await cass.shutdown().catch(() => {})
      await pool.end().catch(() => {})
      await cleanup(copy)
    },
  }
}

/**
 * `node services/rtds-services.mjs <action> --only <server>` (outage tests); fails the test when the
 * script did not do it. Returns how long it took (ms).
 */
export function services(action: 'up' | 'down', server: 'kafka' | 'cassandra'): number {
  const t0 = Date.now()
  const r = spawnSync(process.execPath, [join(root, 'services/rtds-services.mjs'), action, '--only', server], { encoding: 'utf8', cwd: root })
  const out = `${r.stdout}${r.stderr}`
  assert.is(r.status, 0, `services ${action} --only ${server} failed:\n${out}`)
  if (action === 'down') {
    assert.ok(/stopped/.test(out), `${server} was not stopped (this test needs servers started from this checkout: npm run services:up):\n${out}`)
  }
  return Date.now() - t0
}

/**
 * The set-up of a `.solo.` test that stops shared servers: a live copy of users.yaml before, and
 * after — whatever happened — the servers started again, the copy dropped, and the file's process
 * ended even if a failed run left a client socket open. Returns the copy (after `before` ran).
 */
export function soloLiveCopy(test: { before(fn: () => Promise<void>): void; after(fn: () => Promise<void>): void }, opts: CopyOptions = {}): () => LiveCopy {
  let live: LiveCopy | undefined
  test.before(async () => {
    live = await applyLiveCopy(opts)
  })
  test.after(async () => {
    spawnSync(process.execPath, [join(root, 'services/rtds-services.mjs'), 'up'], { stdio: 'ignore', cwd: root })
    await live?.close()
    setTimeout(() => process.exit(), 5000).unref()
  })
  return () => live!
}
