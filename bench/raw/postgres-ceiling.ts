/**
 * Raw Postgres ceiling: staging rows (key, value jsonb, origin) inserted by multi-row `unnest`
 * statements of 5,000 rows, each its own transaction, two connections writing at once.
 */
import type pg from 'pg'

/** Inserts `rows` into the staging table `schema.table` (the caller's validated identifiers); rows/s. */
export async function postgresInsertRate(pool: pg.Pool, schema: string, table: string, rows: readonly [string, string, string][]): Promise<number> {
  const sql = `INSERT INTO "${schema}"."${table}" (key, value, origin) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[])`
  const CHUNK = 5000
  let next = 0
  const began = process.hrtime.bigint()
  await Promise.all(Array.from({ length: 2 }, async () => {
    while (next < rows.length) {
      const chunk = rows.slice(next, (next += CHUNK))
      await pool.query(sql, [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])])
    }
  }))
  return rows.length / (Number(process.hrtime.bigint() - began) / 1e9)
}
