import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { desiredResources } from './desired-state.js'
import { normaliseReplication } from '../../connectors/cassandra/table-resource.js'
import { makeSpec } from '../../test/integration/plan-apply-fixtures.js'
import { UsageError } from '../../core/errors.js'

const test = suite('runner > reconcile > desired-state')

test('resources in dependency order, with the dead-letter topic, deduplicated across files', () => {
  const a = makeSpec({ suffix: 'a' })
  const b = { ...makeSpec({ suffix: 'a' }), file: 'other.yaml' }
  const r = desiredResources([a, b], { database: 'rtds' })
  assert.equal(r.map((x) => `${x.resource.kind} ${x.resource.name}`), [
    'postgres_database rtds',
    'postgres_state_tables rtds',
    'postgres_table plan_a.staging',
    'kafka_topic plan_a',
    'kafka_topic plan_a.dlq',
    'registry_subject plan_a-value',
    'cassandra_keyspace ks_a',
    'cassandra_table ks_a.users',
  ])
  assert.equal(r[3].files, ['test/plan-a.yaml', 'other.yaml'])
  const dlq = r[4].resource
  assert.ok(dlq.kind === 'kafka_topic' && dlq.partitions === 1 && dlq.minPartitions === true)
  const subject = r[5].resource
  assert.ok(subject.kind === 'registry_subject' && subject.compatibility === 'FULL')
})

test('the same resource declared differently in two files is an error naming both', () => {
  const a = makeSpec({ suffix: 'a' })
  const b = { ...makeSpec({ suffix: 'a', partitions: 7 }), file: 'other.yaml' }
  assert.throws(() => desiredResources([a, b], { database: 'rtds' }), (err: Error) => err instanceof UsageError && /kafka_topic\.plan_a is declared differently in test\/plan-a\.yaml and other\.yaml/.test(err.message))
})

test('replication in normal form', () => {
  assert.equal(normaliseReplication({ class: 'org.apache.cassandra.locator.NetworkTopologyStrategy', dc1: 3 }), { class: 'NetworkTopologyStrategy', dc1: '3' })
  assert.equal(normaliseReplication({}), { class: 'SimpleStrategy', replication_factor: '1' })
})

test.run()
