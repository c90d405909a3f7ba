import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findAll, parseXml } from '../../../test/rtds-test/xml-parse.js'
import type { TestRunResult } from '../test-results.js'
import { junitReport, xmlEscape } from './junit-reporter.js'

const pos = { file: 'p/a&b.test.yaml', line: 3, col: 5 }
const run: TestRunResult = {
  durationMs: 1234,
  missing: ['nope/'],
  files: [
    {
      file: 'p/a&b.test.yaml', pipeline: 'a.yaml', durationMs: 1000, diagnostics: [],
      cases: [
        { file: pos.file, name: 'passes <ok>', pos, status: 'pass', durationMs: 12, failures: [], updated: [] },
        {
          file: pos.file, name: 'fails "quoted" \u0001', pos, status: 'fail', durationMs: 20, updated: [],
          failures: [{ expect: { target: { kind: 'table', name: 't' }, match: 'exact', records: [], pos: { ...pos, line: 9 } }, mismatches: [{ kind: 'field', diff: { path: 'rows[id=1].name', expected: 'Sébastien <x>', actual: 'S&bastien' } }] }],
        },
        { file: pos.file, name: 'errors', pos, status: 'error', durationMs: 1, failures: [], updated: [], error: 'golden file "g.json" does not exist' },
      ],
    },
    { file: 'p/bad.test.yaml', durationMs: 1, cases: [], diagnostics: [{ code: 'RTDS802', severity: 'error', message: 'unknown key "x"', file: 'p/bad.test.yaml', line: 4, col: 7 }] },
  ],
}

test('runner > testing > junit: well-formed XML with failures, errors and counts', () => {
  const root = parseXml(junitReport(run))
  assert.is(root.name, 'testsuites')
  assert.equal({ tests: root.attrs.tests, failures: root.attrs.failures, errors: root.attrs.errors, time: root.attrs.time }, { tests: '5', failures: '1', errors: '3', time: '1.234' })
  const cases = findAll(root, 'testcase')
  assert.equal(cases.map((c) => c.attrs.name), ['(load)', 'passes <ok>', 'fails "quoted" ', 'errors', '(load)'])
  const failure = cases[2]!.children[0]!
  assert.is(failure.name, 'failure')
  assert.is(failure.attrs.message, 'rows[id=1].name: expected "Sébastien <x>" got "S&bastien"')
  assert.match(failure.text, /p\/a&b\.test\.yaml:9:5 expect table t/)
  assert.is(cases[3]!.children[0]!.name, 'error')
  assert.match(cases[4]!.children[0]!.text, /p\/bad\.test\.yaml:4:7 error RTDS802 unknown key "x"/)
})

test('runner > testing > junit: xmlEscape escapes markup and drops forbidden characters', () => {
  assert.is(xmlEscape(`<a b="c" d='e'>&\u0000\u0007ok\t\n`), '&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;ok\t\n')
})

test.run()
