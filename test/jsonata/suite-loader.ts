/**
 * Loads the cases of JSONata's official test suite (format: the suite's README.md).
 * Location: env `JSONATA_SUITE_DIR`, else `../shared/jsonata-test-suite` beside the repository,
 * else the vendored copy in `test/jsonata/suite/`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One case of the suite, as stored (plus where it came from). */
export interface SuiteCase {
  readonly name: string
  readonly expr: string
  readonly data: unknown
  readonly bindings: Record<string, unknown>
  readonly timelimit?: number
  readonly depth?: number
  readonly result?: unknown
  readonly undefinedResult?: boolean
  readonly code?: string
  readonly token?: string
  readonly error?: Record<string, unknown>
  readonly hasResult: boolean
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** The suite directory in use. */
export function suiteDir(): string {
  const env = process.env.JSONATA_SUITE_DIR
  if (env) return env
  const shared = join(repoRoot, '..', 'shared', 'jsonata-test-suite')
  if (existsSync(join(shared, 'groups'))) return shared
  return join(repoRoot, 'test', 'jsonata', 'suite')
}

/** Every case of every group, in a stable order. */
export function loadSuite(dir = suiteDir()): SuiteCase[] {
  const datasets = new Map<string, unknown>()
  const dataset = (name: string): unknown => {
    if (!datasets.has(name)) datasets.set(name, JSON.parse(readFileSync(join(dir, 'datasets', `${name}.json`), 'utf8')))
    return datasets.get(name)
  }
  const out: SuiteCase[] = []
  for (const group of readdirSync(join(dir, 'groups')).sort()) {
    const gdir = join(dir, 'groups', group)
    for (const file of readdirSync(gdir).filter((f) => f.endsWith('.json')).sort()) {
      const raw = JSON.parse(readFileSync(join(gdir, file), 'utf8')) as Record<string, unknown> | Record<string, unknown>[]
      const list = Array.isArray(raw) ? raw : [raw]
      list.forEach((c, i) => {
        const expr = typeof c['expr-file'] === 'string' ? readFileSync(join(gdir, c['expr-file'] as string), 'utf8') : (c.expr as string)
        const data = 'data' in c ? c.data : typeof c.dataset === 'string' ? dataset(c.dataset) : undefined
        out.push({
          name: `${group}/${file}${list.length > 1 ? `#${i}` : ''}`,
          expr,
          data,
          bindings: (c.bindings as Record<string, unknown>) ?? {},
          timelimit: c.timelimit as number | undefined,
          depth: c.depth as number | undefined,
          result: c.result,
          undefinedResult: c.undefinedResult === true,
          code: c.code as string | undefined,
          token: c.token as string | undefined,
          error: c.error as Record<string, unknown> | undefined,
          hasResult: 'result' in c,
        })
      })
    }
  }
  return out
}

/** Every dataset of the suite, by name. */
export function loadDatasets(dir = suiteDir()): [string, unknown][] {
  return readdirSync(join(dir, 'datasets'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, 'datasets', f), 'utf8'))])
}

/**
 * Deep equality as chai's `deep.equal` in the official harness: arrays compare by elements only
 * (a jsonata sequence equals the plain array), objects by own enumerable keys, numbers with
 * Object.is semantics except NaN (-0 differs from 0, as in chai).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return a !== 0 || Object.is(a, b)
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b)
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]))
  }
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
