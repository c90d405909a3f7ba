/**
 * Raw Cassandra ceiling: cassandra-driver alone writing reference `created_users` rows with prepared
 * INSERTs (LOCAL_QUORUM, like the sink) at a fixed number of writes in flight (a sliding window).
 */
import cassandra from 'cassandra-driver'

/** The reference `created_users` columns, in order (id uuid, the rest text). */
export const CREATED_USER_COLUMNS = ['id', 'first_name', 'last_name', 'gender', 'address', 'post_code', 'email', 'username', 'dob', 'registered_date', 'phone', 'picture'] as const

/** The reference mapping written by hand: one randomuser user → the `created_users` row's values in column order. */
export function createdUserParams(u: any): unknown[] {
  const l = u.location
  return [
    u.login.uuid, u.name.first, u.name.last, u.gender,
    `${l.street.number} ${l.street.name}, ${l.city}, ${l.state}, ${l.country}`,
    String(l.postcode), u.email, u.login.username, u.dob.date, u.registered.date, u.phone, u.picture.medium,
  ]
}

/** `CREATE TABLE` of the reference row in `keyspace.table` (identifiers are the caller's constants). */
export function createdUsersDdl(keyspace: string, table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${keyspace}"."${table}" (id uuid PRIMARY KEY, ${CREATED_USER_COLUMNS.slice(1).map((c) => `${c} text`).join(', ')})`
}

/** Writes every row of `rows` with `concurrency` prepared INSERTs in flight; returns rows/s. */
export async function cassandraWriteRate(client: cassandra.Client, keyspace: string, table: string, rows: readonly unknown[][], concurrency: number): Promise<number> {
  const cql = `INSERT INTO "${keyspace}"."${table}" (${CREATED_USER_COLUMNS.join(', ')}) VALUES (${CREATED_USER_COLUMNS.map(() => '?').join(', ')})`
  const options = { prepare: true, consistency: cassandra.types.consistencies.localQuorum }
  await client.execute(cql, rows[0], options) // prepares once, outside the timing
  let next = 0
  const began = process.hrtime.bigint()
  const worker = async (): Promise<void> => {
    while (next < rows.length) await client.execute(cql, rows[next++], options)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker))
  const s = Number(process.hrtime.bigint() - began) / 1e9
  return rows.length / s
}
