/**
 * Generates JSONata expressions from the actual shape of a JSON document (random walks over its
 * keys, predicates on values found there), so the differential test exercises paths, flattening,
 * predicates, wildcards, grouping and sorting on realistic nested data rather than mostly errors.
 */

type Json = unknown

function quote(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !['and', 'or', 'in', 'true', 'false', 'null', 'function'].includes(key) ? key : '`' + key + '`'
}

/** Expression generator over one document. */
export class DataPathGenerator {
  constructor(private readonly rnd: () => number, private readonly doc: Json) {}

  /** Variables bound by `#`/`@` in the paths generated so far for the current expression. */
  private vars: string[] = []

  private int(n: number): number {
    return Math.floor(this.rnd() * n)
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]
  }

  /** Objects reachable from `v` (arrays are looked through, as jsonata paths do). */
  private objects(v: Json): Record<string, Json>[] {
    if (Array.isArray(v)) return v.flatMap((x) => this.objects(x))
    return v !== null && typeof v === 'object' ? [v as Record<string, Json>] : []
  }

  /** A random path from the root; returns the path text and a sample of the values it reaches. */
  path(maxSteps = 4): { text: string; values: Json[]; keys: string[] } {
    let values: Json[] = [this.doc]
    const steps: string[] = []
    let lastKeys: string[] = []
    for (let i = 0; i < 1 + this.int(maxSteps); i++) {
      const objs = values.flatMap((v) => this.objects(v))
      const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))]
      if (keys.length === 0) break
      lastKeys = keys
      const r = this.rnd()
      let step: string
      if (r < 0.06) {
        step = '*'
        values = objs.flatMap((o) => Object.values(o))
      } else if (r < 0.09 && i === 0) {
        step = '**'
        values = objs
      } else {
        const key = this.pick(keys)
        step = quote(key)
        values = objs.map((o) => o[key]).filter((v) => v !== undefined)
      }
      const t = this.rnd()
      // tuple streams: an index or focus variable, sometimes used by a predicate right away
      const binding = t < 0.08 ? `#$i${i}` : t < 0.13 && step !== '**' ? `@$f${i}` : ''
      const usesBinding = binding.startsWith('#') && this.rnd() < 0.5 ? `[$i${i} ${this.pick(['<', '=', '>'])} ${this.int(3)}]` : ''
      steps.push(step + binding + (binding.startsWith('@') ? '' : this.stage(values)) + usesBinding)
      if (binding) this.vars.push(binding.slice(1))
      if (values.length === 0) break
    }
    if (this.rnd() < 0.1) steps[steps.length - 1] += '[]'
    return { text: steps.join('.'), values, keys: lastKeys }
  }

  private scalarOf(values: Json[]): Json {
    const scalars = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v === null || typeof v !== 'object')
    return scalars.length ? this.pick(scalars) : this.int(5)
  }

  private stage(values: Json[]): string {
    const r = this.rnd()
    if (r < 0.12) return `[${this.pick([0, 1, -1, 2, -2])}]`
    if (r < 0.22) {
      const objs = values.flatMap((v) => this.objects(v))
      const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))]
      if (keys.length === 0) return ''
      const key = this.pick(keys)
      const v = this.scalarOf(objs.map((o) => o[key]))
      const op = typeof v === 'number' ? this.pick(['=', '>', '<=', '!=']) : this.pick(['=', '!='])
      return `[${quote(key)} ${op} ${JSON.stringify(v)}]`
    }
    if (r < 0.25) return `[${this.pick(['true', 'false', '$exists($)'])}]`
    return ''
  }

  /** One expression built around one or two random paths. */
  expr(): string {
    this.vars = []
    const p = this.path()
    const q = this.path()
    const v = this.vars.length ? this.pick(this.vars) : '$'
    const k = p.keys.length ? quote(this.pick(p.keys)) : 'x'
    switch (this.int(30)) {
      case 0: return p.text
      case 1: return `$count(${p.text})`
      case 2: return `$string(${p.text})`
      case 3: return `$sum(${p.text}[$type($) = "number"])`
      case 4: return `$join(${p.text}[$type($) = "string"], ", ")`
      case 5: return `[${p.text}, ${q.text}]`
      case 6: return `{"a": ${p.text}, "b": ${q.text}}`
      case 7: return `${p.text}{$string(${k}): ${q.text.split('.').pop()}}`
      case 8: return `${p.text}^(${this.pick(['', '>'])}${k})`
      case 9: return `$distinct(${p.text})`
      case 10: return `$reverse(${p.text})`
      case 11: return `$map(${p.text}, function($v, $i) { [$i, $v] })`
      case 12: return `$filter(${p.text}, function($v) { $exists($v.${k}) })`
      case 13: return `$keys(${p.text})`
      case 14: return `$lookup(${p.text}, ${JSON.stringify(k.replace(/`/g, ''))})`
      case 15: return `$spread(${p.text})`
      case 16: return `$merge(${p.text}[$type($) = "object"])`
      case 17: return `${p.text}.{"k": ${k}, "n": $count(*)}`
      case 18: return `${p.text}[${k}].${q.text.split('.').pop()}`
      case 19: return `$sort(${p.text}[$type($) = "number"])`
      case 20: return `(${p.text})[${this.int(3)}]`
      case 21: return `$exists(${p.text}) ? ${q.text} : "none"`
      case 22: return `${p.text} ~> $type()`
      case 23: return `$reduce(${p.text}[$type($) = "number"], function($a, $b) { $a + $b })`
      case 24: return `$each(${p.text}[$type($) = "object"][0], function($v, $k) { $k })`
      case 25: return `${p.text}.{"v": ${v}, "k": ${k}}`
      case 26: return `${p.text}.%`
      case 27: return `${p.text}.{"up": %.${k}, "here": ${k}}`
      case 28: return `${p.text}[${v} ${this.pick(['=', '!='])} ${k}]`
      default: return `${p.text} = ${q.text}`
    }
  }
}
