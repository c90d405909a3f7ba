import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findTestFiles, loadTestFile } from './test-file-loader.js'

const dir = mkdtempSync(join(tmpdir(), 'rtds-test-loader-'))
const write = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
const where = (file: string): string[] => loadTestFile(file).diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)

test('runner > testing > loader: a valid file gives typed cases with positions and file inputs', () => {
  write('in.json', '[{"a":1},{"a":2}]')
  const f = write('ok.test.yaml', [
    'pipeline: p.yaml',
    'env: { X: 1 }',
    'cases:',
    '  - name: one',
    '    env: { Y: two }',
    '    inputs:',
    '      - source: api',
    '        file: in.json',
    '    expect:',
    '      - dlq: users',
    '        count: 0',
  ].join('\n'))
  const r = loadTestFile(f)
  assert.equal(r.diagnostics, [])
  const c = r.testFile!.cases[0]!
  assert.equal(c.env, { X: '1', Y: 'two' })
  assert.equal(c.inputs[0]!.records, [{ a: 1 }, { a: 2 }])
  assert.equal({ line: c.pos.line, col: c.pos.col }, { line: 4, col: 5 })
  assert.equal(c.expect[0]!.target, { kind: 'dlq', name: 'users' })
  assert.equal({ line: c.expect[0]!.pos.line, col: c.expect[0]!.pos.col }, { line: 10, col: 9 })
})

test('runner > testing > loader: every problem is reported with line and column', () => {
  // one case whose input names both a source and a topic; `expect` lines follow
  const head = ['pipeline: p.yaml', 'cases:', '  - name: one', '    inputs:', '      - source: api', '        topic: t', '        records: []', '    expect:', '      - table: t']
  const f = write('bad.test.yaml', [...head, '        recrods: []'].join('\n'))
  const got = where(f)
  assert.ok(got.includes('10:9 RTDS802 unknown key "recrods" in cases[0].expect[0]'), got.join('\n'))
  const f2 = write('bad2.test.yaml', [
    ...head,
    '        records: []',
    '        count: 2',
    '      - table: t',
    '        golden: nope.json',
    '  - name: one',
    '    inputs: [{ source: api, file: missing.json }]',
    '    expect: [{ stage: s, count: 1 }]',
  ].join('\n'))
  assert.equal(where(f2), [
    '6:9 RTDS807 input: give only one of "source", "topic"',
    '11:9 RTDS807 expect: give only one of "records", "count"',
    '14:11 RTDS808 case name "one" is already used by cases[0]',
    `15:35 RTDS806 file "missing.json" not found (looked at ${join(dir, 'missing.json')})`,
  ])
})

test('runner > testing > loader: YAML syntax errors and wrong types', () => {
  assert.equal(where(write('syntax.test.yaml', 'pipeline: p.yaml\ncases:\n  - name: "one\n')).length > 0, true)
  assert.match(where(write('syntax.test.yaml', 'pipeline: p.yaml\ncases:\n  - name: "one\n'))[0]!, /^\d+:\d+ RTDS801 /)
  assert.equal(where(write('types.test.yaml', 'pipeline: p.yaml\ncases:\n  - name: one\n    expect:\n      - table: t\n        count: many\n')), ['6:16 RTDS802 cases[0].expect[0].count must be integer'])
})

test('runner > testing > loader: folders expand to *.test.yaml files, missing paths are listed', () => {
  const { files, missing } = findTestFiles([dir, join(dir, 'nope')])
  assert.ok(files.every((f) => /\.test\.yaml$/.test(f)) && files.length >= 3)
  assert.equal(missing, [join(dir, 'nope')])
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
