/**
 * Proves each real server the project depends on (started by `npm run services:up`): Kafka with
 * kafkajs (admin create/describe, produce, consume in a consumer group), the schema registry's
 * Confluent API (register Avro, encode, decode, fetch by id, compatibility), Cassandra (keyspace,
 * table, prepared insert, select) and Postgres. Unique names; everything created is removed.
 */
import { spawnSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SchemaType } from '@kafkajs/confluent-schema-registry'
import { cassandraClient, kafkaClient, pgPool, registryClient, serverSettings, uniqueName } from '../helpers/servers.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

test('kafka: admin creates and describes a topic; a consumer group reads what was produced', async () => {
  const kafka = await kafkaClient('rtds-services-test')
  const topic = uniqueName('svc_topic')
  const groupId = uniqueName('svc_group')
  const admin = kafka.admin()
  const producer = kafka.producer()
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 })
  await admin.connect()
  try {
    assert.ok(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }), 'topic created')
    const meta = await admin.fetchTopicMetadata({ topics: [topic] })
    assert.is(meta.topics[0].name, topic)
    assert.is(meta.topics[0].partitions.length, 3)
    assert.ok(meta.topics[0].partitions.every((p) => p.leader >= 0 && p.isr.length === 1))

    await producer.connect()
    const sent = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i }) }))
    await producer.send({ topic, messages: sent })

    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const got: { key: string; n: number; partition: number }[] = []
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${sent.length} within 30 s`)), 30_000)
      consumer.run({
        eachMessage: async ({ message, partition }) => {
          got.push({ key: message.key!.toString(), n: JSON.parse(message.value!.toString()).n, partition })
          if (got.length === sent.length) { clearTimeout(timer); resolve() }
        },
      }).catch(reject)
    })
    assert.equal(got.map((m) => m.n).sort((a, b) => a - b), sent.map((_, i) => i))
    // Same key → same partition (the default partitioner hashes keys).
    const again = await producer.send({ topic, messages: [{ key: 'k0', value: '{"n":0}' }] })
    assert.is(again[0].partition, got.find((m) => m.key === 'k0')!.partition)

    // The group has a coordinator and a live member.
    const groups = await admin.describeGroups([groupId])
    assert.is(groups.groups[0].groupId, groupId)
    assert.is(groups.groups[0].state, 'Stable')
  } finally {
    await consumer.disconnect().catch(() => {})
    await producer.disconnect().catch(() => {})
    await admin.deleteTopics({ topics: [topic] }).catch(() => {})
    await admin.deleteGroups([groupId]).catch(() => {})
    await admin.disconnect()
  }
})

test('registry: register Avro, encode, decode, fetch by id, compatibility check', async () => {
  const reg = await registryClient()
  const subject = `${uniqueName('svc_subject')}-value`
  const base = serverSettings().schemaRegistryUrl.replace(/\/$/, '')
  const v1 = { type: 'record', name: 'User', namespace: 'rtds.servicestest', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] }
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }
  try {
    const { id } = await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject })
    assert.type(id, 'number')
    assert.is((await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject })).id, id, 'same schema, same id')
    assert.is(await reg.getLatestSchemaId(subject), id)

    const payload = await reg.encode(id, { id: 'u-1', age: 42 })
    assert.is(payload[0], 0, 'Confluent wire format: magic byte 0')
    assert.is(payload.readInt32BE(1), id, 'then the schema id')
    assert.equal({ ...(await reg.decode(payload)) }, { id: 'u-1', age: 42 })
    const fetched = JSON.parse(JSON.stringify(await reg.getSchema(id))) as { name: string; fields: { name: string }[] }
    assert.is(fetched.name, 'rtds.servicestest.User')
    assert.equal(fetched.fields.map((f) => f.name), ['id', 'age'])

    const compatible = { ...v1, fields: [...v1.fields, { name: 'email', type: ['null', 'string'], default: null }] }
    const incompatible = { ...v1, fields: [...v1.fields, { name: 'country', type: 'string' }] }
    assert.equal((await post(`/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(compatible) })).body.is_compatible, true)
    assert.equal((await post(`/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(incompatible) })).body.is_compatible, false)
    assert.is((await post(`/subjects/${subject}/versions`, { schema: JSON.stringify(incompatible) })).status, 409, 'incompatible version rejected')
  } finally {
    await fetch(`${base}/subjects/${subject}`, { method: 'DELETE' }).catch(() => {})
    await fetch(`${base}/subjects/${subject}?permanent=true`, { method: 'DELETE' }).catch(() => {})
  }
})

test('cassandra: keyspace and table, prepared insert, select', async () => {
  const keyspace = uniqueName('svc_ks')
  const admin = await cassandraClient()
  try {
    await admin.execute(`CREATE KEYSPACE "${keyspace}" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
    const client = await cassandraClient(keyspace)
    try {
      await client.execute('CREATE TABLE users (id text PRIMARY KEY, age int, tags set<text>, created timestamp)')
      const created = new Date('2026-01-02T03:04:05.678Z')
      for (const [id, age] of [['a', 30], ['b', 41]] as const) {
        await client.execute('INSERT INTO users (id, age, tags, created) VALUES (?, ?, ?, ?)', [id, age, ['x', id], created], { prepare: true })
      }
      const one = await client.execute('SELECT id, age, tags, created FROM users WHERE id = ?', ['b'], { prepare: true })
      assert.is(one.rowLength, 1)
      assert.is(one.first().age, 41)
      assert.equal([...one.first().tags].sort(), ['b', 'x'])
      assert.is((one.first().created as Date).toISOString(), created.toISOString())
      const all = await client.execute('SELECT count(*) AS n FROM users')
      assert.is(Number(all.first().n), 2)
    } finally {
      await client.shutdown()
    }
  } finally {
    await admin.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`).catch(() => {})
    await admin.shutdown()
  }
})

test('postgres: a query with bound parameters in database rtds and in a fresh database', async () => {
  const pool = await pgPool()
  const schema = uniqueName('svc_schema')
  try {
    const r = await pool.query('SELECT current_database() AS db, $1::int + $2::int AS sum', [40, 2])
    assert.equal(r.rows[0], { db: new URL(serverSettings().databaseUrl).pathname.slice(1), sum: 42 })
    await pool.query(`CREATE SCHEMA "${schema}"`)
    await pool.query(`CREATE TABLE "${schema}".t (id int PRIMARY KEY, name text NOT NULL)`)
    await pool.query(`INSERT INTO "${schema}".t VALUES ($1, $2), ($3, $4)`, [1, 'one', 2, 'two'])
    const rows = await pool.query(`SELECT name FROM "${schema}".t ORDER BY id`)
    assert.equal(rows.rows.map((x) => x.name), ['one', 'two'])
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
    await pool.end()
  }
  const database = uniqueName('svc_db')
  const other = await pgPool(database)
  try {
    assert.is((await other.query('SELECT current_database() AS db')).rows[0].db, database)
  } finally {
    await other.end()
    const admin = await pgPool()
    await admin.query(`DROP DATABASE IF EXISTS "${database}"`).catch(() => {})
    await admin.end()
  }
})

test('rtds-services: up is idempotent when everything runs, status --json reports all healthy', () => {
  const started = Date.now()
  const up = spawnSync(process.execPath, ['services/rtds-services.mjs', 'up'], { encoding: 'utf8' })
  assert.is(up.status, 0, up.stdout + up.stderr)
  assert.ok(Date.now() - started < 10_000, `up took ${Date.now() - started} ms with everything running`)
  for (const name of ['postgres', 'kafka', 'registry', 'cassandra']) assert.match(up.stdout, new RegExp(`^${name} +already running`, 'm'))
  const status = spawnSync(process.execPath, ['services/rtds-services.mjs', 'status', '--json'], { encoding: 'utf8' })
  assert.is(status.status, 0, status.stdout + status.stderr)
  const rows = JSON.parse(status.stdout) as { name: string; state: string }[]
  assert.equal(rows.map((r) => `${r.name}:${r.state}`).sort(), ['cassandra:healthy', 'kafka:healthy', 'postgres:healthy', 'registry:healthy'])
  const bad = spawnSync(process.execPath, ['services/rtds-services.mjs', 'up', '--only', 'zookeeper'], { encoding: 'utf8' })
  assert.is(bad.status, 2)
  assert.match(bad.stderr, /unknown server\(s\): zookeeper/)
})

test('helpers fail with the start command when a server is unreachable', async () => {
  const saved = process.env.KAFKA_BROKERS
  process.env.KAFKA_BROKERS = '127.0.0.1:1' // nothing listens on port 1
  try {
    await kafkaClient()
    assert.unreachable('kafkaClient should fail')
  } catch (err) {
    assert.match((err as Error).message, /^Kafka not reachable at 127\.0\.0\.1:1: run `npm run services:up`/)
  } finally {
    if (saved === undefined) delete process.env.KAFKA_BROKERS
    else process.env.KAFKA_BROKERS = saved
  }
})

test.run()
