// The machine's PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres). We do not own its process:
// `up` starts the cluster with pg_ctlcluster only when it is down (and records that it did), makes
// sure the databases `rtds` and the registry's storage exist; `down` stops it only if we started it.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataDir, SERVICES_DIR } from './process-control.mjs'

const NAME = 'postgres'
const HOST = '127.0.0.1'
const PORT = 5432
/**
 * The registry's storage database, one per checkout (`apicurio_<hash of the checkout's path>`):
 * Kafka's and Cassandra's data live in the checkout's services/.data/, so a fresh clone starts
 * with empty servers, and its registry must start empty too (schema ids that no message of this
 * Kafka carries, subjects `rtds plan` would wrongly find already there).
 */
export const REGISTRY_DATABASE = `apicurio_${createHash('sha256').update(SERVICES_DIR).digest('hex').slice(0, 10)}`
/** Databases `up` creates when missing. */
export const DATABASES = ['rtds', REGISTRY_DATABASE]
const startedMarker = () => join(dataDir(NAME), 'started-by-rtds')

function clusterVersion() {
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []
  if (versions.length === 0) throw new Error('no PostgreSQL cluster in /etc/postgresql (apt-get install postgresql)')
  return versions.sort().at(-1)
}

function pgctl(action) {
  const version = clusterVersion()
  const args = ['--skip-systemctl-redirect', version, 'main', action]
  const r = spawnSync('pg_ctlcluster', args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`pg_ctlcluster ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`)
  return version
}

async function query(database, sql) {
  const { Client } = (await import('pg')).default
  const c = new Client({ host: HOST, port: PORT, user: 'postgres', database, connectionTimeoutMillis: 2000 })
  await c.connect()
  try {
    return await c.query(sql)
  } finally {
    await c.end().catch(() => {})
  }
}

/** @type {import('./service-types.mjs').Service} */
export const postgres = {
  name: NAME,
  address: `${HOST}:${PORT}`,
  deadlineMs: 30_000,
  external: true,
  get logFile() { try { return `/var/log/postgresql/postgresql-${clusterVersion()}-main.log` } catch { return '/var/log/postgresql' } },
  start() {
    try {
      pgctl('start')
    } catch (e) {
      // Running but not answering as we want (e.g. too many clients): wait for the probe, do not claim it.
      if (/already running/i.test(e.message)) return undefined
      throw e
    }
    writeFileSync(startedMarker(), `${new Date().toISOString()}\n`)
    return undefined
  },
  /** Ready when `SELECT 1` runs on every database of DATABASES (missing ones are created). */
  async probe() {
    for (const db of DATABASES) {
      try {
        await query(db, 'SELECT 1')
      } catch (e) {
        if (e.code !== '3D000') throw e // 3D000: database does not exist
        await query('postgres', `CREATE DATABASE "${db}"`).catch((e2) => { if (e2.code !== '42P04') throw e2 }) // 42P04: created meanwhile
        await query(db, 'SELECT 1')
      }
    }
    const v = await query('rtds', 'SHOW server_version')
    return `PostgreSQL ${v.rows[0].server_version}, databases ${DATABASES.join(', ')}`
  },
  /** Stops the cluster only when `up` started it; the machine's running server is left alone. */
  async stop() {
    if (!existsSync(startedMarker())) return 'left running (not started by rtds-services)'
    pgctl('stop')
    rmSync(startedMarker(), { force: true })
    return 'stopped (rtds-services had started it)'
  },
}
