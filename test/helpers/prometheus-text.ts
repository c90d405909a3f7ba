/**
 * A strict parser of the Prometheus text exposition format (0.0.4) for tests: every sample line
 * must belong to the family declared by the `# TYPE` before it (histograms: `_bucket` with `le`,
 * `_sum`, `_count`), label values are unescaped (`\\`, `\"`, `\n`), values are Go floats (`+Inf`,
 * `NaN`, ...), no family is declared twice, and naming conventions are checked: valid names, HELP
 * on every family, counters end in `_total`, histogram buckets are cumulative and `+Inf` equals
 * `_count`. Anything else throws with the line number. (The npm `parse-prometheus-text-format`
 * drops the labels of histogram samples, so it cannot check per-label histograms.)
 */
import * as assert from 'uvu/assert'

export interface Sample {
  readonly labels: Record<string, string>
  readonly value: number
}

/** A metric family: counters and gauges have `samples`; histograms have one entry per label set. */
export interface Family {
  readonly name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  readonly samples: Sample[]
  readonly histograms: { labels: Record<string, string>; buckets: Map<number, number>; sum?: number; count?: number }[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** A Go float as Prometheus reads it (`strconv.ParseFloat`: NaN and Inf case-insensitively, e.g. prom-client's `Nan`). */
function parseValue(text: string, line: number): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity
  if (/^-inf(inity)?$/i.test(text)) return -Infinity
  if (/^nan$/i.test(text)) return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: invalid value ${JSON.stringify(text)}`)
  return Number(text)
}

/** Parses `name{a="b",...} value [timestamp]`. */
function parseSample(text: string, line: number): { name: string; labels: Record<string, string>; value: number } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(text)
  if (!m) throw new Error(`line ${line}: no metric name in ${JSON.stringify(text)}`)
  const name = m[1]
  let i = name.length
  const labels: Record<string, string> = {}
  if (text[i] === '{') {
    i++
    while (text[i] !== '}') {
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i))
      if (!lm) throw new Error(`line ${line}: invalid label at column ${i + 1}`)
      i += lm[0].length
      let v = ''
      for (;;) {
        const c = text[i++]
        if (c === undefined) throw new Error(`line ${line}: unterminated label value`)
        if (c === '"') break
        if (c === '\\') {
          const e = text[i++]
          if (e === 'n') v += '\n'
          else if (e === '\\' || e === '"') v += e
          else throw new Error(`line ${line}: invalid escape \\${e}`)
        } else v += c
      }
      if (!LABEL.test(lm[1]) || lm[1] in labels) throw new Error(`line ${line}: duplicate or invalid label ${lm[1]}`)
      labels[lm[1]] = v
      if (text[i] === ',') i++
      else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } at column ${i + 1}`)
    }
    i++
  }
  const rest = text.slice(i)
  const parts = rest.trim().split(/ +/)
  if (!/^ /.test(rest) || parts.length < 1 || parts.length > 2) throw new Error(`line ${line}: expected " value [timestamp]" after the labels`)
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: invalid timestamp`)
  return { name, labels, value: parseValue(parts[0], line) }
}

const key = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort())

/** Parses an exposition (see the module comment); families by name. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  let current: Family | undefined
  const lines = text.split('\n')
  lines.forEach((raw, idx) => {
    const n = idx + 1
    const line = raw.trimEnd()
    if (line === '') return
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+) ?(.*)$/.exec(line)
      if (!m) return // a plain comment
      const [, what, name, rest] = m
      if (!NAME.test(name)) throw new Error(`line ${n}: invalid metric name ${name}`)
      let f = families.get(name)
      if (!f) {
        f = { name, help: '', type: 'untyped', samples: [], histograms: [] }
        families.set(name, f)
      } else if (f !== current) throw new Error(`line ${n}: family ${name} declared twice`)
      current = f
      if (what === 'HELP') f.help = rest
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${n}: invalid type ${rest}`)
        if (f.samples.length || f.histograms.length) throw new Error(`line ${n}: TYPE after samples of ${name}`)
        f.type = rest as Family['type']
      }
      return
    }
    const s = parseSample(line, n)
    const f = current
    if (!f) throw new Error(`line ${n}: sample ${s.name} before any TYPE`)
    if (f.type === 'histogram') {
      const suffix = s.name.slice(f.name.length)
      if (!s.name.startsWith(f.name) || !['_bucket', '_sum', '_count'].includes(suffix)) throw new Error(`line ${n}: ${s.name} is not a sample of histogram ${f.name}`)
      const { le, ...labels } = s.labels
      let h = f.histograms.find((x) => key(x.labels) === key(labels))
      if (!h) f.histograms.push((h = { labels, buckets: new Map() }))
      if (suffix === '_bucket') {
        if (le === undefined) throw new Error(`line ${n}: bucket without le`)
        h.buckets.set(parseValue(le, n), s.value)
      } else if (le !== undefined) throw new Error(`line ${n}: le on ${suffix}`)
      else if (suffix === '_sum') h.sum = s.value
      else h.count = s.value
      return
    }
    if (s.name !== f.name) throw new Error(`line ${n}: sample ${s.name} inside family ${f.name}`)
    if (f.samples.some((x) => key(x.labels) === key(s.labels))) throw new Error(`line ${n}: duplicate sample of ${f.name}`)
    f.samples.push({ labels: s.labels, value: s.value })
  })
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`convention: ${what}`)
  }
  for (const f of families.values()) {
    check(f.help !== '', `${f.name} has HELP`)
    if (f.type === 'counter') check(f.name.endsWith('_total'), `counter ${f.name} ends in _total`)
    check(!/_(ms|milliseconds|kb|mb)(_|$)/.test(f.name), `${f.name} is in base units`)
    for (const h of f.histograms) {
      const bounds = [...h.buckets.keys()].sort((a, b) => a - b)
      check(bounds.at(-1) === Infinity, `${f.name} has a +Inf bucket`)
      for (let i = 1; i < bounds.length; i++) check(h.buckets.get(bounds[i])! >= h.buckets.get(bounds[i - 1])!, `${f.name} buckets are cumulative`)
      check(h.buckets.get(Infinity) === h.count, `${f.name}: +Inf bucket = _count`)
      check(h.sum !== undefined, `${f.name} has _sum`)
    }
  }
  return families
}

/** Fetches and parses `url` (…/metrics). */
export async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url)
  assert.is(res.status, 200, `GET ${url}`)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return parseExposition(await res.text())
}

const has = (labels: Record<string, string>, want: Record<string, string>): boolean => Object.entries(want).every(([k, v]) => labels[k] === v)

/** Every sample of `family` whose labels include `labels` (histograms: their `_count`). */
export function samples(families: Map<string, Family>, family: string, labels: Record<string, string> = {}): Sample[] {
  const f = families.get(family)
  if (!f) return []
  if (f.type === 'histogram') return f.histograms.filter((h) => has(h.labels, labels)).map((h) => ({ labels: h.labels, value: h.count ?? 0 }))
  return f.samples.filter((s) => has(s.labels, labels))
}

/** The value of the first sample of `family` whose labels include `labels` (undefined when absent). */
export function sample(families: Map<string, Family>, family: string, labels: Record<string, string> = {}): number | undefined {
  return samples(families, family, labels)[0]?.value
}
