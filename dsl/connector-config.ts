/**
 * How a connector declares its configuration once (Benthos-style): the JSON Schema fragment of its
 * YAML block (with descriptions, defaults and examples), which role it plays, and which fields are
 * secret. `schemas/pipeline.schema.json` is assembled from these fragments (`npm run schema`), the
 * validator uses the same assembled schema, and `rtds graph` redacts the secret fields.
 */
import { DURATION_PATTERN, SIZE_PATTERN } from './duration-parse.js'

/** A JSON Schema object (draft-07 subset used by the DSL). */
export type JsonSchema = { readonly [k: string]: unknown }

export interface ConnectorConfigSpec {
  /** The YAML key of the connector block, e.g. `http`, `http_server`, `cassandra`. */
  readonly key: string
  /** Where the block appears: under a source, as a topic, or under a table. */
  readonly role: 'source' | 'topic' | 'table'
  /** One-line description (shown by editors). */
  readonly description: string
  /** JSON Schema of the block; `additionalProperties: false` at every level. */
  readonly schema: JsonSchema
  /**
   * Dotted paths of secret fields inside the block (`*` matches any key): marked `writeOnly` in the
   * schema, never printed by `rtds graph`, compared by fingerprint by `plan`.
   */
  readonly secrets: readonly string[]
}

/** Schema of a duration value: `"500ms"`, `"10s"`, `"2m"`, `"1h"`, `"1d"` or milliseconds. */
export function durationSchema(description: string, def?: string): JsonSchema {
  return { description: `${description} A duration: 500ms, 10s, 2m, 1h, 1d or a number of milliseconds.`, type: ['string', 'integer'], pattern: DURATION_PATTERN, minimum: 0, ...(def === undefined ? {} : { default: def }) }
}

/** Schema of a size value: `"512kb"`, `"1mb"` or bytes. */
export function sizeSchema(description: string, def?: string): JsonSchema {
  return { description: `${description} A size: 512kb, 1mb or a number of bytes.`, type: ['string', 'integer'], pattern: SIZE_PATTERN, minimum: 0, ...(def === undefined ? {} : { default: def }) }
}

/** Schema of a closed object (unknown keys are errors). */
export function objectSchema(description: string, properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { description, type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) }
}

/** Schema of a name usable in SQL/CQL (`^[a-z_][a-z0-9_]*$`). */
export function identifierSchema(description: string): JsonSchema {
  return { description, type: 'string', pattern: '^[a-z_][a-z0-9_]*$' }
}
