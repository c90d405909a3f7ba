/**
 * The connector registry of rtds: one line per connector. Schema assembly, spec resolution, the
 * engine, `plan`/`apply` and `graph` look kinds up here (see connectors/connector.ts).
 */
import * as dsl from '../dsl/index.js'
import type { ConnectorCatalog } from '../dsl/connector-config.js'
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

/** What the DSL is handed: every connector's YAML block (schema, defaults, resolution, checks). */
export const CONNECTOR_CATALOG: ConnectorCatalog = CONNECTORS.configs()

type LoadOptions = Omit<dsl.LoadOptions, 'connectors'>

/** `dsl.loadPipeline` with the connectors of rtds. */
export const loadPipeline = (file: string, opts: LoadOptions = {}) => dsl.loadPipeline(file, { ...opts, connectors: CONNECTOR_CATALOG })
/** `dsl.loadPipelines` with the connectors of rtds. */
export const loadPipelines = (paths: readonly string[], opts: LoadOptions = {}) => dsl.loadPipelines(paths, { ...opts, connectors: CONNECTOR_CATALOG })
/** `dsl.compilePipeline` with the connectors of rtds. */
export const compilePipeline = (file: string, text: string, opts: LoadOptions = {}) => dsl.compilePipeline(file, text, { ...opts, connectors: CONNECTOR_CATALOG })
/** The pipeline JSON Schema of rtds (what `npm run schema` writes). */
export const pipelineSchema = () => dsl.assemblePipelineSchema(CONNECTOR_CATALOG)
