/** Config spec of the `generate` source: offline, seeded randomuser-shaped records. */
import { objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'

export const GENERATE_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'generate',
  role: 'source',
  description: 'Generate seeded records offline (no network).',
  secrets: [],
  schema: objectSchema('Generate seeded records offline.', {
    shape: { description: 'Shape of the generated records.', type: 'string', enum: ['randomuser'], default: 'randomuser' },
    seed: { description: 'Seed of the generator: the same seed gives the same records.', type: 'integer', default: 1 },
    count: { description: 'Records per run (per tick when scheduled).', type: 'integer', minimum: 1, default: 10 },
  }),
}
