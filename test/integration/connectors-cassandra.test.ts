/**
 * The Cassandra table sink against the real server: prepared upserts, type conversion, per-record
 * failures for values that do not fit, a retriable ConnectionError when the cluster is unreachable.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type cassandra from 'cassandra-driver'
import { cassandraClient } from '../../connectors/cassandra/client.js'
import { CassandraTableSink } from '../../connectors/cassandra/table-sink.js'
import { ConnectionError, RecordError } from '../../core/errors.js'
import type { StreamRecord } from '../../core/stream.js'
import { requireCassandra, settings, unique } from './connectors-support.js'

const test = suite('connectors > cassandra')
const keyspace = unique('it_cass')
const columns = { id: 'uuid', first_name: 'text', post_code: 'text', age: 'int', big: 'bigint', seen_at: 'timestamp', tags: 'list<text>' }
let client: cassandra.Client

const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
const rec = (value: unknown, i = 0): StreamRecord => ({ key: String(i), value, origin: `test index=${i}` })
const sink = (c = client, s = settings) =>
  new CassandraTableSink({ name: 'users', client: c, keyspace, table: 'users', columns, keyColumns: ['id'], settings: s, concurrency: 8 })

test.before(async () => {
  await requireCassandra()
  client = cassandraClient(settings)
  await client.execute(`CREATE KEYSPACE "${keyspace}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
  await client.execute(`CREATE TABLE "${keyspace}".users (id uuid PRIMARY KEY, first_name text, post_code text, age int, big bigint, seen_at timestamp, tags list<text>)`)
})
test.after(async () => {
  await client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`).catch(() => {})
  await client.shutdown()
})

test('upserts with converted types; bad values are per-record failures; the rest stands', async () => {
  const good = Array.from({ length: 50 }, (_, i) =>
    rec({ id: uuid(i), first_name: `Zoë ${i}`, post_code: i % 2 ? 12345 : 'EC1A 1BB', age: String(20 + i), big: '9007199254740993', seen_at: '2024-03-01T10:00:00.000Z', tags: ['a', 'ü'], extra: 'ignored' }, i))
  const bad = [
    rec({ id: 'not-a-uuid', first_name: 'x' }, 100),
    rec({ id: uuid(101), first_name: 'x', age: 'forty' }, 101),
    rec({ first_name: 'no key' }, 102),
    rec({ id: uuid(103), seen_at: 'yesterday' }, 103),
    rec('not a row', 104),
  ]
  const failures = await sink().write([...good.slice(0, 25), ...bad, ...good.slice(25)])
  assert.equal(failures.map((f) => f.record.key).sort(), ['100', '101', '102', '103', '104'])
  for (const f of failures) assert.instance(f.error, RecordError)
  assert.match(failures.find((f) => f.record.key === '101')!.error.message, /column age \(int\)/)
  assert.match(failures.find((f) => f.record.key === '102')!.error.message, /primary key column id is missing/)
  const rows = (await client.execute(`SELECT * FROM "${keyspace}".users`)).rows
  assert.is(rows.length, 50)
  const r7 = rows.find((r) => r.id.toString() === uuid(7))!
  assert.is(r7.first_name, 'Zoë 7')
  assert.is(r7.post_code, '12345')
  assert.is(r7.age, 27)
  assert.is(r7.big.toString(), '9007199254740993')
  assert.is((r7.seen_at as Date).toISOString(), '2024-03-01T10:00:00.000Z')
  assert.equal(r7.tags, ['a', 'ü'])
  assert.is(rows.find((r) => r.id.toString() === uuid(8))!.post_code, 'EC1A 1BB')
})

test('a replay upserts: same key, one row, latest values; missing fields leave columns alone', async () => {
  await sink().write([rec({ id: uuid(200), first_name: 'first', age: 1 })])
  await sink().write([rec({ id: uuid(200), first_name: 'second' })])
  const rows = (await client.execute(`SELECT first_name, age FROM "${keyspace}".users WHERE id = ?`, [uuid(200)], { prepare: true })).rows
  assert.is(rows.length, 1)
  assert.is(rows[0].first_name, 'second')
  assert.is(rows[0].age, 1)
})

test('an unreachable cluster rejects the write with a retriable ConnectionError', async () => {
  const deadSettings = { ...settings, cassandraContactPoints: ['127.0.0.1:9'] }
  const dead = cassandraClient(deadSettings)
  try {
    await sink(dead, deadSettings).write([rec({ id: uuid(300), first_name: 'x' })])
    assert.unreachable('should fail')
  } catch (err) {
    assert.instance(err, ConnectionError)
    assert.ok((err as ConnectionError).retriable)
    assert.match((err as Error).message, /Cassandra at 127\.0\.0\.1:9 is unavailable/)
    assert.match((err as ConnectionError).hint ?? '', /services:up/)
  } finally {
    await dead.shutdown().catch(() => {})
  }
})

test.run()
