/** Config spec of a Cassandra sink table (`tables: { x: { cassandra: {...} } }`). */
import { identifierSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

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
    columns: { description: 'Column name → CQL type. When absent, derived from `schema`.', type: 'object', propertyNames: { pattern: '^[a-z_][a-z0-9_]*$' }, additionalProperties: { type: 'string', minLength: 1 } },
    schema: { description: 'Avro (.avsc) row schema the columns are derived from, relative to the pipeline file.', type: 'string', pattern: '\\.avsc$' },
  }, ['keyspace', 'primaryKey']),
}
