import { Command, Flags } from '@oclif/core'
import { ConflictError, ConnectionError, RtdsError, UsageError } from '../core/errors.js'

/** Exit codes shared by every command (DESIGN §4). */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const

/** `error.code` of a `--json` document: what kind of failure, for scripts to branch on. */
export type JsonErrorCode =
  | 'USAGE' // bad flags or arguments, a path that does not exist (exit 2)
  | 'INVALID_PIPELINE' // a pipeline file has errors (exit 1)
  | 'NO_PIPELINE_FILES' // a folder without pipeline files (exit 1)
  | 'SERVER_UNAVAILABLE' // Kafka, the registry, Postgres or Cassandra could not be reached (exit 2)
  | 'CONFLICT' // live state forbids it: the apply lock is held, a destructive change without its flag (exit 1)
  | 'PLAN_IMPOSSIBLE' // plan: a change cannot be applied (exit 1)
  | 'CHANGES_PRESENT' // plan --detailed-exitcode: there are changes (exit 2)
  | 'TEST_FAILED' // test: a case failed (exit 1)
  | 'TEST_ERROR' // test: a file or case could not run (exit 2)
  | 'RUN_FAILED' // run: a pipeline run failed (exit 1)
  | 'FAILED' // any other rtds error
  | 'INTERNAL' // a bug: not an rtds error

/** The error part of a `--json` document. */
export interface JsonError {
  readonly code: JsonErrorCode
  readonly message: string
  readonly hint?: string
}

/**
 * Base of every rtds command: a `--json` flag, exit codes that mean something (0 ok, 1 findings,
 * 2 usage or environment error), and errors printed with their hint, never with a stack trace
 * unless `RTDS_DEBUG=1`.
 *
 * `--json` is a contract (`schemas/cli-output.schema.json`): whatever happens — success, findings,
 * a server down, a lock held, a bad flag — stdout gets exactly one JSON document
 * `{ status: 'ok' | 'findings' | 'error', exitCode, command, error?: { code, message, hint? }, ...payload }`.
 * Commands hand their payload to `printJson` and end with `done(code, error)`; the document is
 * written once, when the command ends.
 */
export abstract class RtdsCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print one machine-readable JSON document on stdout (status, exitCode, error.code, error.message, payload) instead of text.', default: false }),
  }

  private jsonPayload: Record<string, unknown> = {}
  private jsonWritten = false

  /** `--json` given (read from the raw arguments: also known when the flags do not parse). */
  protected get jsonMode(): boolean {
    return this.argv.includes('--json')
  }

  /** Sets the payload of the `--json` document (an array becomes `results`). Written when the command ends. */
  protected printJson(value: unknown): void {
    this.jsonPayload = Array.isArray(value) ? { results: value } : value && typeof value === 'object' ? (value as Record<string, unknown>) : { result: value }
  }

  /** Ends the command with `code` (0, 1 or 2); under `--json` with `error` (a default one when omitted). */
  protected done(code: number, error?: JsonError): never {
    if (this.jsonMode) this.writeJson(code, error)
    this.exit(code)
  }

  /** Writes the one `--json` document (at most once). */
  private writeJson(code: number, error?: JsonError): void {
    if (this.jsonWritten) return
    this.jsonWritten = true
    const status = code === EXIT.ok ? 'ok' : code === EXIT.findings ? 'findings' : 'error'
    const err = code === EXIT.ok ? undefined : error ?? { code: code === EXIT.findings ? 'FAILED' : 'USAGE', message: `${this.id ?? 'rtds'} ended with exit code ${code}` }
    const doc = { status, exitCode: code, command: this.id ?? null, ...this.jsonPayload, ...(err ? { error: err } : {}) }
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n')
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    // a command that returned normally: its document, status ok
    if (this.jsonMode && !err && !this.jsonWritten) this.writeJson(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok)
    return super.finally(err)
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif uses errors for exits and for its own parse errors: keep their exit codes
    if (err.oclif?.exit !== undefined) {
      if (err.oclif.exit === 0 || err.message.startsWith('EEXIT')) throw err
      if (this.jsonMode) this.writeJson(EXIT.usage, { code: 'USAGE', message: firstLine(err.message) })
      else process.stderr.write(`error: ${err.message}\n`)
      process.exitCode = EXIT.usage
      return
    }
    const code = err instanceof UsageError || !(err instanceof RtdsError) ? EXIT.usage : EXIT.findings
    if (this.jsonMode) {
      const kind: JsonErrorCode = err instanceof UsageError ? 'USAGE' : err instanceof ConnectionError ? 'SERVER_UNAVAILABLE' : err instanceof ConflictError ? 'CONFLICT' : err instanceof RtdsError ? 'FAILED' : 'INTERNAL'
      this.writeJson(code, { code: kind, message: err.message, ...(err instanceof RtdsError && err.hint ? { hint: err.hint } : {}) })
    } else {
      const hint = err instanceof RtdsError && err.hint ? `\nTry this: ${err.hint}` : ''
      process.stderr.write(`error: ${err.message}${hint}\n`)
    }
    if (process.env.RTDS_DEBUG) process.stderr.write(`${err.stack}\n`)
    process.exitCode = code
  }
}

const firstLine = (s: string): string => s.split('\n').map((l) => l.trim()).filter(Boolean)[0] ?? s

/** The `--json` error of a server that could not be reached. */
export function serverError(err: RtdsError): JsonError {
  return { code: 'SERVER_UNAVAILABLE', message: err.message, hint: err.hint ?? 'start the services with `npm run services:up`' }
}
