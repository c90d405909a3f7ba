import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CODES } from './codes.js'
import { compilePipeline } from '../connectors/index.js'
import { alignOffset, YamlSource } from './yaml-source.js'

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

test.run()
