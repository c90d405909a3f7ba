/** Config spec of the `generate` source: offline, seeded randomuser-shaped records. */
import { objectSchema, type ConnectorConfigSpec } from '../../dsl/connector-config.js'
import type { SourceSpecOf } from '../../dsl/spec.js'

/** The resolved `generate:` block of a source. */
export interface GenerateSourceConfig {
  /** Shape of the generated records. Only `randomuser` exists today. */
  readonly shape: 'randomuser'
  readonly seed: number
  /** Records per run (per tick when scheduled). */
  readonly count: number
}

declare module '../../dsl/spec.js' { interface SourceConfigs { generate: GenerateSourceConfig } }

export type GenerateSourceSpec = SourceSpecOf<'generate'>

export const GENERATE_SOURCE_SPEC: ConnectorConfigSpec = {
  key: 'generate', role: 'source', secrets: [],
  description: 'Generate seeded records offline (no network).',
  schema: objectSchema('Generate seeded records offline.', {
    shape: { description: 'Shape of the generated records.', type: 'string', enum: ['randomuser'], default: 'randomuser' },
    seed: { description: 'Seed of the generator: the same seed gives the same records.', type: 'integer', default: 1 },
    count: { description: 'Records per run (per tick when scheduled). At most 100,000.', type: 'integer', minimum: 1, maximum: 100_000, default: 10 },
  }),
  describe: (c: GenerateSourceConfig) => `generate ${c.shape} seed=${c.seed} count=${c.count}`,
}
