/**
 * The pipeline schema as editors see it. Templates are rendered per string value before the file
 * is validated, so `keyspace: "{{vars.keyspace}}"` or `port: "{{env.PORT}}"` are valid pipelines
 * whose text does not match the pattern or type of the field. In the schema written for editors
 * (`schemas/pipeline.schema.json`, yaml-language-server, any Draft-7 validator) every constrained
 * value therefore also accepts a string holding a template; `rtds validate` applies the field's own
 * pattern, type and range after rendering, with the strict schema of `assemblePipelineSchema`.
 */
import type { JsonSchema } from './connector-config.js'

/** A string holding a Handlebars template (`{{…}}`): checked after rendering, by `rtds validate`. */
export const TEMPLATE_SCHEMA: JsonSchema = {
  description: 'A template ({{env.NAME}}, {{vars.name}}, {{default env.NAME "x"}}): the value is checked after rendering.',
  type: 'string',
  pattern: '\\{\\{[\\s\\S]*\\}\\}',
}

/** Annotations kept on the wrapper (what editors show), not repeated inside it. */
const META = ['description', 'default', 'examples', 'writeOnly', '$comment'] as const

/** Does `s` constrain a value beyond "any string" (so that a template could fail it)? */
function constrained(s: JsonSchema): boolean {
  if (s.anyOf || s.properties || s.additionalProperties !== undefined || s.items) return false
  return s.type !== 'string' || s.pattern !== undefined || s.enum !== undefined || s.const !== undefined || s.format !== undefined || s.maxLength !== undefined
}

/**
 * `strict` with a template alternative on every constrained value (recursively: properties,
 * additionalProperties, items and anyOf branches). Objects and lists themselves are never
 * templates (a rendered string stays a string); keys are never rendered.
 */
export function editorSchema(strict: JsonSchema): JsonSchema {
  const walk = (s: unknown): unknown => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return s
    const o = s as JsonSchema
    if (constrained(o)) {
      const meta = Object.fromEntries(META.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]))
      const inner = Object.fromEntries(Object.entries(o).filter(([k]) => !(META as readonly string[]).includes(k)))
      return { ...meta, anyOf: [inner, TEMPLATE_SCHEMA] }
    }
    const out: Record<string, unknown> = { ...o }
    if (o.properties) out.properties = Object.fromEntries(Object.entries(o.properties as Record<string, unknown>).map(([k, v]) => [k, walk(v)]))
    if (o.additionalProperties && typeof o.additionalProperties === 'object') out.additionalProperties = walk(o.additionalProperties)
    if (o.items) out.items = walk(o.items)
    if (Array.isArray(o.anyOf)) out.anyOf = (o.anyOf as unknown[]).map(walk)
    return out
  }
  return walk(strict) as JsonSchema
}
