/**
 * The bench measures the compiled CLI (what `npm ci` installs and users run), not the TypeScript
 * sources through tsx: it compiles the working tree into `bench/.out/dist` (its own folder, so a
 * test using `dist/` at the same time is not disturbed) and writes an entry script that runs a
 * command from there, like test/e2e/rtds-dev.ts does from the sources.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

const ENTRY = `// written by bench/build.ts: the rtds CLI from the bench's build
import { flush, handle } from '@oclif/core'
import { COMMANDS } from './dist/runner/commands/index.js'

const [id, ...argv] = process.argv.slice(2)
const Command = COMMANDS[id]
if (!Command) {
  process.stderr.write(\`unknown command \${id}\\n\`)
  process.exit(2)
}
try {
  await Command.run(argv, new URL('../../package.json', import.meta.url).pathname)
  await flush()
} catch (err) {
  await handle(err)
}
`

/** Compiles the sources into bench/.out/dist; returns the entry script's path. Throws when tsc fails. */
export function buildForBench(): string {
  const out = join(root, 'bench/.out')
  mkdirSync(out, { recursive: true })
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(out, 'dist')], { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`)
  const entry = join(out, 'rtds.mjs')
  writeFileSync(entry, ENTRY)
  return entry
}
