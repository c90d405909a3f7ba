import { Command, Flags } from '@oclif/core'
import { RtdsError, UsageError } from '../core/errors.js'

/** Exit codes shared by every command (DESIGN §4). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const

/**
 * Base of every rtds command: a `--json` flag, exit codes that mean something (0 ok, 1 findings,
 * 2 usage or environment error), and errors printed with their hint, never with a stack trace
 * unless `RTDS_DEBUG=1`.
 */
export abstract class RtdsCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON on stdout instead of text.', default: false }),
  }

  /** Writes one JSON document to stdout. */
  protected printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n')
  }

  /** Ends the command with `code` (0, 1 or 2). */
  protected done(code: number): never {
    this.exit(code)
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif uses errors for exits and for its own parse errors: keep their exit codes
    if (err.oclif?.exit !== undefined) {
      if (err.oclif.exit === 0 || err.message.startsWith('EEXIT')) throw err
      process.stderr.write(`error: ${err.message}\n`)
      process.exitCode = EXIT.usage
      return
    }
    const hint = err instanceof RtdsError && err.hint ? `\nTry this: ${err.hint}` : ''
    process.stderr.write(`error: ${err.message}${hint}\n`)
    if (process.env.RTDS_DEBUG) process.stderr.write(`${err.stack}\n`)
    process.exitCode = err instanceof UsageError || !(err instanceof RtdsError) ? EXIT.usage : EXIT.findings
  }
}
