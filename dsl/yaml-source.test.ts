import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CODES } from './codes.js'
import { compilePipeline } from '../connectors/index.js'
import { alignOffset, YamlSource } from './yaml-source.js'

const ROOT = new URL('..', import.meta.url).pathname
const src = (text: string) => new YamlSource('t.yaml', text, '/tmp')
/** line:col of character `i` of the value at `path`. */
const at = (s: YamlSource, path: (string | number)[], i: number) => { const p = s.pos(s.offsetInValue(path, i)); return `${p.line}:${p.col}` }

test('dsl > positions: plain, double-quoted (with escapes) and single-quoted scalars', () => {
  const s = src('a: hello world\nb: "x\\"y z"\nc: \'it\'\'s q\'\n')
  assert.is(at(s, ['a'], 6), '1:10') // "w"
  assert.is(at(s, ['b'], 2), '2:8') // "y" after the escaped quote
  assert.is(at(s, ['c'], 5), '3:11') // "q" after the doubled quote
})

test('dsl > positions: literal and folded block scalars map through their indentation', () => {
  const s = src('t: |\n  line one\n    two\nf: >-\n  aa\n  bb\n')
  assert.is(at(s, ['t'], 11), '3:5') // "t" of two (value "line one\n  two\n")
  assert.is(at(s, ['t'], 9), '3:3') // the first space kept from "    two" (indentation 2 stripped)
  assert.is(at(s, ['f'], 3), '6:3') // first "b" (value "aa bb")
})

test('dsl > positions: alignOffset stays inside the scalar when a character is not found', () => {
  const text = 'x: "a\\tb"'
  assert.is(alignOffset('a\tb', text, 3, text.length, 'QUOTE_DOUBLE', 2), 7)
})

test('dsl > positions: keyPos of a missing key falls back to the nearest ancestor', () => {
  const s = src('a:\n  b: 1\n')
  assert.equal(s.keyPos(['a', 'b']), { line: 2, col: 3 })
  assert.equal(s.keyPos(['a', 'zz']), { line: 2, col: 3 }) // the mapping of a
  assert.equal(s.valuePos(['a', 'b']), { line: 2, col: 6 })
})

test('dsl > positions: YAML errors are located (bad indent at the token, tab, duplicate key)', () => {
  assert.equal(src('a:\n  b: 1\n c: 2\n').diagnostics.map((d) => [d.code, d.line, d.col]), [[CODES.YAML_SYNTAX, 3, 2]])
  assert.equal(src('a:\n\tb: 1\n').diagnostics.map((d) => [d.code, d.line, d.col]), [[CODES.YAML_SYNTAX, 2, 1]])
  assert.equal(src('a: 1\nb: 2\na: 3\n').diagnostics.map((d) => [d.code, d.line, d.col]), [[CODES.YAML_DUPLICATE_KEY, 3, 1]])
})

const withTemplates = `pipeline: p
vars: { v: "{{env.RANDOMUSER_URL}}" }
sources:
  web:
    http: { url: "{{vars.v}}{{default env.X '?a=1'}}", records: "{{env.RANDOMUSER_URL}}", retrys: 2 }
  gen:
    generate: { count: 1 }
topics:
  t: { value: ../schemas/randomuser_user.avsc, key: "login.(uuid" }
stages:
  s: { from: [web, gen], to: t }
`

test('dsl > positions: lines and columns stay exact with {{...}} before the error on the same line', () => {
  const r = compilePipeline('pipelines/p.yaml', withTemplates, { env: {} })
  const got = r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)
  // the unknown key after two templated values, and the records expression that became a URL
  assert.ok(got.includes(`5:91 ${CODES.UNKNOWN_KEY}`), got.join(' | '))
  // a templated JSONata value points at the scalar (its text differs from the source)
  assert.ok(got.includes(`5:65 ${CODES.JSONATA_SYNTAX}`), got.join(' | '))
  // an inline JSONata error on a later line is exact inside the quoted key
  assert.ok(got.includes(`9:64 ${CODES.JSONATA_SYNTAX}`), got.join(' | '))
})

/** line:col code of every diagnostic of `text` compiled as if it were `file`. */
const located = (file: string, text: string) => compilePipeline(file, text, { env: {} }).diagnostics.filter((d) => d.code !== CODES.EMPTY_PIPELINE).map((d) => `${d.line}:${d.col} ${d.code}`)
const variants = (text: string) => ({ crlf: text.replace(/\n/g, '\r\n'), bom: '\uFEFF' + text, 'bom+crlf': '\uFEFF' + text.replace(/\n/g, '\r\n') })

test('dsl > positions: CRLF and BOM files get the same line and column as LF files (every golden case)', () => {
  const dir = join(ROOT, 'test/golden/validate/cases')
  const names = readdirSync(dir).filter((n) => n.endsWith('.yaml'))
  assert.ok(names.length > 40)
  for (const n of names) {
    const text = readFileSync(join(dir, n), 'utf8')
    const want = located(join(dir, n), text)
    for (const [kind, t] of Object.entries(variants(text))) assert.equal(located(join(dir, n), t), want, `${n} as ${kind}`)
  }
})

test('dsl > positions: CRLF and BOM: errors on line 1, in folded and literal blocks, in multi-line scalars', () => {
  const file = join(ROOT, 'pipelines/x.yaml')
  const cases: Array<[string, string[]]> = [
    ['pipelin: p\n', ['1:1 RTDS020', '1:1 RTDS021']],
    ['pipeline: "bad name"\n', ['1:11 RTDS023']],
    ['pipeline: p\nvars:\n  a: >\n    first line\n    second {{env.NOPE}} x\n', ['5:14 RTDS011']],
    ['pipeline: p\nvars:\n  a: |\n    first line\n    second {{env.NOPE}} x\n', ['5:14 RTDS011']],
    ['pipeline: p\nvars:\n  a: first line\n    second {{env.NOPE}} x\n', ['4:14 RTDS011']],
    ['pipeline: p\nvars:\n  a: "first line\n    second {{env.NOPE}} x"\n', ['4:14 RTDS011']],
    ['pipeline: p\nvars:\n  a: 1\n b: 2\n', ['4:2 RTDS001']],
    ['pipeline: p\nvars:\n  a: 1\n  a: 2\n', ['4:3 RTDS002']],
  ]
  for (const [text, want] of cases) {
    assert.equal(located(file, text), want, JSON.stringify(text))
    for (const [kind, t] of Object.entries(variants(text))) assert.equal(located(file, t), want, `${kind}: ${JSON.stringify(text)}`)
  }
})

test('dsl > positions: a mapping or list used as a key is an error at the key, never a crash (`? ? ? …`)', () => {
  assert.equal(located('t.yaml', 'pipeline: p\n' + '? '.repeat(60) + 'x: 1\n'), ['2:3 RTDS001'])
  assert.equal(located('t.yaml', 'pipeline: p\nvars:\n  ? [a, b]\n  : 1\n'), ['3:5 RTDS001'])
})

test.run()
