import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The rtds package root (the folder holding `package.json` and `schemas/`), found by walking up from
 * this module: it sits at `runner/testing/` when run from sources and `dist/runner/testing/` once built.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir
    dir = dirname(dir)
  }
  throw new Error('rtds package root not found (no package.json with schemas/ above runner/testing)')
}
