/**
 * A folder without pipeline files is a finding for every command that takes folders: exit 1 and
 * "no pipeline files in <dir>" (never exit 0 after checking nothing). Spawned as a user runs them.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { REPO_ROOT } from '../helpers/golden.js'

process.chdir(REPO_ROOT)

function rtds(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/e2e/rtds-dev.ts', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 })
  return { code: r.status, out: r.stdout + r.stderr }
}

const empty = mkdtempSync(join(tmpdir(), 'rtds-empty-'))
const onlyOthers = mkdtempSync(join(tmpdir(), 'rtds-others-'))
writeFileSync(join(onlyOthers, 'notes.txt'), 'not a pipeline\n')
writeFileSync(join(onlyOthers, 'users.test.yaml'), 'pipeline: x.yaml\ncases: []\n')

for (const command of ['validate', 'graph', 'plan', 'apply', 'test']) {
  test(`cli > ${command} on a folder without pipeline files: exit 1, "no pipeline files in <dir>"`, () => {
    const r = rtds(command, empty)
    assert.is(r.code, 1, r.out)
    assert.ok(r.out.includes(`no pipeline files in ${empty}`), r.out)
  })
}

test('cli > validate: a folder holding only other files (notes, *.test.yaml) has no pipeline files either; --json says so', () => {
  const r = rtds('validate', onlyOthers, '--json')
  assert.is(r.code, 1, r.out)
  const doc = JSON.parse(r.out.slice(r.out.indexOf('{'), r.out.lastIndexOf('}') + 1))
  assert.equal([doc.status, doc.error.code], ['findings', 'NO_PIPELINE_FILES'])
  assert.equal(doc.files.map((f: { diagnostics: Array<{ code: string; message: string }> }) => f.diagnostics.map((d) => [d.code, d.message])), [[['RTDS005', `no pipeline files in ${onlyOthers}`]]])
})

test.run()
