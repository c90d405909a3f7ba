/** Config spec of a Postgres staging table (`tables: { x: { postgres: {...} } }`), the transactional outbox. */
import { identifierSchema, objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

export const POSTGRES_TABLE_SPEC: ConnectorConfigSpec = {
  key: 'postgres',
  role: 'table',
  description: 'A Postgres staging table: records land here in one transaction per batch, then are relayed to Kafka.',
  secrets: [],
  schema: objectSchema('A Postgres staging table (transactional outbox).', {
    schema: { ...identifierSchema('Postgres schema (namespace).'), default: 'rtds' },
    table: identifierSchema('Table name. Default: the table\'s key in the file.'),
  }),
}
