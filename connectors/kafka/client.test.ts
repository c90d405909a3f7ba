import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectionError, RecordError, RtdsError } from '../../core/errors.js'
import { classifyKafkaError } from './client.js'
import { classifyPgError } from '../postgres/client.js'
import { classifyRegistryError } from '../registry/client.js'
import { classifyCassandraError } from '../cassandra/client.js'

const test = suite('connectors > error classification')
const named = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name, ...extra })

test('kafka: unreachable brokers and retriable protocol errors are retriable ConnectionErrors', () => {
  const s = { kafkaBrokers: ['127.0.0.1:9092'] }
  const down = classifyKafkaError(named('KafkaJSNumberOfRetriesExceeded', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092'), s)
  assert.instance(down, ConnectionError)
  assert.ok(down.retriable)
  assert.match(down.message, /127\.0\.0\.1:9092/)
  assert.match(down.hint ?? '', /services:up/)
  assert.instance(classifyKafkaError(named('KafkaJSProtocolError', 'leader moved', { retriable: true }), s), ConnectionError)
  const other = classifyKafkaError(named('KafkaJSProtocolError', 'Topic authorization failed', { retriable: false }), s)
  assert.not.instance(other, ConnectionError)
  assert.not.ok(other.retriable)
})

test('kafka: coordinator and leader errors of a just-started broker are retriable, also when kafkajs wrapped them', () => {
  const s = { kafkaBrokers: ['127.0.0.1:9092'] }
  const protocol = (type: string, message: string) => named('KafkaJSProtocolError', message, { type, retriable: false })
  // kafkajs gives up after its own retries and wraps what the broker said
  const notCoordinator = named('KafkaJSNonRetriableError', 'This is not the correct coordinator for this group', { retriable: false, cause: protocol('NOT_COORDINATOR_FOR_GROUP', 'This is not the correct coordinator for this group') })
  assert.ok(classifyKafkaError(notCoordinator, s).retriable, 'NOT_COORDINATOR wrapped')
  for (const type of ['COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS', 'LEADER_NOT_AVAILABLE', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'REQUEST_TIMED_OUT']) {
    const wrapped = named('KafkaJSNonRetriableError', 'outer', { retriable: false, originalError: protocol(type, 'inner') })
    assert.instance(classifyKafkaError(wrapped, s), ConnectionError, type)
  }
  // a non-retriable cause stays non-retriable
  const denied = named('KafkaJSNonRetriableError', 'outer', { retriable: false, cause: protocol('GROUP_AUTHORIZATION_FAILED', 'Not authorized to access group') })
  assert.not.ok(classifyKafkaError(denied, s).retriable)
})

test('postgres: connection failures retriable, SQL errors not, passwords never shown', () => {
  const s = { databaseUrl: 'postgres://app:hunter2@127.0.0.1:5432/rtds' }
  const down = classifyPgError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 hunter2'), { code: 'ECONNREFUSED' }), s)
  assert.instance(down, ConnectionError)
  assert.not.match(down.message, /hunter2/)
  assert.match(down.message, /app:\*\*\*@127\.0\.0\.1/)
  assert.instance(classifyPgError(Object.assign(new Error('terminating connection'), { code: '57P01' }), s), ConnectionError)
  const missing = classifyPgError(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }), s)
  assert.not.ok(missing.retriable)
  assert.match(missing.hint ?? '', /rtds apply/)
})

test('registry: unreachable or 5xx retriable, 404 hints apply', () => {
  const s = { schemaRegistryUrl: 'http://u:pw@127.0.0.1:8081/apis/ccompat/v7' }
  const down = classifyRegistryError(new Error('rtds - Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'), s)
  assert.instance(down, ConnectionError)
  assert.not.match(down.message, /:pw@/)
  assert.instance(classifyRegistryError(Object.assign(new Error('boom'), { status: 503 }), s), ConnectionError)
  const nf = classifyRegistryError(Object.assign(new Error('Subject not found'), { status: 404 }), s)
  assert.not.ok(nf.retriable)
  assert.match(nf.hint ?? '', /rtds apply/)
})

test('cassandra: no host / unavailable retriable, encoder TypeError is a record failure', () => {
  const s = { cassandraContactPoints: ['127.0.0.1:9042'] }
  assert.instance(classifyCassandraError(named('NoHostAvailableError', 'All host(s) tried for query failed'), s), ConnectionError)
  assert.instance(classifyCassandraError(named('ResponseError', 'Cannot achieve consistency', { code: 0x1000 }), s), ConnectionError)
  const rec = classifyCassandraError(new TypeError('Not a valid bigint'), s)
  assert.instance(rec, RecordError)
  const bad = classifyCassandraError(named('ResponseError', 'unconfigured table users', { code: 0x2200 }), s)
  assert.instance(bad, RtdsError)
  assert.not.ok(bad.retriable)
  assert.match(bad.hint ?? '', /rtds apply/)
})

test.run()
