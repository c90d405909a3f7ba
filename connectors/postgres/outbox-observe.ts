/** The probe of a staging table (`observe` of the Postgres connector): its unpublished rows (the relay's backlog) and Postgres' health. */
import type pg from 'pg'
import type { ConnectionSettings } from '../../core/settings.js'
import type { Observation } from '../connector.js'
import { probe } from '../observe.js'
import { classifyPgError } from './client.js'
import { pgQualified } from './ddl.js'

export async function observeOutbox(pool: pg.Pool, schema: string, table: string, settings: Pick<ConnectionSettings, 'databaseUrl'>): Promise<Observation> {
  const r = await probe('postgres', async () => {
    try {
      const res = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pgQualified(schema, table)} WHERE published_at IS NULL`)
      return Number(res.rows[0]?.n ?? 0)
    } catch (err) {
      throw classifyPgError(err, settings, `count unpublished rows of ${schema}.${table}`)
    }
  })
  return { servers: [r.health], ...(r.value !== undefined ? { backlog: r.value } : {}) }
}
