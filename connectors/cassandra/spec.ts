/** Config spec of a Cassandra sink table (`tables: { x: { cassandra: {...} } }`). */
import { identifierSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

const CQL_SCALAR = '(?:ascii|bigint|blob|boolean|counter|date|decimal|double|duration|float|inet|int|smallint|text|time|timestamp|timeuuid|tinyint|uuid|varchar|varint)'
/** The CQL types a column may have: the type reaches CQL DDL text, so nothing else gets through. */
export const CQL_TYPE_PATTERN = `^(?:${CQL_SCALAR}|(?:list|set|frozen)<\\s*${CQL_SCALAR}\\s*>|map<\\s*${CQL_SCALAR}\\s*,\\s*${CQL_SCALAR}\\s*>)$`

const columnList = (description: string) => ({ description, type: 'array', items: identifierSchema('A column name.'), uniqueItems: true })

export const CASSANDRA_TABLE_SPEC: ConnectorConfigSpec = {
  key: 'cassandra',
  role: 'table',
  description: 'A Cassandra table written with prepared upserts; keyspace and table are created by `rtds apply`.',
  secrets: [],
  schema: objectSchema('A Cassandra sink table.', {
    keyspace: identifierSchema('Keyspace.'),
    table: identifierSchema('Table name. Default: the table\'s key in the file.'),
    replication: { description: 'Keyspace replication. Default { class: SimpleStrategy, replication_factor: 1 }.', type: 'object', additionalProperties: { type: ['string', 'integer'] } },
    primaryKey: { ...columnList('Partition key columns.'), minItems: 1 },
    clusteringKey: columnList('Clustering columns. Default none.'),
    concurrency: { description: 'Prepared writes in flight at most for this sink (a sliding window shared by the stage\'s workers; a finished write lets the next one start, no barrier per batch). Default 256 (measured: `npm run bench`).', type: 'integer', minimum: 1, maximum: 4096 },
    columns: { description: 'Column name → CQL type. When absent, derived from `schema`.', type: 'object', propertyNames: { pattern: '^[a-z_][a-z0-9_]*$' }, additionalProperties: { type: 'string', pattern: CQL_TYPE_PATTERN, description: 'A CQL type: ascii, bigint, blob, boolean, counter, date, decimal, double, duration, float, inet, int, smallint, text, time, timestamp, timeuuid, tinyint, uuid, varchar, varint, or list<T>, set<T>, frozen<T>, map<K, V> of those.' } },
    schema: { description: 'Avro (.avsc) row schema the columns are derived from, relative to the pipeline file.', type: 'string', pattern: '\\.avsc$' },
  }, ['keyspace', 'primaryKey']),
}
