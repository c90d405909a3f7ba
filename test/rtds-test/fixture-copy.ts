import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A throw-away copy of the users pipeline, its transforms, its test file and golden files, and the
 * schemas folder, laid out as in the repository (`<tmp>/pipelines/...`, `<tmp>/schemas/...`), so a
 * test can break or re-record it without touching the repository.
 */
export function copyUsersPipeline(): { dir: string; path(rel: string): string; edit(rel: string, from: string, to: string): void; read(rel: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rtds-test-'))
  for (const p of ['pipelines/users.yaml', 'pipelines/users.test.yaml', 'pipelines/users.test', 'pipelines/transforms', 'schemas']) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true })
  }
  const path = (rel: string): string => join(dir, rel)
  return {
    dir,
    path,
    read: (rel) => readFileSync(path(rel), 'utf8'),
    edit(rel, from, to) {
      const text = readFileSync(path(rel), 'utf8')
      if (!text.includes(from)) throw new Error(`${rel} does not contain ${JSON.stringify(from)}`)
      writeFileSync(path(rel), text.replace(from, to))
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
