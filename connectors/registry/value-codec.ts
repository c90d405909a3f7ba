/**
 * Topic values in the Confluent wire format (magic byte 0, 4-byte schema id, payload) through the
 * schema registry. The writer looks up the id of the topic's declared schema under its subject
 * (it never registers: that is `rtds apply`'s job) and caches it; the reader decodes whatever id a
 * message names. JSON Schema topics use the registry's JSON type (validated with ajv by the
 * registry client); a topic without a declared value schema carries plain JSON, no wire header.
 */
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import type { ConnectionSettings } from '../../core/settings.js'
import type { ValueSchemaRef } from '../../dsl/spec.js'
import { RecordError, RtdsError } from '../../core/errors.js'
import { classifyRegistryError, registryStatus } from './client.js'

/** The part of a topic's value schema the codec needs (see `ValueSchemaRef` in dsl/spec.ts). */
export type CodecSchema = Pick<ValueSchemaRef, 'type' | 'schema' | 'subject'> & Partial<Pick<ValueSchemaRef, 'path'>>

/** Encodes and decodes topic values; see the module comment. One instance per backend (it caches ids). */
export class RegistryValueCodec {
  private readonly ids = new Map<string, Promise<number>>()
  /** The same lookups by schema object: encoding a record must not serialise its schema again. */
  private readonly byObject = new WeakMap<CodecSchema, Promise<number>>()
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>,
  ) {}

  /**
   * The registry id of `schema` under its subject. Throws a non-retriable `RtdsError` hinting
   * `rtds apply` when the schema is not registered there, a `ConnectionError` when the registry is
   * unreachable (not cached, so a later call retries).
   */
  schemaId(schema: CodecSchema): Promise<number> {
    const known = this.byObject.get(schema)
    if (known) return known
    const text = JSON.stringify(schema.schema)
    const cacheKey = `${schema.subject}\u0000${schema.type}\u0000${text}`
    let id = this.ids.get(cacheKey)
    if (!id) {
      id = this.registry
        .getRegistryIdBySchema(schema.subject, { type: schema.type === 'JSON' ? SchemaType.JSON : SchemaType.AVRO, schema: text } as never)
        .catch((err: unknown) => {
          this.ids.delete(cacheKey)
          const status = registryStatus(err)
          if (status === 404 || /not found|404/i.test((err as Error)?.message ?? '')) {
            throw new RtdsError(
              `the value schema ${schema.path ?? ''} is not registered under subject ${schema.subject} in the schema registry`.replace('  ', ' '),
              { cause: err, hint: 'run `rtds apply` to register it (and `rtds plan` to see what differs)' },
            )
          }
          throw classifyRegistryError(err, this.settings, `look up the schema id of subject ${schema.subject}`)
        })
      this.ids.set(cacheKey, id)
    }
    this.byObject.set(schema, id)
    id.catch(() => this.byObject.delete(schema)) // not cached: a later call asks again
    return id
  }

  /**
   * The wire-format bytes of `value`. A value that does not match the schema is a
   * `RecordError('validation')` (dead-lettered by the engine); registry failures are thrown as
   * classified above.
   */
  async encode(schema: CodecSchema | undefined, value: unknown): Promise<Buffer> {
    if (!schema) return Buffer.from(JSON.stringify(value ?? null))
    const id = await this.schemaId(schema)
    try {
      return await this.registry.encode(id, value)
    } catch (err) {
      const e = err as { name?: string; message?: string; paths?: string[][] }
      if (e?.name === 'ConfluentSchemaRegistryValidationError' || e?.name === 'ConfluentSchemaRegistryArgumentError' || err instanceof TypeError || err instanceof RangeError || /invalid/i.test(e?.message ?? '')) {
        const paths = e?.paths?.map((p) => p.join('.')).filter(Boolean)
        return Promise.reject(
          new RecordError('validation', `value does not match ${schema.type} schema of subject ${schema.subject}${paths?.length ? ` at ${paths.join(', ')}` : ''}: ${e?.message ?? String(err)}`, { cause: err }),
        )
      }
      throw classifyRegistryError(err, this.settings, `encode a value for subject ${schema.subject}`)
    }
  }

  /**
   * Decodes wire-format bytes (or plain JSON when `framed` is false). Bytes that are not a valid
   * message are a `RecordError('decode')`; an unreachable registry is a `ConnectionError`.
   */
  async decode(bytes: Buffer | null, framed = true): Promise<unknown> {
    if (bytes === null) throw new RecordError('decode', 'message has no value (tombstone)')
    if (!framed) {
      try {
        return JSON.parse(bytes.toString('utf8'))
      } catch (err) {
        throw new RecordError('decode', `value is not JSON: ${(err as Error).message}`, { cause: err })
      }
    }
    if (bytes.length < 5 || bytes[0] !== 0) {
      throw new RecordError('decode', `value is not in the Confluent wire format (${bytes.length} bytes, first byte ${bytes[0] ?? 'none'})`)
    }
    try {
      return toPlain(await this.registry.decode(bytes))
    } catch (err) {
      const status = registryStatus(err)
      if (status === 404) throw new RecordError('decode', `value names schema id ${bytes.readInt32BE(1)}, unknown to the registry`, { cause: err })
      const classified = classifyRegistryError(err, this.settings, 'decode a value')
      if (classified.retriable) throw classified
      throw new RecordError('decode', `value cannot be decoded with schema id ${bytes.readInt32BE(1)}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
  }
}

/**
 * Avro decoding yields instances of generated record classes; the engine works on plain JSON data.
 * Copies records into plain objects (recursively); Buffers (Avro bytes/fixed) are kept.
 */
export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v
  if (Array.isArray(v)) return v.map(toPlain)
  const out: Record<string, unknown> = {}
  const o = v as Record<string, unknown>
  for (const k of Object.keys(o)) out[k] = toPlain(o[k]) // not Object.entries: no [key, value] array per field
  return out
}
