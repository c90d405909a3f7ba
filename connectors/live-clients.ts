/**
 * The connections `plan` and `apply` need, opened lazily (a pipeline without Cassandra never
 * contacts Cassandra), each first connection retried a few times with backoff, all closed by
 * `close()`. A server that stays down surfaces as a `ConnectionError` naming its address and
 * `npm run services:up`.
 */
import { logLevel, type Admin } from 'kafkajs'
import type pg from 'pg'
import type cassandra from 'cassandra-driver'
import type { ConnectionSettings } from '../core/settings.js'
import { classifyPgError, pgPool } from './postgres/client.js'
import { classifyKafkaError, kafka } from './kafka/client.js'
import { cassandraClient, classifyCassandraError } from './cassandra/client.js'
import { retry } from '../core/retry.js'
import { RegistryHttp } from './registry/subject-resource.js'

/** Options of {@link LiveClients}. */
export interface LiveClientsOptions {
  /** Attempts of a first connection before giving up, default 3. */
  readonly attempts?: number
  /** First backoff in ms (doubled each time, with jitter), default 300. */
  readonly backoffMs?: number
}

/** Runs `fn`, retrying retriable errors (`ConnectionError`) with exponential backoff and jitter (runner/retry.ts). */
export function retryConnect<T>(fn: () => Promise<T>, opts: LiveClientsOptions = {}): Promise<T> {
  return retry(fn, { maxAttempts: opts.attempts ?? 3, initialDelayMs: opts.backoffMs ?? 300 })
}

/** Name of the database in a Postgres URL (`postgres://h/rtds` → `rtds`), default `postgres`. */
export function databaseName(url: string): string {
  try {
    const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
    return name || 'postgres'
  } catch {
    return 'postgres'
  }
}

/** Same server, maintenance database `postgres` (to check for and create the target database). */
export function maintenanceUrl(url: string): string {
  const u = new URL(url)
  u.pathname = '/postgres'
  return u.toString()
}

/** A failed connection is not cached: the next call tries again (e.g. after creating the database). */
function forgetOnFailure<T>(p: Promise<T>, forget: () => void): Promise<T> {
  p.catch(forget)
  return p
}

/** Lazily opened clients of the four systems. */
export class LiveClients {
  readonly settings: ConnectionSettings
  private readonly opts: LiveClientsOptions
  private pgTarget?: Promise<pg.Pool>
  private pgMaint?: Promise<pg.Pool>
  private admin?: Promise<Admin>
  private cass?: Promise<cassandra.Client>
  private reg?: RegistryHttp

  constructor(settings: ConnectionSettings, opts: LiveClientsOptions = {}) {
    this.settings = settings
    this.opts = opts
  }

  /** A pool on the target database; rejects with the `3D000` RtdsError when it does not exist. */
  pg(): Promise<pg.Pool> {
    this.pgTarget ??= forgetOnFailure(this.openPg(this.settings.databaseUrl), () => (this.pgTarget = undefined))
    return this.pgTarget
  }

  /** A pool on the server's maintenance database `postgres`. */
  pgMaintenance(): Promise<pg.Pool> {
    this.pgMaint ??= forgetOnFailure(this.openPg(maintenanceUrl(this.settings.databaseUrl)), () => (this.pgMaint = undefined))
    return this.pgMaint
  }

  private openPg(url: string): Promise<pg.Pool> {
    const settings = { databaseUrl: url }
    const pool = pgPool(settings, { max: 2, applicationName: 'rtds plan/apply' })
    const p = retryConnect(async () => {
      try {
        await pool.query('SELECT 1')
        return pool
      } catch (err) {
        throw classifyPgError(err, { databaseUrl: this.settings.databaseUrl }, 'connecting to Postgres')
      }
    }, this.opts)
    p.catch(() => pool.end().catch(() => {}))
    return p
  }

  /** A connected kafkajs admin client. */
  kafkaAdmin(): Promise<Admin> {
    this.admin ??= retryConnect(async () => {
      const admin = kafka(this.settings, {
        clientId: 'rtds-apply',
        // failures are classified and reported once; kafkajs' own log lines only with RTDS_KAFKA_LOG
        logLevel: process.env.RTDS_KAFKA_LOG ? undefined : logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 } }).admin()
      try {
        await admin.connect()
        return admin
      } catch (err) {
        await admin.disconnect().catch(() => {})
        throw classifyKafkaError(err, this.settings, 'connecting to Kafka')
      }
    }, this.opts)
    return this.admin
  }

  /** The registry's Confluent-compatible HTTP API. */
  registry(): RegistryHttp {
    this.reg ??= new RegistryHttp(this.settings, this.opts)
    return this.reg
  }

  /** A connected Cassandra client. */
  cassandra(): Promise<cassandra.Client> {
    this.cass ??= retryConnect(async () => {
      const client = cassandraClient(this.settings)
      try {
        await client.connect()
        return client
      } catch (err) {
        await client.shutdown().catch(() => {})
        throw classifyCassandraError(err, this.settings, 'connecting to Cassandra')
      }
    }, this.opts)
    return this.cass
  }

  /** Closes whatever was opened. */
  async close(): Promise<void> {
    const settle = async <T>(p: Promise<T> | undefined, end: (v: T) => Promise<unknown>): Promise<void> => {
      if (!p) return
      try {
        await end(await p)
      } catch {
        /* never opened or already closed */
      }
    }
    await Promise.all([
      settle(this.pgTarget, (p) => p.end()),
      settle(this.pgMaint, (p) => p.end()),
      settle(this.admin, (a) => a.disconnect()),
      settle(this.cass, (c) => c.shutdown()),
    ])
  }
}
