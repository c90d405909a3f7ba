import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Ajv, type ErrorObject } from 'ajv'
import type { Diagnostic } from '../../dsl/diagnostic.js'
import { packageRoot } from './package-root.js'
import { TEST_CODES } from './test-codes.js'
import type { ExpectTarget, InputTarget, MatchMode, TestCase, TestExpect, TestFile, TestInput, TestPos } from './test-file-types.js'
import { parseYamlWithPositions } from './yaml-positions.js'

/** A test file name: `<anything>.test.yaml` or `.test.yml`. */
export const TEST_FILE_PATTERN = /\.test\.ya?ml$/

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git'])

/**
 * Expands files and folders to the pipeline test files they hold (folders recursively, sorted).
 * `missing` lists paths that do not exist, `empty` the folders that hold no test file.
 * @example findTestFiles(['pipelines/']) // { files: ['pipelines/users.test.yaml'], missing: [], empty: [] }
 */
export function findTestFiles(paths: readonly string[]): { files: string[]; missing: string[]; empty: string[] } {
  const files: string[] = []
  const missing: string[] = []
  const empty: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP_DIRS.has(name)) continue
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (TEST_FILE_PATTERN.test(name)) files.push(p)
    }
  }
  for (const p of paths) {
    let st
    try { st = statSync(p) } catch { missing.push(p); continue }
    if (st.isDirectory()) {
      const before = files.length
      walk(p)
      if (files.length === before) empty.push(p)
    } else files.push(p)
  }
  return { files: [...new Set(files)], missing, empty }
}

let validator: ReturnType<Ajv['compile']> | undefined
function schemaValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas/pipeline-test.schema.json'), 'utf8'))
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema)
  }
  return validator
}

type Seg = string | number
const dotted = (path: readonly Seg[]): string =>
  path.reduce<string>((s, seg) => (typeof seg === 'number' ? `${s}[${seg}]` : s ? `${s}.${seg}` : seg), '')

/** Result of loading one test file: the typed file when there is no error, and every problem found. */
export interface LoadedTestFile {
  readonly testFile?: TestFile
  readonly diagnostics: readonly Diagnostic[]
}

/**
 * Reads, parses (keeping positions) and validates one test file against
 * `schemas/pipeline-test.schema.json`, then reads the JSON files its inputs name. Reports every
 * problem of the file (never only the first) as diagnostics with `file:line:col`. Whether the named
 * targets exist in the pipeline is checked later, against the loaded pipeline (`checkTargets`).
 */
export function loadTestFile(file: string): LoadedTestFile {
  const diagnostics: Diagnostic[] = []
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    return { diagnostics: [{ code: TEST_CODES.file, severity: 'error', message: `cannot read test file: ${(err as Error).message}`, file, line: 1, col: 1 }] }
  }
  const doc = parseYamlWithPositions(text)
  if (doc.errors.length > 0) {
    return { diagnostics: doc.errors.map((e) => ({ code: TEST_CODES.syntax, severity: 'error' as const, message: e.message, file, line: e.line, col: e.col })) }
  }
  const diag = (code: string, path: readonly Seg[], message: string, hint?: string, atKey = false): void => {
    const p = atKey ? doc.keyPosAt(path) : doc.posAt(path)
    diagnostics.push({ code, severity: 'error', message, file, line: p.line, col: p.col, path: dotted(path) || undefined, hint })
  }
  const validate = schemaValidator()
  if (!validate(doc.value)) {
    for (const e of validate.errors ?? []) schemaDiagnostic(e, diag)
    return { diagnostics }
  }
  const raw = doc.value as RawFile
  const dir = dirname(resolve(file))
  const posOf = (path: readonly Seg[]): TestPos => ({ file, ...doc.posAt(path) })
  const fileEnv = stringEnv(raw.env)
  const names = new Map<string, number>()
  const cases: TestCase[] = raw.cases.map((c, i) => {
    const at: Seg[] = ['cases', i]
    const first = names.get(c.name)
    if (first !== undefined) diag(TEST_CODES.duplicateCase, [...at, 'name'], `case name "${c.name}" is already used by cases[${first}]`, 'give every case a unique name')
    else names.set(c.name, i)
    return {
      name: c.name,
      description: c.description,
      vars: { ...(raw.vars ?? {}), ...(c.vars ?? {}) },
      env: { ...fileEnv, ...stringEnv(c.env) },
      inputs: (c.inputs ?? []).map((inp, j) => loadInput(inp, [...at, 'inputs', j], dir, posOf, diag)),
      expect: c.expect.map((ex, j) => loadExpect(ex, [...at, 'expect', j], dir, posOf, diag)),
      pos: posOf(at),
    }
  })
  if (diagnostics.length > 0) return { diagnostics }
  return {
    diagnostics,
    testFile: {
      file,
      path: resolve(file),
      pipeline: { path: raw.pipeline, file: resolve(dir, raw.pipeline), pos: posOf(['pipeline']) },
      cases,
    },
  }
}

interface RawFile { pipeline: string; vars?: Record<string, unknown>; env?: Record<string, unknown>; cases: RawCase[] }
interface RawCase { name: string; description?: string; vars?: Record<string, unknown>; env?: Record<string, unknown>; inputs?: RawInput[]; expect: RawExpect[] }
interface RawInput { source?: string; topic?: string; table?: string; records?: unknown[]; file?: string }
interface RawExpect { stage?: string; topic?: string; table?: string; dlq?: string; records?: unknown[]; match?: MatchMode; count?: number; golden?: string }
type Diag = (code: string, path: readonly Seg[], message: string, hint?: string, atKey?: boolean) => void

const stringEnv = (env: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]))

/** Returns the one key of `keys` present in `obj`, reporting when none or several are. */
function exactlyOne<K extends string>(obj: object, keys: readonly K[], at: readonly Seg[], what: string, diag: Diag): K | undefined {
  const present = keys.filter((k) => (obj as Record<string, unknown>)[k] !== undefined)
  if (present.length === 1) return present[0]
  if (present.length === 0) diag(TEST_CODES.exactlyOne, at, `${what}: one of ${keys.map((k) => `"${k}"`).join(', ')} is required`)
  else diag(TEST_CODES.exactlyOne, [...at, present[1]!], `${what}: give only one of ${present.map((k) => `"${k}"`).join(', ')}`, undefined, true)
  return undefined
}

function loadInput(inp: RawInput, at: Seg[], dir: string, posOf: (p: readonly Seg[]) => TestPos, diag: Diag): TestInput {
  const kind = exactlyOne(inp, ['source', 'topic', 'table'] as const, at, 'input', diag) ?? 'source'
  const from = exactlyOne(inp, ['records', 'file'] as const, at, 'input', diag)
  const target: InputTarget = { kind, name: inp[kind] ?? '' }
  if (from !== 'file' || inp.file === undefined) return { target, records: inp.records ?? [], pos: posOf(at) }
  const abs = resolve(dir, inp.file)
  const data = readJson(abs, inp.file, [...at, 'file'], diag)
  const records = data === undefined ? [] : Array.isArray(data) ? data : [data]
  return { target, records, file: abs, pos: posOf(at) }
}

function loadExpect(ex: RawExpect, at: Seg[], dir: string, posOf: (p: readonly Seg[]) => TestPos, diag: Diag): TestExpect {
  const kind = exactlyOne(ex, ['stage', 'topic', 'table', 'dlq'] as const, at, 'expect', diag) ?? 'table'
  const what = exactlyOne(ex, ['records', 'count', 'golden'] as const, at, 'expect', diag)
  if (ex.match !== undefined && what !== 'records') diag(TEST_CODES.exactlyOne, [...at, 'match'], '"match" applies to inline "records" only (golden files and counts compare exactly)', undefined, true)
  const target: ExpectTarget = { kind, name: ex[kind] ?? '' }
  const base = { target, match: ex.match ?? 'exact', pos: posOf(at) } as const
  if (what === 'golden' && ex.golden !== undefined) return { ...base, golden: { path: ex.golden, file: resolve(dir, ex.golden) } }
  if (what === 'count') return { ...base, count: ex.count }
  return { ...base, records: ex.records ?? [] }
}

function readJson(abs: string, shown: string, at: readonly Seg[], diag: Diag): unknown {
  let text: string
  try {
    text = readFileSync(abs, 'utf8')
  } catch {
    const rel = relative(process.cwd(), abs)
    diag(TEST_CODES.file, at, `file "${shown}" not found (looked at ${rel.startsWith('..') ? abs : rel})`, 'paths are relative to the test file')
    return undefined
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    diag(TEST_CODES.file, at, `file "${shown}" is not valid JSON: ${(err as Error).message}`)
    return undefined
  }
}

/** Turns one ajv error into a positioned diagnostic with a readable message. */
function schemaDiagnostic(e: ErrorObject, diag: Diag): void {
  const path: Seg[] = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')))
  const where = dotted(path) || 'the top level'
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty)
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      diag(TEST_CODES.schema, [...path, key], `unknown key "${key}" in ${where}`, allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined, true)
      return
    }
    case 'required':
      diag(TEST_CODES.schema, path, `missing key "${(e.params as { missingProperty: string }).missingProperty}" in ${where}`)
      return
    case 'enum':
      diag(TEST_CODES.schema, path, `${where} ${e.message} (${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')})`)
      return
    default:
      diag(TEST_CODES.schema, path, `${where} ${e.message ?? 'is invalid'}`)
  }
}
