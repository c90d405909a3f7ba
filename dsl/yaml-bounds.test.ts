import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CODES } from './codes.js'
import { formatDiagnostic } from './format-diagnostic.js'
import { compilePipeline, loadPipeline } from '../connectors/index.js'
import { MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_TEMPLATES } from './yaml-bounds.js'

const ROOT = new URL('..', import.meta.url).pathname
const compile = (text: string) => compilePipeline('t.yaml', text, { env: {} })
// RTDS037 (no sources, stages or tables) is left out: most files here hold only vars
const errors = (text: string) => compile(text).diagnostics.filter((d) => d.severity === 'error' && d.code !== CODES.EMPTY_PIPELINE).map((d) => `${d.line}:${d.col} ${d.code}`)
const cpuMs = (f: () => void): number => { const c = process.cpuUsage(); f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000 }

/** The classic: 9 levels of 9 aliases each, a template at the bottom (10^9 values rendered before). */
const LAUGHS = 'pipeline: p\nvars:\n  a0: &a0 ["{{env.X}}lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
  Array.from({ length: 9 }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]\n`).join('')

test('dsl > bounds: a billion laughs is refused at the alias that crosses the expansion limit, at once', () => {
  let r: ReturnType<typeof compile> | undefined
  const ms = cpuMs(() => { r = compile(LAUGHS) })
  assert.equal(errors(LAUGHS), ['7:16 RTDS004'])
  assert.match(r!.diagnostics[0]!.message, /aliases expand the document by [\d,]+ characters \(limit 100,000\).*\*a3/)
  assert.ok(ms < 500, `${ms} ms`)
})

test('dsl > bounds: aliases within the limits still work; an alias inside its own anchor is an error, not a crash', () => {
  const ok = compilePipeline(join(ROOT, 'pipelines/t.yaml'), 'pipeline: p\nvars: { base: &b { n: "{{default env.N \'1\'}}" }, copy: *b }\nsources: { g: { generate: {} } }\ntopics: { t: { value: ../schemas/randomuser_user.avsc } }\nstages: { s: { from: g, to: t } }\n', { env: {} })
  assert.ok(ok.spec, ok.diagnostics.map(formatDiagnostic).join('\n'))
  assert.equal((ok.spec!.vars as Record<string, unknown>).copy, { n: '1' })
  assert.equal(errors('pipeline: p\nvars: &v { self: [1, *v] }\n'), ['2:22 RTDS004'])
  assert.equal(errors('pipeline: p\nvars:\n  a: &v\n    - *v\n'), ['4:7 RTDS004'])
})

test('dsl > bounds: more than MAX_ALIASES aliases is an error at the first one too many', () => {
  const lines = Array.from({ length: MAX_ALIASES + 5 }, (_, i) => `  k${i}: *x\n`).join('')
  assert.equal(errors(`pipeline: p\nvars:\n  x: &x 1\n${lines}`), [`${3 + MAX_ALIASES + 1}:9 RTDS004`])
})

test('dsl > bounds: nesting deeper than MAX_DEPTH (flow, compact block, indentation, through aliases) is located', () => {
  const n = MAX_DEPTH + 20
  assert.equal(errors(`pipeline: p\nvars: ${'['.repeat(n)}${']'.repeat(n)}\n`), [`2:${7 + MAX_DEPTH}:RTDS004`.replace(':RTDS', ' RTDS')])
  assert.equal(errors(`pipeline: p\nvars:\n  x: ${'['.repeat(500_000)}\n`), [`3:${6 + MAX_DEPTH}:RTDS004`.replace(':RTDS', ' RTDS')])
  assert.equal(errors(`pipeline: p\nvars:\n  ${'- '.repeat(n)}x\n`), [`3:${3 + 2 * MAX_DEPTH}:RTDS004`.replace(':RTDS', ' RTDS')])
  const indented = 'pipeline: p\nvars:\n' + Array.from({ length: n }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:\n`).join('') + `${' '.repeat(2 * n + 2)}x\n`
  const [deep] = errors(indented)
  assert.match(deep!, /^\d+:\d+ RTDS004$/)
  const chain = 'pipeline: p\nvars:\n  a0: &a0 [1]\n' + Array.from({ length: n }, (_, i) => `  a${i + 1}: &a${i + 1} [*a${i}]\n`).join('')
  assert.equal(errors(chain).map((e) => e.split(' ')[1]), ['RTDS004'])
  assert.equal(errors(`pipeline: p\nvars: ${'['.repeat(MAX_DEPTH - 2)}${']'.repeat(MAX_DEPTH - 2)}\n`).filter((e) => e.endsWith('RTDS004')), [])
})

test('dsl > bounds: more than MAX_NODES values and more than MAX_TEMPLATES templates are refused where they cross', () => {
  const values = 'pipeline: p\nvars: [' + '1,'.repeat(MAX_NODES + 10) + '1]\n'
  assert.equal(errors(values), [`2:${8 + 2 * (MAX_NODES - 4)} RTDS004`]) // pipeline, p, vars and [ come first
  const tpl = 'pipeline: p\nvars:\n' + Array.from({ length: MAX_TEMPLATES + 3 }, (_, i) => `  v${i}: "{{default env.A 'x'}}"\n`).join('')
  assert.equal(errors(tpl), [`${3 + MAX_TEMPLATES}:11 RTDS004`]) // at the scalar that crosses it (v2000)
})

test('dsl > bounds: a file over MAX_FILE_BYTES is refused with its size, without being parsed', () => {
  const text = 'pipeline: p\ndescription: "' + 'x'.repeat(MAX_FILE_BYTES) + '"\n'
  const r = compile(text)
  assert.equal(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`), ['1:1 RTDS004'])
  assert.match(r.diagnostics[0]!.message, `file is ${Buffer.byteLength(text).toLocaleString('en-US')} bytes`)
  const dir = mkdtempSync(join(tmpdir(), 'rtds-bounds-'))
  writeFileSync(join(dir, 'big.yaml'), text)
  assert.match(loadPipeline(join(dir, 'big.yaml')).diagnostics[0]!.message, /file is 1,048,6\d\d bytes \(1\.0 MiB\): pipeline files are limited to 1,048,576 bytes/)
})

test('dsl > bounds: duplicate keys are still found (block and flow mappings), at the repeated key', () => {
  assert.equal(errors('pipeline: p\nvars:\n  a: 1\n  b: 2\n  a: 3\n'), [`5:3 ${CODES.YAML_DUPLICATE_KEY}`])
  assert.equal(errors('pipeline: p\nvars: { a: 1, b: 2, a: 3 }\n'), [`2:21 ${CODES.YAML_DUPLICATE_KEY}`])
  assert.equal(errors('pipeline: p\nvars: { 1: x, "1": y }\n'), []) // a number and a string are different keys
})

test('dsl > bounds: validation time is linear in the size of a mapping (no quadratic key checks)', () => {
  const mapping = (n: number) => 'pipeline: p\nvars:\n' + Array.from({ length: n }, (_, i) => `  key${i}: ${i}\n`).join('')
  const sources = (n: number) => 'pipeline: p\nsources:\n' + Array.from({ length: n }, (_, i) => `  s${i}: { generate: { count: 1 } }\n`).join('')
  compile(mapping(2000)) // warm up
  for (const [name, make, n] of [['mapping', mapping, 24_000], ['sources', sources, 8_000]] as const) {
    const small = cpuMs(() => compile(make(n / 4)))
    let r: ReturnType<typeof compile> | undefined
    const large = cpuMs(() => { r = compile(make(n)) })
    assert.not.ok(r!.diagnostics.some((d) => d.code === CODES.YAML_LIMIT || d.code === CODES.YAML_DUPLICATE_KEY), name)
    // 4x the input: about 4x the time when linear, 16x when quadratic
    assert.ok(large < Math.max(8 * small, 300), `${name}: ${Math.round(small)} ms for ${n / 4}, ${Math.round(large)} ms for ${n}`)
    console.log(`  ${name}: ${n / 4} → ${Math.round(small)} ms, ${n} → ${Math.round(large)} ms cpu`)
  }
})

const MB = 1024 * 1024
/** Fills a file up to just under 1 MiB with `line(i)`. */
const fill = (head: string, line: (i: number) => string): string => {
  const parts = [head]
  let size = Buffer.byteLength(head)
  for (let i = 0; ; i++) { const l = line(i); size += Buffer.byteLength(l); if (size > MB - 64) break; parts.push(l) }
  return parts.join('')
}

/** Files of ≤ 1 MiB that push each stage of the compiler. */
const SHAPES: Record<string, string> = {
  'keys (110,000 in one mapping)': fill('pipeline: p\nvars:\n', (i) => `  k${i.toString(36)}: 1\n`),
  'sources (flow)': fill('pipeline: p\nsources:\n', (i) => `  s${i}: { generate: { count: 1 } }\n`),
  'sources (just under the value bound)': 'pipeline: p\nsources:\n' + Array.from({ length: Math.floor(MAX_NODES / 6) - 10 }, (_, i) => `  s${i}: { generate: { count: 1 } }\n`).join(''),
  'stages chain': fill('pipeline: p\nsources: { g: { generate: {} } }\nstages:\n', (i) => `  a${i}: { from: t${i}, to: t${i + 1} }\n`),
  'templates': fill('pipeline: p\nvars:\n', (i) => `  v${i}: "{{default env.HOME 'h'}}/{{default env.X 'y'}}"\n`),
  'unknown keys': fill('pipeline: p\n', (i) => `x${i.toString(36)}: 1\n`),
  'one long templated string': 'pipeline: p\ndescription: "' + '{{env.HOME}} '.repeat(80_000) + '"\n',
  'deep flow': 'pipeline: p\nvars: ' + '['.repeat(500_000) + ']'.repeat(500_000) + '\n',
  'compact block': 'pipeline: p\nvars:\n  ' + '- '.repeat(500_000) + 'x\n',
  'wide flow': 'pipeline: p\nvars: [' + '1,'.repeat(520_000) + '1]\n',
  'duplicate keys': fill('pipeline: p\nvars:\n', (i) => `  k${i % 5000}: 1\n`),
  'quoted escapes': 'pipeline: p\ndescription: "' + '\\t'.repeat(500_000) + '{{x"\n',
}

test('dsl > bounds: every ≤ 1 MiB shape compiles in ≤ 2 s of CPU and ≤ 200 MB RSS, every error located', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-bounds-'))
  for (const [name, text] of Object.entries(SHAPES)) {
    assert.ok(Buffer.byteLength(text) <= MB, `${name}: ${Buffer.byteLength(text)} bytes`)
    const file = join(dir, name.replace(/\W+/g, '-') + '.yaml')
    writeFileSync(file, text)
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/compile-measure.ts'), file], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 })
    assert.is(r.status, 0, `${name}: ${r.stderr}`)
    const m = JSON.parse(r.stdout) as { cpuMs: number; wallMs: number; maxRssMb: number; codes: string[]; located: boolean }
    console.log(`  ${name.padEnd(38)} ${String(Buffer.byteLength(text)).padStart(8)} B  ${String(m.cpuMs).padStart(5)} ms cpu ${String(m.wallMs).padStart(5)} ms wall ${String(m.maxRssMb).padStart(4)} MB  ${m.codes.join(' ')}`)
    assert.ok(m.located, name)
    assert.ok(m.cpuMs <= 2000, `${name}: ${m.cpuMs} ms`)
    assert.ok(m.maxRssMb <= 200, `${name}: ${m.maxRssMb} MB`)
  }
})

test.run()
