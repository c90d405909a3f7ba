/**
 * THE golden-file helper of the project (one helper, re-recorded the same way everywhere).
 *
 * `expectGolden(path, actual)` compares `actual` with the file at `path` (absolute, or relative to the
 * repository root). With `UPDATE_GOLDEN=1` in the environment it (re)writes the file instead and
 * passes; a human then reviews the diff with `git diff test/golden`. A missing golden file fails
 * with the command that records it, so a new case is never silently accepted.
 *
 * @example
 * import { expectGolden } from '../helpers/golden.js'
 * expectGolden('test/golden/graph/users.mermaid', renderMermaid(graph))
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as assert from 'uvu/assert'

/** Absolute path of the repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Whether golden files are being re-recorded (`UPDATE_GOLDEN=1`). */
export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === '1' || process.env.UPDATE_GOLDEN === 'true'

/**
 * Asserts that `actual` equals the golden file at `path` (text compared exactly, after normalising a
 * trailing newline). Objects are compared as pretty-printed JSON.
 */
export function expectGolden(path: string, actual: string | object): void {
  const file = isAbsolute(path) ? path : join(REPO_ROOT, path)
  let text = typeof actual === 'string' ? actual : JSON.stringify(actual, null, 2)
  if (!text.endsWith('\n')) text += '\n'
  if (updatingGolden()) {
    mkdirSync(dirname(file), { recursive: true })
    const old = existsSync(file) ? readFileSync(file, 'utf8') : undefined
    if (old !== text) writeFileSync(file, text)
    return
  }
  if (!existsSync(file)) {
    assert.unreachable(`golden file ${relative(REPO_ROOT, file)} does not exist: record it with UPDATE_GOLDEN=1 and review it`)
  }
  const expected = readFileSync(file, 'utf8')
  assert.fixture(text, expected, `output differs from golden ${relative(REPO_ROOT, file)} (re-record with UPDATE_GOLDEN=1 after review)`)
}
