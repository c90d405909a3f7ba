import { Args } from '@oclif/core'
import { CODES, formatDiagnostic } from '../../dsl/index.js'
import { loadPipelines } from '../../connectors/index.js'
import type { Diagnostic } from '../../dsl/index.js'
import { EXIT, RtdsCommand, type JsonError } from '../base-command.js'

/** One file's entry in `rtds validate --json`. */
export interface ValidateFileResult {
  readonly file: string
  /** True when the file has no error (warnings allowed). */
  readonly ok: boolean
  readonly errors: number
  readonly warnings: number
  readonly diagnostics: readonly Diagnostic[]
  /** Set when the path could not be read (then the command exits 2). */
  readonly ioError?: string
}

/**
 * Validates pipelines like a compiler: every problem of every file, one line each, then a summary.
 * Pure library work (`loadPipelines`); exit 0 clean, 1 findings, 2 a path that cannot be read.
 */
export function validatePaths(paths: readonly string[], env?: NodeJS.ProcessEnv): { results: ValidateFileResult[]; exitCode: number; text: string } {
  const { results, ioErrors } = loadPipelines(paths, env ? { env } : {})
  const out: ValidateFileResult[] = results.map((r) => {
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length
    return { file: r.file, ok: errors === 0, errors, warnings: r.diagnostics.length - errors, diagnostics: r.diagnostics }
  })
  for (const e of ioErrors) out.push({ file: e.path, ok: false, errors: 1, warnings: 0, diagnostics: [], ioError: e.message })
  const errors = out.reduce((s, r) => s + r.errors, 0) - ioErrors.length
  const warnings = out.reduce((s, r) => s + r.warnings, 0)
  const lines = results.flatMap((r) => r.diagnostics.map(formatDiagnostic))
  const files = results.length
  const bad = out.filter((r) => !r.ok && !r.ioError).length
  lines.push(`${files} ${files === 1 ? 'file' : 'files'} checked: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}${bad ? ` in ${bad} ${bad === 1 ? 'file' : 'files'}` : ''}${ioErrors.length ? `, ${ioErrors.length} unreadable ${ioErrors.length === 1 ? 'path' : 'paths'}` : ''}`)
  const exitCode = ioErrors.length ? EXIT.usage : errors ? EXIT.findings : EXIT.ok
  return { results: out, exitCode, text: lines.join('\n') + '\n' }
}

/** `rtds validate [FILES|DIRS]`. */
export default class Validate extends RtdsCommand {
  static override summary = 'Check pipeline files: YAML, templates, schema, references, JSONata, schema files, Cassandra columns.'
  static override description = `Parses each pipeline file keeping positions, renders the Handlebars templates of its string values ({{env.NAME}}, {{vars.name}}, {{default env.NAME "fallback"}}), validates it against schemas/pipeline.schema.json and checks names, references, cycles, JSONata, schema files and Cassandra columns. Prints every problem as file:line:col severity code message (hint: ...). Folders expand to their *.yaml/*.yml files (not *.test.yaml). Exit 0 clean (warnings allowed), 1 a file has errors, 2 a path does not exist or cannot be read. Talks to no server.`
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Pipeline files or folders (default pipelines/).', required: false }),
  }
  static override examples = [
    { description: 'Check every pipeline of the repository (e.g. in a pull request)', command: '<%= config.bin %> validate' },
    { description: 'Check one file', command: '<%= config.bin %> validate pipelines/users.yaml' },
    { description: 'Machine-readable diagnostics', command: '<%= config.bin %> validate pipelines/ --json' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate)
    const paths = (argv as string[]).length ? (argv as string[]) : ['pipelines/']
    const { results, exitCode, text } = validatePaths(paths)
    if (flags.json) this.printJson({ files: results })
    else {
      process.stdout.write(text)
      for (const r of results) if (r.ioError) process.stderr.write(`error: ${r.ioError}\n`)
    }
    if (exitCode !== EXIT.ok) this.done(exitCode, validateError(results))
  }
}

/** The `--json` error of a validate that found something. */
function validateError(results: readonly ValidateFileResult[]): JsonError {
  const io = results.find((r) => r.ioError)
  if (io) return { code: 'USAGE', message: io.ioError! }
  const bad = results.filter((r) => !r.ok)
  const empty = bad.find((r) => r.diagnostics.some((d) => d.code === CODES.NO_PIPELINE_FILES))
  if (empty && bad.length === 1) return { code: 'NO_PIPELINE_FILES', message: empty.diagnostics[0]!.message, hint: empty.diagnostics[0]!.hint }
  const errors = bad.reduce((s, r) => s + r.errors, 0)
  return { code: 'INVALID_PIPELINE', message: `${errors} ${errors === 1 ? 'error' : 'errors'} in ${bad.length} ${bad.length === 1 ? 'file' : 'files'}: ${bad.map((r) => r.file).join(', ')}` }
}
