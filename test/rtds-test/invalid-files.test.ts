/**
 * What cannot run exits 2 with a position: an invalid test file (file:line:col of the offending
 * key), a name the pipeline does not declare (with the names that exist), a missing pipeline, a
 * missing path, a missing golden file.
 */
import { writeFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { copyUsersPipeline } from './fixture-copy.js'
import { runRtdsTest } from './rtds-test-cli.js'

const copy = copyUsersPipeline()
const write = (name: string, lines: string[]): string => {
  writeFileSync(copy.path(`pipelines/${name}`), lines.join('\n') + '\n')
  return `pipelines/${name}`
}

test('rtds-test > an unknown key in a test file exits 2 with file:line:col', () => {
  const f = write('typo.test.yaml', [
    'pipeline: users.yaml',
    'cases:',
    '  - name: typo',
    '    inputs:',
    '      - source: api',
    '        records: []',
    '    expect:',
    '      - table: created_users',
    '        recrods: []',
  ])
  const r = runRtdsTest([f], { cwd: copy.dir })
  assert.is(r.code, 2, r.stdout + r.stderr)
  assert.ok(r.stdout.includes(`${f}:9:9 error RTDS802 unknown key "recrods" in cases[0].expect[0]`), r.stdout)
  assert.match(r.stdout, /Try this: allowed keys: stage, topic, table, dlq, records, match, count, golden/)
})

test('rtds-test > a target the pipeline does not declare exits 2 and lists what exists', () => {
  const f = write('names.test.yaml', [
    'pipeline: users.yaml',
    'cases:',
    '  - name: names',
    '    inputs:',
    '      - source: apii',
    '        records: []',
    '    expect:',
    '      - table: created_user',
    '        count: 0',
  ])
  const r = runRtdsTest([f, '--json'], { cwd: copy.dir })
  assert.is(r.code, 2, r.stdout + r.stderr)
  const doc = JSON.parse(r.stdout) as { files: { diagnostics: { code: string; line: number; col: number; message: string; hint: string }[] }[] }
  const ds = doc.files[0]!.diagnostics
  assert.equal(ds.map((d) => `${d.code} ${d.line}:${d.col}`), ['RTDS804 5:9', 'RTDS805 8:9'])
  assert.match(ds[0]!.hint, /randomuser, api/)
  assert.match(ds[1]!.hint, /staging_users, created_users/)
})

test('rtds-test > a missing pipeline, a missing path and a missing golden file exit 2', () => {
  const f = write('nopipe.test.yaml', ['pipeline: nope.yaml', 'cases:', '  - name: x', '    expect: [{ table: t, count: 0 }]'])
  const r = runRtdsTest([f], { cwd: copy.dir })
  assert.is(r.code, 2)
  assert.ok(r.stdout.includes(`${f}:1:11 error RTDS803 pipeline file "nope.yaml" not found`), r.stdout)
  const missing = runRtdsTest(['pipelines/absent.test.yaml'], { cwd: copy.dir })
  assert.is(missing.code, 2)
  assert.match(missing.stdout, /pipelines\/absent\.test\.yaml: no such file or directory/)
  const g = write('nogolden.test.yaml', ['pipeline: users.yaml', 'cases:', '  - name: no golden yet', '    expect:', '      - table: created_users', '        golden: golden/none.json'])
  const ng = runRtdsTest([g], { cwd: copy.dir })
  assert.is(ng.code, 2, ng.stdout + ng.stderr)
  assert.match(ng.stdout, /golden file "golden\/none\.json" does not exist \(run `rtds test --update`/)
  // --update records it (an empty table: nothing was fed)
  const up = runRtdsTest([g, '--update'], { cwd: copy.dir })
  assert.is(up.code, 0, up.stdout + up.stderr)
  assert.is(copy.read('pipelines/golden/none.json'), '[]\n')
})

test.after(() => copy.cleanup())
test.run()
