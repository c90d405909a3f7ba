/** The `generate` source connector: seeded randomuser-shaped users, no network. */
import type { Connector, ConnectorRuntime } from '../connector.js'
import type { GenerateSourceSpec } from './spec.js'
import { GENERATE_SOURCE_SPEC } from './spec.js'
import { GenerateSource } from './generate-source.js'

const runtime: ConnectorRuntime = { input: (s) => ({ pull: GenerateSource.fromSpec(s as GenerateSourceSpec) }) }

export const generateConnector: Connector = {
  config: GENERATE_SOURCE_SPEC,
  live: () => runtime,
  embedded: () => runtime,
}
