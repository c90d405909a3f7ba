/**
 * Raw Postgres ceiling: staging rows (key, value jsonb, origin) inserted by multi-row `unnest`
 * statements (values as text[] cast to jsonb per row, the fastest form measured), each its own
 * transaction, two connections writing at once; the best of 500 and 5,000 rows per statement.
 */
import type pg from 'pg'

/** Inserts `rows` into the staging table `schema.table` (the caller's validated identifiers); rows/s. */
export async function postgresInsertRate(pool: pg.Pool, schema: string, table: string, rows: readonly [string, string, string][]): Promise<number> {
  const sql = `INSERT INTO "${schema}"."${table}" (key, value, origin) SELECT k, v::jsonb, o FROM unnest($1::text[], $2::text[], $3::text[]) AS u(k, v, o)`
  const rate = async (part: readonly [string, string, string][], chunkSize: number): Promise<number> => {
    let next = 0
    const began = process.hrtime.bigint()
    await Promise.all(Array.from({ length: 2 }, async () => {
      while (next < part.length) {
        const chunk = part.slice(next, (next += chunkSize))
        await pool.query(sql, [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])])
      }
    }))
    return part.length / (Number(process.hrtime.bigint() - began) / 1e9)
  }
  const half = Math.ceil(rows.length / 2)
  return Math.max(await rate(rows.slice(0, half), 500), await rate(rows.slice(half), 5000))
}
