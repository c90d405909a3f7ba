/**
 * Field-by-field comparison of JSON values: the building block of expectation matching. Produces
 * every differing leaf with its dotted path, so a failure reads `rows[id=…].address: expected "…" got "…"`.
 */

/** One differing value. `actual`/`expected` are `undefined` when the field is absent on that side. */
export interface FieldDiff {
  readonly path: string
  readonly expected: unknown
  readonly actual: unknown
  /** Set when the comparison was not equality (e.g. `substring` for a dead letter's error). */
  readonly how?: 'substring'
}

export interface DiffOptions {
  /** Only the expected object's fields are compared (partial objects); extra actual fields are fine. */
  readonly subset: boolean
  /** Top-level fields compared as "expected is a substring of actual" (dead-letter `error`). */
  readonly substringFields?: readonly string[]
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const child = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)

/**
 * Every difference between `expected` and `actual` under `path`. Objects compare key by key (in
 * subset mode only the expected keys), arrays element by element, scalars with `Object.is` — so
 * `"4000"` and `4000` differ, which is what a post-code test needs.
 * @example diffValues({ a: 1 }, { a: 2 }, 'row', { subset: false }) // [{ path: 'row.a', expected: 1, actual: 2 }]
 */
export function diffValues(expected: unknown, actual: unknown, path: string, opts: DiffOptions, depth = 0): FieldDiff[] {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const out: FieldDiff[] = []
    for (const [k, ev] of Object.entries(expected)) {
      const p = child(path, k)
      const av = actual[k]
      if (depth === 0 && opts.substringFields?.includes(k) && typeof ev === 'string') {
        if (typeof av !== 'string' || !av.includes(ev)) out.push({ path: p, expected: ev, actual: av, how: 'substring' })
        continue
      }
      if (!(k in actual)) out.push({ path: p, expected: ev, actual: undefined })
      else out.push(...diffValues(ev, av, p, opts, depth + 1))
    }
    if (!opts.subset) for (const [k, av] of Object.entries(actual)) if (!(k in expected)) out.push({ path: child(path, k), expected: undefined, actual: av })
    return out
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: FieldDiff[] = []
    const n = Math.max(expected.length, actual.length)
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`
      if (i >= actual.length) out.push({ path: p, expected: expected[i], actual: undefined })
      else if (i >= expected.length) out.push({ path: p, expected: undefined, actual: actual[i] })
      else out.push(...diffValues(expected[i], actual[i], p, opts, depth + 1))
    }
    return out
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual }]
}
