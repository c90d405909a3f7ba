/**
 * Golden tests of `rtds validate` messages: every `cases/*.yaml` is an invalid pipeline whose first
 * line says which code it must produce (`# expect: RTDS031 — what it checks`); its diagnostics,
 * formatted as the CLI prints them, must equal `cases/<name>.out`.
 * Re-record after review: UPDATE_GOLDEN=1 node --import tsx test/golden/validate/validate-golden.test.ts
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatDiagnostic } from '../../../dsl/index.js'
import { loadPipeline } from '../../../connectors/index.js'
import { expectGolden, REPO_ROOT } from '../../helpers/golden.js'

process.chdir(REPO_ROOT)
const DIR = 'test/golden/validate/cases'
const cases = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()

test('there are at least 30 invalid pipelines, each naming a distinct expectation', () => {
  assert.ok(cases.length >= 30, `only ${cases.length} cases`)
  const whats = cases.map((c) => readFileSync(join(DIR, c), 'utf8').split('\n')[0])
  assert.is(new Set(whats).size, whats.length, 'two cases describe the same check')
})

for (const c of cases) {
  test(`validate golden: ${c}`, () => {
    const file = join(DIR, c)
    const header = /^# expect: (RTDS\d{3})/.exec(readFileSync(file, 'utf8'))
    assert.ok(header, `${c}: first line must be "# expect: RTDSnnn — ..."`)
    // a clean, fixed environment: only SETTING_DEFAULTS are visible to templates
    const r = loadPipeline(file, { env: {} })
    assert.ok(r.diagnostics.some((d) => d.severity === 'error'), `${c}: expected an error`)
    assert.is(r.spec, undefined, 'no spec when there are errors')
    assert.ok(r.diagnostics.some((d) => d.code === header[1]), `${c}: expected ${header[1]}, got ${r.diagnostics.map((d) => d.code).join(', ')}`)
    for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.col >= 1 && d.hint !== '', `${c}: bad position ${d.line}:${d.col}`)
    expectGolden(file.replace(/\.yaml$/, '.out'), r.diagnostics.map(formatDiagnostic).join('\n'))
  })
}

test.run()
