import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CODES } from './codes.js'
import { compilePipeline } from '../connectors/index.js'
import { renderDocument, templateEnv } from './template-render.js'
import { YamlSource } from './yaml-source.js'

const render = (text: string, env: NodeJS.ProcessEnv = {}) => renderDocument(new YamlSource('t.yaml', text, '/tmp'), env)

test('dsl > template: env and vars are rendered per scalar; vars may use env', () => {
  const r = render('vars: { ks: "{{env.KS}}_x" }\na: "{{vars.ks}}"\nb: "{{env.RANDOMUSER_URL}}?results=1"\n', { KS: 'spark' })
  assert.equal(r.diagnostics, [])
  assert.equal(r.value, { vars: { ks: 'spark_x' }, a: 'spark_x', b: 'https://randomuser.me/api/?results=1' })
  assert.ok(r.templated.has('/a') && r.templated.has('/b') && !r.templated.has('/vars'))
})

test('dsl > template: env context is SETTING_DEFAULTS overlaid with the non-empty environment', () => {
  const env = templateEnv({ KAFKA_BROKERS: 'k:1', DATABASE_URL: '', OTHER: '' })
  assert.is(env.KAFKA_BROKERS, 'k:1')
  assert.is(env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/rtds')
  assert.is(env.OTHER, '')
})

test('dsl > template: an undefined variable is an error naming it, at its column', () => {
  const r = render('a: 1\nurl: "x{{env.NOPE_X}}"\n')
  assert.is(r.diagnostics.length, 1)
  const d = r.diagnostics[0]!
  assert.is(d.code, CODES.TEMPLATE_UNDEFINED)
  assert.match(d.message, 'env.NOPE_X')
  assert.equal([d.line, d.col], [2, 10]) // the variable's name inside `url: "x{{env.NOPE_X}}"`
  assert.match(d.hint ?? '', 'default env.NOPE_X')
})

test('dsl > template: default helper gives a fallback and never errors on undefined', () => {
  const r = render(`a: '{{default env.NOPE "fb"}}'\nb: '{{default vars.none env.NOPE2 "z"}}'\nc: '{{default env.SET "fb"}}'\n`, { SET: 'yes' })
  assert.equal(r.diagnostics, [])
  assert.equal(r.value, { a: 'fb', b: 'z', c: 'yes' })
})

test('dsl > template: no HTML escaping, and a value containing newline or ": " stays one value', () => {
  const r = render('a: "{{env.V}}"\nb: 2\n', { V: 'x: 1\nb: <evil>&' })
  assert.equal(r.value, { a: 'x: 1\nb: <evil>&', b: 2 })
})

test('dsl > template: syntax error and unknown helper are located', () => {
  const r = render('a: ok\nb: "{{#if x}}y"\nc: "{{shout env.X}}"\n')
  const codes = r.diagnostics.map((d) => [d.code, d.line])
  assert.equal(codes, [[CODES.TEMPLATE_SYNTAX, 2], [CODES.TEMPLATE_UNKNOWN_HELPER, 3]])
  assert.is(r.diagnostics[1]!.col, 5)
})

test('dsl > template: keys are never rendered and non-templated strings are untouched', () => {
  const r = render('"{{k}}": "plain } text"\n')
  assert.equal(r.value, { '{{k}}': 'plain } text' })
  assert.equal(r.diagnostics, [])
})

const pipeline = (port: string) => `pipeline: p
sources:
  api:
    http_server: { port: ${port} }
topics:
  t: { value: ../schemas/randomuser_user.avsc }
stages:
  s: { from: api, to: t }
`

test('dsl > template: a templated scalar rendering to digits is coerced where the schema wants an integer', () => {
  const r = compilePipeline('pipelines/p.yaml', pipeline('"{{env.PORT}}"'), { env: { PORT: '5050' } })
  assert.equal(r.diagnostics, [])
  const api = r.spec!.sources.api!
  assert.is(api.kind === 'http_server' && api.http_server.port, 5050)
})

test('dsl > template: a templated scalar rendering to non-digits stays a type error at the scalar', () => {
  const r = compilePipeline('pipelines/p.yaml', pipeline('"{{env.PORT}}"'), { env: { PORT: '50x' } })
  assert.equal(r.diagnostics.map((d) => [d.code, d.line, d.col]), [[CODES.WRONG_TYPE, 4, 26]])
})

test.run()
