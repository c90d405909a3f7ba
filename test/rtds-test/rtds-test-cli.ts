/**
 * Runs `rtds test <args>` from the TypeScript sources (no build needed): the real oclif command
 * class with the real flag parsing, exit codes and output. Used by the feature tests through
 * `runRtdsTest()`; also handy by hand: `node --import tsx test/rtds-test/rtds-test-cli.ts pipelines/`.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Test from '../../runner/commands/test.js'

/** The outcome of one CLI run. */
export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const SELF = fileURLToPath(import.meta.url)
/** tsx's loader as a URL: `--import tsx` would resolve from the child's cwd (a temp folder). */
const TSX = import.meta.resolve('tsx')
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Spawns `rtds test ...args` in `cwd` (default the repository root) and waits for it. The child's
 * environment drops `UPDATE_GOLDEN`, so re-recording this repository's own golden files never
 * makes these runs rewrite pipeline golden files by accident.
 */
export function runRtdsTest(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env, NO_COLOR: '1' }
  if (!opts.env?.UPDATE_GOLDEN) delete env.UPDATE_GOLDEN
  const r = spawnSync(process.execPath, ['--import', TSX, SELF, ...args], { cwd: opts.cwd ?? ROOT, env, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

if (process.argv[1] === SELF) {
  try {
    await Test.run(process.argv.slice(2), ROOT)
  } catch (err) {
    const e = err as Error & { oclif?: { exit?: number } }
    if (e.oclif?.exit === undefined) throw err
    process.exitCode = e.oclif.exit
  }
}
