/**
 * The connector registry of rtds: one line per connector. Schema assembly, spec resolution, the
 * engine, `plan`/`apply` and `graph` look kinds up here (see connectors/connector.ts).
 */
import { ConnectorRegistry } from './connector.js'
import { cassandraConnector } from './cassandra/connector.js'
import { generateConnector } from './generate/connector.js'
import { httpServerConnector } from './http-server/connector.js'
import { httpConnector } from './http/connector.js'
import { kafkaConnector } from './kafka/connector.js'
import { postgresConnector } from './postgres/connector.js'

export const CONNECTORS = new ConnectorRegistry([
  httpConnector,
  httpServerConnector,
  generateConnector,
  kafkaConnector,
  postgresConnector,
  cassandraConnector,
])

export { ConnectorRegistry, kindOf, type Connector, type ConnectorRuntime, type Entity, type Input, type InputContext, type ReadOptions, type ResourceType } from './connector.js'
