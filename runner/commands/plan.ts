import { Args, Flags } from '@oclif/core'
import { connectionSettings } from '../../core/settings.js'
import { EXIT, RtdsCommand, serverError, type JsonError } from '../base-command.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'
import { LiveClients } from '../../connectors/live-clients.js'
import { loadSpecs } from '../reconcile/load-specs.js'
import { formatPlan, planJson } from '../reconcile/plan-format.js'
import { buildPlan, planHasChanges } from '../reconcile/planner.js'

/** `rtds plan [FILES|DIRS]`: what `rtds apply` would change, read-only. */
export default class Plan extends RtdsCommand {
  static override summary = 'Show what `rtds apply` would change in Kafka, the schema registry, Cassandra and Postgres.'
  static override description = `Reads the resources every pipeline declares (Kafka topics and their .dlq topics, registry subjects, Cassandra keyspaces and tables, Postgres staging tables and rtds' state tables), reads the live state and prints the difference in dependency order, then "Plan: N to create, N to update, N to destroy, N impossible." and a plan hash to pass to \`rtds apply --plan-hash\`. Changes nothing.

  +    create                 ~    update
  -/+  destroy and re-create  -    destroy
  !    impossible (e.g. a partition decrease)
  !!   breaking schema change (the field that breaks is named)
  =    unchanged (listed with --verbose)

Exit codes: 0 ok; 1 invalid file or an impossible change; 2 a server is unreachable. With --detailed-exitcode (Terraform's convention): 0 no changes, 1 error, 2 changes present.`
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Pipeline files or folders (default pipelines/).', required: false }),
  }
  static override flags = {
    'detailed-exitcode': Flags.boolean({ description: 'Exit 0 when there are no changes, 2 when there are, 1 on any error.', default: false }),
    verbose: Flags.boolean({ char: 'v', description: 'List unchanged resources too.', default: false }),
  }
  static override examples = [
    { description: 'Plan the reference pipeline', command: '<%= config.bin %> plan pipelines/users.yaml' },
    { description: 'In CI: fail on errors, detect changes', command: '<%= config.bin %> plan pipelines/ --detailed-exitcode' },
    { description: 'Machine-readable plan', command: '<%= config.bin %> plan --json' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Plan)
    const detailed = flags['detailed-exitcode']
    const loaded = loadSpecs(argv as string[])
    if (loaded.exitCode !== 0) {
      for (const p of loaded.problems) process.stderr.write(p + '\n')
      this.printJson({ files: loaded.files, problems: loaded.problems })
      this.done(detailed ? EXIT.findings : loaded.exitCode, loaded.error)
    }
    for (const p of loaded.problems) process.stderr.write(p + '\n') // warnings
    const clients = new LiveClients(connectionSettings())
    let code: number = EXIT.ok
    let error: JsonError | undefined
    try {
      const plan = await buildPlan(loaded.specs, clients)
      if (flags.json) this.printJson({ files: loaded.files, ...(planJson(plan) as object) })
      else process.stdout.write(formatPlan(plan, { verbose: flags.verbose }))
      if (plan.summary.impossible) { code = EXIT.findings; error = { code: 'PLAN_IMPOSSIBLE', message: `${plan.summary.impossible} change(s) cannot be applied` } }
      else if (detailed && planHasChanges(plan)) { code = 2; error = { code: 'CHANGES_PRESENT', message: 'the plan has changes (--detailed-exitcode)' } }
    } catch (err) {
      // under --detailed-exitcode every error is 1 (2 means "changes present")
      if (!(err instanceof ConnectionError) && !detailed) throw err
      const hint = err instanceof RtdsError && err.hint ? `\nTry this: ${err.hint}` : ''
      process.stderr.write(`error: ${(err as Error).message}${hint}\n`)
      code = detailed ? EXIT.findings : EXIT.usage
      error = err instanceof ConnectionError ? serverError(err) : { code: 'FAILED', message: (err as Error).message }
    } finally {
      await clients.close()
    }
    if (code !== EXIT.ok) this.done(code, error)
  }
}
