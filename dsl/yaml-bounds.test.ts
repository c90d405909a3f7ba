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
import { LAUGHS, MB, SHAPES } from '../test/helpers/bounds-shapes.js'

const ROOT = new URL('..', import.meta.url).pathname
const compile = (text: string) => compilePipeline('t.yaml', text, { env: {} })
// RTDS037 (no sources, stages or tables) is left out: most files here hold only vars
const errors = (text: string) => compile(text).diagnostics.filter((d) => d.severity === 'error' && d.code !== CODES.EMPTY_PIPELINE).map((d) => `${d.line}:${d.col} ${d.code}`)

test('dsl > bounds: a billion laughs is refused at the alias that crosses the expansion limit, at once', () => {
  const r = compile(LAUGHS)
  assert.equal(errors(LAUGHS), ['7:16 RTDS004'])
  assert.match(r.diagnostics[0]!.message, /aliases expand the document by [\d,]+ characters \(limit 100,000\).*\*a3/)
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

// How long these take and how much memory they hold is measured by `npm run bench:validate` (not here).
test('dsl > bounds: every ≤ 1 MiB worst-case shape compiles to located errors (or none), never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-bounds-'))
  for (const [name, text] of Object.entries(SHAPES)) {
    assert.ok(Buffer.byteLength(text) <= MB, `${name}: ${Buffer.byteLength(text)} bytes`)
    const file = join(dir, name.replace(/\W+/g, '-') + '.yaml')
    writeFileSync(file, text)
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/compile-measure.ts'), file], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 })
    assert.is(r.status, 0, `${name}: ${r.stderr}`)
    const m = JSON.parse(r.stdout) as { codes: string[]; located: boolean }
    assert.ok(m.located, name)
  }
})

test.run()
