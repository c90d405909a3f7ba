/** rtds' registry plus the toy connector: the one line that registers it. */
import { ConnectorRegistry, CONNECTORS } from '../../connectors/index.js'
import { jsonlConnector } from './jsonl/connector.js'

export const TOY_CONNECTORS = new ConnectorRegistry([...CONNECTORS.connectors, jsonlConnector])
