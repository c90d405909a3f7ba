import { writeFileSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { EXIT, RtdsCommand } from '../base-command.js'
import { UsageError } from '../../core/errors.js'
import { jsonReport } from '../testing/reporters/json-reporter.js'
import { junitReport } from '../testing/reporters/junit-reporter.js'
import { textReport } from '../testing/reporters/text-reporter.js'
import { exitCodeOf, summarize } from '../testing/test-results.js'
import { runTests } from '../testing/test-runner.js'

/** `rtds test [FILES|DIRS]`: golden-file tests of pipelines, in-process, no servers. */
export default class Test extends RtdsCommand {
  static override summary = 'Run the golden-file tests of pipelines (*.test.yaml) in-process, with no servers.'
  static override description = [
    "Finds *.test.yaml files (default: pipelines/), feeds each case's inputs into the pipeline's sources, topics or tables, and runs it through the same engine and transforms as `rtds run` on the in-process backend: no Kafka, Cassandra or Postgres is touched.",
    'Stages, topics, tables and dead-letter topics are compared with the expected records or golden files; a failure prints a per-field diff with the file:line:col of the case and of the expectation. --update rewrites golden files (never inline expectations) and lists them.',
    'Exit 0 when every case passed, 1 when a case failed, 2 when a file could not be run (invalid test file or pipeline, unknown name, missing file).',
  ].join('\n\n')
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Test files or folders holding *.test.yaml files.', required: false }),
  }
  static override examples = [
    { description: 'Run every test of the pipelines folder', command: '<%= config.bin %> test' },
    { description: 'Run one file and re-record its golden files (review the diff before committing)', command: '<%= config.bin %> test pipelines/users.test.yaml --update' },
    { description: 'CI: JUnit XML for the CI system, text on stdout', command: '<%= config.bin %> test pipelines/ --reporter junit --output rtds-test.xml' },
    { description: 'Machine-readable results', command: '<%= config.bin %> test pipelines/ --json' },
  ]
  static override flags = {
    update: Flags.boolean({ char: 'u', description: 'Rewrite golden files with the actual outputs (inline expectations are never rewritten) and list them.', default: false, env: 'UPDATE_GOLDEN' }),
    reporter: Flags.option({ options: ['text', 'junit', 'json'] as const, description: 'Report format (written to --output, or to stdout).', default: 'text' })(),
    output: Flags.string({ char: 'o', description: 'File the --reporter writes to; the text report still goes to stdout.' }),
  }

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Test)
    const paths = (argv as string[]).length > 0 ? (argv as string[]) : ['pipelines/']
    if (flags.output && flags.reporter === 'text') throw new UsageError('--output needs --reporter junit or --reporter json', { hint: 'rtds test pipelines/ --reporter junit --output rtds-test.xml' })
    const run = await runTests(paths, { update: flags.update })
    const code = exitCodeOf(run)
    const rendered = flags.reporter === 'junit' ? junitReport(run) : flags.reporter === 'json' ? `${JSON.stringify(jsonReport(run), null, 2)}\n` : textReport(run)
    if (flags.output) {
      try {
        writeFileSync(flags.output, rendered)
      } catch (err) {
        throw new UsageError(`cannot write ${flags.output}: ${(err as Error).message}`)
      }
    }
    if (flags.json) this.printJson(jsonReport(run) as Record<string, unknown>)
    else if (flags.output) process.stdout.write(textReport(run))
    else process.stdout.write(rendered)
    if (code !== EXIT.ok) {
      const s = summarize(run)
      const empty = run.empty?.[0]
      this.done(code, empty && code === EXIT.findings ? { code: 'NO_PIPELINE_FILES', message: `no pipeline files in ${empty}` }
        : code === EXIT.findings ? { code: 'TEST_FAILED', message: run.files.length ? `${s.failed} case(s) failed` : 'no *.test.yaml files found' }
        : { code: 'TEST_ERROR', message: `${s.errors} file(s) or case(s) could not run${run.missing.length ? ` (${run.missing.join(', ')}: no such file or directory)` : ''}` })
    }
  }
}
