/**
 * Seeded fuzzing of pipeline files: thousands of mutants of the shipped pipelines (and of the golden
 * validate cases) compiled by `compilePipeline`. Every mutant must compile without an exception,
 * every diagnostic must be located (file:line:col inside the file it names) and no file may take
 * more than 1 s. The seed is printed; `RTDS_FUZZ_SEED=<n>` replays a run, `RTDS_FUZZ_COUNT=<n>`
 * changes its size (default 3,000), `RTDS_FUZZ_DUMP=<dir>` writes the failing mutants there.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mulberry32 } from '../../core/prng.js'
import { compilePipeline } from '../../connectors/index.js'
import { isPipelineFileName } from '../../dsl/index.js'
import type { Diagnostic } from '../../dsl/index.js'
import { REPO_ROOT } from '../helpers/golden.js'

const SEED = Number(process.env.RTDS_FUZZ_SEED ?? Date.now() % 2 ** 31)
const COUNT = Number(process.env.RTDS_FUZZ_COUNT ?? 3000)
const MAX_MS = 1000

const shipped = readdirSync(join(REPO_ROOT, 'pipelines')).filter(isPipelineFileName).map((n) => join(REPO_ROOT, 'pipelines', n))
const casesDir = join(REPO_ROOT, 'test/golden/validate/cases')
const cases = readdirSync(casesDir).filter((n) => n.endsWith('.yaml')).map((n) => join(casesDir, n))
/** Seeds: the shipped pipelines weigh as much as all golden cases together. */
const SEEDS = [...shipped.flatMap((f) => Array(cases.length).fill(f) as string[]), ...cases].map((file) => ({ file, text: readFileSync(file, 'utf8') }))

type Rand = () => number
const int = (r: Rand, n: number) => Math.floor(r() * n)
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!

const TOKENS = [':', ': ', '- ', '-', '[', ']', '{', '}', ',', '"', "'", '#', '&a ', '*a', '*nope', '!!str ', '!!binary ', '|', '>', '? ', '%', '@', '`', '\t', '\n', '\r\n', ' ', '  ', '{{', '}}', '{{env.NOPE}}', '{{vars.nope}}', '{{#if x}}', '{{default env.A "b"}}', '{{lookup}}', '\\', '\u0000', '\uFEFF', '…', '🙂', '<<: ', '---\n', '...\n', '0x', '.inf']
const VALUES = ['0', '-1', '1e309', '99999999999999999999', '1000000000', '""', "''", '"{{env.NOPE}}"', '"{{vars.keyspace}}"', '{{', '[', '{', '[]', '{}', 'null', '~', 'true', 'yes', '*x', '&a x', '!!binary eA==', 'not a url', '"http://"', '"ftp://x"', 'a'.repeat(300), '0x1F', '.nan', '-.inf', '"\\u0000"', '|\n  x', '>-\n  y', '10 sec', '0s', '-5s', '1e3ms', '"10s"', '1.5', '[a, b, a]', '{ a: 1 }', 'x\n  y: 1', '"a\\q"', '@daily', '"* * * *"', 'Mars/Olympus']
const KEYS = ['pipeline', 'sources', 'topics', 'stages', 'tables', 'vars', 'settings', 'http', 'http_server', 'generate', 'postgres', 'cassandra', 'schedule', 'from', 'to', 'transform', 'parallelism', 'batch', 'partitions', 'key', 'value', 'keyspace', 'primaryKey', 'columns', 'schema', 'url', 'port', 'path', 'token', 'every', 'interval', 'cron', 'runFor', 'timeout', 'retries', 'results', 'records', 'urll', 'x', '', '"a b"', '1']

/** One random edit of `text`. */
function mutate(r: Rand, text: string, other: string): string {
  const lines = text.split('\n')
  const at = int(r, text.length + 1)
  const li = int(r, lines.length)
  switch (int(r, 14)) {
    case 0: return text.slice(0, at) + text.slice(at + 1 + int(r, 20))
    case 1: return text.slice(0, at) + pick(r, TOKENS) + text.slice(at)
    case 2: { // replace a value
      const m = /^(\s*(?:- )?[^:#\n]+:)\s*(.*)$/.exec(lines[li]!)
      if (m) lines[li] = `${m[1]} ${pick(r, VALUES)}`
      return lines.join('\n')
    }
    case 3: { // rename a key
      const m = /^(\s*(?:- )?)([^:#\n]+)(:.*)$/.exec(lines[li]!)
      if (m) lines[li] = `${m[1]}${pick(r, KEYS)}${m[3]}`
      return lines.join('\n')
    }
    case 4: lines.splice(li, 0, lines[li]!); return lines.join('\n')
    case 5: lines.splice(li, 1 + int(r, 3)); return lines.join('\n')
    case 6: { const j = int(r, lines.length); [lines[li], lines[j]] = [lines[j]!, lines[li]!]; return lines.join('\n') }
    case 7: lines[li] = pick(r, ['', ' ', '  ', '   ', '\t', '    ']) + lines[li]!.replace(/^\s{0,2}/, int(r, 2) ? '' : '  '); return lines.join('\n')
    case 8: return text.slice(0, at)
    case 9: return int(r, 2) ? text.replace(/\r?\n/g, '\r\n') : '\uFEFF' + text.replace(/^\uFEFF/, '')
    case 10: { // an anchor on one line, an alias on another
      const a = int(r, lines.length)
      lines[a] = lines[a]!.replace(/:\s*$/, ': &a').replace(/: (\S)/, ': &a $1')
      const m = /^(\s*[^:#\n]+:)\s*(.*)$/.exec(lines[li]!)
      if (m) lines[li] = `${m[1]} *a`
      return lines.join('\n')
    }
    case 11: { const o = other.split('\n'); const s = int(r, o.length); lines.splice(li, 0, ...o.slice(s, s + 1 + int(r, 6))); return lines.join('\n') }
    case 12: return text.slice(0, at) + pick(r, TOKENS).repeat(1 + int(r, 200)) + text.slice(at)
    default: { // wrap a value in a template
      const m = /^(\s*[^:#\n]+:)\s*(\S.*)$/.exec(lines[li]!)
      if (m) lines[li] = `${m[1]} "{{default env.${pick(r, ['NOPE', 'HOME', 'X'])} '${m[2]!.replace(/['"]/g, '')}'}}"`
      return lines.join('\n')
    }
  }
}

/** Why a diagnostic is not located inside the file it names, or undefined when it is. */
function unlocated(d: Diagnostic, file: string, text: string): string | undefined {
  if (!/^RTDS\d{3}$/.test(d.code) || !d.message) return 'no code or message'
  if (!Number.isInteger(d.line) || !Number.isInteger(d.col) || d.line < 1 || d.col < 1) return `line ${d.line} col ${d.col}`
  if (d.file !== file) return undefined // a schema or transform file the pipeline names: positions are that file's
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (d.line > lines.length) return `line ${d.line} beyond the ${lines.length} lines of the file`
  if (d.col > lines[d.line - 1]!.length + 1) return `column ${d.col} beyond line ${d.line} (${lines[d.line - 1]!.length} characters)`
  return undefined
}

test(`fuzz > ${COUNT} mutants of the shipped pipelines: no crash, every error located, each ≤ ${MAX_MS} ms (seed ${SEED})`, () => {
  console.log(`  seed ${SEED} (replay: RTDS_FUZZ_SEED=${SEED} node --import tsx test/fuzz/pipeline-fuzz.test.ts)`)
  const r = mulberry32(SEED)
  const failures: string[] = []
  let withErrors = 0
  let diagnostics = 0
  let slowest = 0
  const codes = new Map<string, number>()
  for (let i = 0; i < COUNT; i++) {
    const seed = pick(r, SEEDS)
    let text = seed.text
    for (let k = 1 + int(r, 3); k > 0; k--) text = mutate(r, text, pick(r, SEEDS).text)
    const file = seed.file // mutants live where their seed does: relative schema and transform paths resolve
    const t0 = performance.now()
    try {
      const res = compilePipeline(file, text, { env: {} })
      const ms = performance.now() - t0
      slowest = Math.max(slowest, ms)
      if (ms > MAX_MS) failures.push(`mutant ${i}: ${Math.round(ms)} ms\n${text}`)
      if (res.diagnostics.some((d) => d.severity === 'error')) withErrors++
      diagnostics += res.diagnostics.length
      for (const d of res.diagnostics) {
        codes.set(d.code, (codes.get(d.code) ?? 0) + 1)
        const why = unlocated(d, file, text)
        if (why && process.env.RTDS_FUZZ_DUMP) writeFileSync(join(process.env.RTDS_FUZZ_DUMP, `mutant-${i}.yaml`), text)
        if (why) failures.push(`mutant ${i}: ${why}: ${d.file}:${d.line}:${d.col} ${d.code} ${d.message}\n--- text ---\n${text}`)
      }
    } catch (e) {
      if (process.env.RTDS_FUZZ_DUMP) writeFileSync(join(process.env.RTDS_FUZZ_DUMP, `mutant-${i}.yaml`), text)
      failures.push(`mutant ${i}: CRASH ${(e as Error).stack}\n--- text ---\n${text}`)
    }
  }
  console.log(`  ${COUNT} mutants, ${withErrors} with errors, ${diagnostics} diagnostics, slowest ${Math.round(slowest)} ms; codes: ${[...codes].sort().map(([c, n]) => `${c}×${n}`).join(' ')}`)
  assert.ok(COUNT >= 3000 || process.env.RTDS_FUZZ_COUNT !== undefined, 'at least 3,000 mutants per run')
  assert.ok(withErrors > COUNT / 3, `only ${withErrors} mutants had errors: the mutator is too gentle`)
  assert.equal(failures.length, 0, `${failures.length} failures (seed ${SEED}); first:\n${failures.slice(0, 3).join('\n\n')}`)
})

test.run()
