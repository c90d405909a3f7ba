/**
 * Stage 3: the rendered document validated against the assembled pipeline schema (ajv, all errors),
 * each ajv error mapped to a diagnostic at the offending node: an unknown key at the KEY's line:col
 * with "did you mean", a missing key at its parent, a wrong value at the value.
 *
 * Decision (numbers from templates): a scalar that contained a template renders to a string; where
 * the schema wants an integer/number and the rendered text is a number (`port: "{{env.PORT}}"` →
 * `"5000"`), the value is coerced to that number and validation is repeated. Non-templated strings
 * are never coerced (`port: "5000"` written by hand is a type error, as the editor shows it).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'
import { DURATION_PATTERN, SIZE_PATTERN } from './duration-parse.js'
import { assemblePipelineSchema } from './schema-assemble.js'
import { isSecretPath, SECRET_MASK } from './secret-redact.js'
import { connectorOf, type ConnectorCatalog } from './connector-config.js'
import { pointer } from './template-render.js'
import type { DocPath, YamlSource } from './yaml-source.js'

// Compiled once per catalog (a program has one): compiling the schema costs ~100 ms. The validator
// is a pure function of the schema, so sharing it across files cannot change a result.
const compiled = new WeakMap<ConnectorCatalog, ValidateFunction>()
function validator(catalog: ConnectorCatalog): ValidateFunction {
  let v = compiled.get(catalog)
  if (!v) compiled.set(catalog, (v = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(assemblePipelineSchema(catalog))))
  return v
}

/** Splits a JSON pointer into a path. */
export const fromPointer = (p: string): (string | number)[] =>
  p === '' ? [] : p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))

/**
 * Validates `value` (mutating templated numeric strings into numbers where the schema wants numbers)
 * and returns the diagnostics plus the JSON pointers of every invalid node.
 */
export function validateShape(src: YamlSource, value: unknown, templated: ReadonlySet<string>, skip: ReadonlySet<string>, catalog: ConnectorCatalog): { diagnostics: Diagnostic[]; invalid: Set<string> } {
  const validate = validator(catalog)
  for (let round = 0; round < 4 && !validate(value); round++) {
    let coerced = false
    for (const e of validate.errors ?? []) {
      if (e.keyword !== 'type' || !templated.has(e.instancePath)) continue
      const want = [e.params.type].flat() as string[]
      const raw = e.data
      if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) && (want.includes('integer') || want.includes('number'))) {
        setAt(value, fromPointer(e.instancePath), Number(raw))
        coerced = true
      }
    }
    if (!coerced) break
  }
  const diagnostics: Diagnostic[] = []
  const invalid = new Set<string>()
  const seen = new Set<string>()
  for (const e of validate.errors ?? []) {
    if (skip.has(e.instancePath)) continue
    if (e.schemaPath.includes('/anyOf/')) continue // reported once by the anyOf error itself
    if ((e.keyword === 'pattern' || e.keyword === 'maxLength') && e.propertyName !== undefined) continue // reported by propertyNames
    const d = toDiagnostic(src, e, catalog)
    const k = `${d.line}:${d.col}:${d.code}:${d.message}`
    if (seen.has(k)) continue
    seen.add(k)
    invalid.add(e.instancePath)
    diagnostics.push(d)
  }
  return { diagnostics, invalid }
}

function setAt(root: unknown, path: DocPath, v: unknown): void {
  let o = root as Record<string, unknown>
  for (const s of path.slice(0, -1)) o = o[s] as Record<string, unknown>
  o[path[path.length - 1]!] = v
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v === 'string' ? `string "${v.length > 40 ? v.slice(0, 40) + '…' : v}"` : `${typeof v} ${String(v)}`

/** Whether `path` is a secret field of a source connector (its value is never echoed). */
function secretAt(path: DocPath, catalog: ConnectorCatalog): boolean {
  const c = path[0] === 'sources' || path[0] === 'tables' ? connectorOf(catalog, path[0] === 'sources' ? 'source' : 'table', String(path[2])) : undefined
  return path.length > 3 && c !== undefined && isSecretPath(c, path.slice(3).join('.'))
}

function toDiagnostic(src: YamlSource, e: ErrorObject, catalog: ConnectorCatalog): Diagnostic {
  const path = fromPointer(e.instancePath)
  if (secretAt(path, catalog)) e = { ...e, data: SECRET_MASK }
  const where = path.length ? path.join('.') : 'the pipeline'
  const base = { severity: 'error' as const, file: src.file, path: path.join('.') || undefined }
  const at = (p: DocPath, key = false) => (key ? src.keyPos(p) : src.valuePos(p))
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty)
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {})
      const guess = closest(key, allowed)
      return { ...base, code: CODES.UNKNOWN_KEY, ...at([...path, key], true), path: [...path, key].join('.'), message: `unknown key "${key}" in ${where}`,
        hint: `${guess ? `did you mean "${guess}"? ` : ''}allowed keys: ${allowed.join(', ')}` }
    }
    case 'required': {
      const key = String(e.params.missingProperty)
      return { ...base, code: CODES.MISSING_KEY, ...at(path, true), message: `${where} is missing the required key "${key}"`, hint: `add "${key}:"` }
    }
    case 'propertyNames': {
      const name = String(e.params.propertyName)
      const max = ((e.parentSchema as { propertyNames?: { maxLength?: number } })?.propertyNames?.maxLength) ?? Infinity
      if (name.length > max) {
        return { ...base, code: CODES.INVALID_VALUE, ...at([...path, name], true), path: [...path, name].join('.'), message: `name "${name.slice(0, 40)}…" in ${where} has ${name.length} characters (at most ${max})`,
          hint: path[0] === 'tables' ? 'Postgres keeps 63 characters of a name and Cassandra accepts 48: use a shorter name' : 'Kafka topic names have at most 249 characters (245 leave room for ".dlq"): use a shorter name' }
      }
      return { ...base, code: CODES.INVALID_VALUE, ...at([...path, name], true), path: [...path, name].join('.'), message: `invalid name "${name}" in ${where}`,
        hint: path[0] === 'tables' ? 'table names are SQL/CQL identifiers: lower case letters, digits and _' : 'names use letters, digits, _, . and -' }
    }
    case 'type':
      return { ...base, code: CODES.WRONG_TYPE, ...at(path), message: `${where} must be ${typeName(e.params.type)}, got ${describe(e.data)}`,
        hint: typeof e.data === 'string' && /^\d+$/.test(e.data) ? 'write the number without quotes' : undefined }
    case 'anyOf':
      return { ...base, code: CODES.WRONG_TYPE, ...at(path), message: `${where} must be a name or a list of names, got ${describe(e.data)}` }
    case 'enum':
      return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(e.data)}` }
    case 'pattern': {
      const p = String(e.params.pattern)
      if (p === DURATION_PATTERN) return { ...base, code: CODES.INVALID_DURATION, ...at(path), message: `${where} is not a duration: "${e.data}"`, hint: 'write e.g. 500ms, 10s, 2m, 1h, 1d or a number of milliseconds' }
      if (p === SIZE_PATTERN) return { ...base, code: CODES.INVALID_SIZE, ...at(path), message: `${where} is not a size: "${e.data}"`, hint: 'write e.g. 512kb, 1mb or a number of bytes' }
      const known = catalog.map((c) => c.patterns?.[p]).find((x) => x !== undefined)
      if (known) return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} is not ${known.what}: "${e.data}"`, hint: known.hint }
      return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} ${patternText(p)}, got "${e.data}"` }
    }
    case 'minimum': case 'maximum': {
      const ps = e.parentSchema as { minimum?: number; maximum?: number; description?: string }
      const n = (x: number) => x.toLocaleString('en-US')
      const range = ps.maximum === undefined ? `at least ${n(ps.minimum!)}` : ps.minimum === undefined ? `at most ${n(ps.maximum)}` : `from ${n(ps.minimum)} to ${n(ps.maximum)}`
      return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} must be ${range}, got ${describe(e.data)}`, hint: `${ps.description ? `${ps.description.replace(/\.$/, '')}. ` : ''}Use a value ${range}.` }
    }
    case 'minLength': case 'maxLength': {
      const ps = e.parentSchema as { minLength?: number; maxLength?: number }
      if (e.keyword === 'minLength') return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} must not be empty` }
      return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} has ${String(e.data).length} characters (at most ${ps.maxLength})`, hint: /keyspace|cassandra/.test(where) ? 'Cassandra accepts keyspace and table names of at most 48 characters' : /postgres/.test(where) ? 'Postgres keeps 63 characters of an identifier (longer ones are truncated)' : 'use a shorter value' }
    }
    default:
      return { ...base, code: CODES.INVALID_VALUE, ...at(path), message: `${where} ${e.message ?? 'is invalid'}, got ${describe(e.data)}` }
  }
}

function typeName(t: unknown): string {
  const names = [t].flat().map((x) => ({ integer: 'a whole number', number: 'a number', string: 'a string', object: 'a mapping', array: 'a list', boolean: 'true or false' } as Record<string, string>)[String(x)] ?? String(x))
  return names.join(' or ')
}

function patternText(p: string): string {
  if (p === '^[a-z_][a-z0-9_]*$') return 'must be an identifier (lower case letters, digits and _, not starting with a digit)'
  if (p === '^/') return 'must start with /'
  if (p.startsWith('\\.')) return `must be a file ending in ${p.slice(2).replace(/[()$\\]/g, '').split('|').map((x) => '.' + x).join(' or ')}`
  return `must match ${p}`
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestD) { bestD = d; best = c }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

export { pointer }
