import { Args, Flags } from '@oclif/core'
import { connectionSettings } from '../../core/settings.js'
import { parseDuration } from '../../dsl/index.js'
import { EXIT, RtdsCommand, serverError, type JsonError } from '../base-command.js'
import { ConnectionError, UsageError } from '../../core/errors.js'
import { applyPipelines, type ApplyResult } from '../reconcile/apply-executor.js'
import { LiveClients } from '../../connectors/live-clients.js'
import { loadSpecs } from '../reconcile/load-specs.js'
import { formatPlan, planJson } from '../reconcile/plan-format.js'

/** `--lock-timeout`: a duration (`30s`, `2m`) or a bare number of seconds. */
export function lockTimeout(text: string): number {
  try {
    return /^\d+$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text)
  } catch {
    throw new UsageError(`invalid --lock-timeout ${JSON.stringify(text)}`, { hint: 'use a duration like 30s or 2m' })
  }
}

/** The closing lines of an apply. */
export function applySummary(r: ApplyResult): string {
  const n = (a: string): number => r.applied.filter((x) => x.status === 'done' && x.action === a).length
  if (r.applied.length === 0) return `No changes: the live systems already match the files. Recorded as apply #${r.historyId} in rtds.applies.\n`
  return `Apply complete: ${n('create')} created, ${n('update')} updated, ${n('replace')} re-created. Recorded as apply #${r.historyId} in rtds.applies.\n`
}

/** `rtds apply [FILES|DIRS]`: make the live systems match the files. */
export default class Apply extends RtdsCommand {
  static override summary = 'Create or update the Kafka topics, registry subjects, Cassandra keyspaces/tables and Postgres tables the pipelines declare.'
  static override description = `Refuses to start when any file is invalid (nothing is half-applied). Creates the database of DATABASE_URL when missing, then takes a Postgres advisory lock (two applies never interleave; --lock-timeout bounds the wait), re-plans under the lock and applies the changes in dependency order: state tables, staging tables, topics, subjects, keyspaces, tables.

Never destroys data without --allow-destroy, never registers an incompatible schema without --allow-breaking, never applies an impossible change. With --plan-hash it refuses when the live state moved away from the reviewed plan. Every apply is recorded in rtds.applies (who, host, files, plan hash, changes). Running it again reports no changes.

Exit codes: 0 applied (or nothing to do); 1 invalid file, refused plan or failed change; 2 a server is unreachable.`
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Pipeline files or folders (default pipelines/).', required: false }),
  }
  static override flags = {
    'allow-destroy': Flags.boolean({ description: 'Allow destructive changes (drop and re-create a table, drop a column).', default: false }),
    'allow-breaking': Flags.boolean({ description: 'Allow registering a schema version the registry finds incompatible.', default: false }),
    'plan-hash': Flags.string({ description: 'Apply only if the plan still has this hash (from `rtds plan`).' }),
    'lock-timeout': Flags.string({ description: 'How long to wait for another apply\'s lock (e.g. 30s, 2m).', default: '30s' }),
  }
  static override examples = [
    { description: 'Apply the reference pipeline', command: '<%= config.bin %> apply pipelines/users.yaml' },
    { description: 'Apply exactly the reviewed plan', command: '<%= config.bin %> apply pipelines/ --plan-hash sha256:3f2a…' },
    { description: 'Allow a table to be dropped and re-created', command: '<%= config.bin %> apply pipelines/ --allow-destroy' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Apply)
    const lockTimeoutMs = lockTimeout(flags['lock-timeout'])
    const loaded = loadSpecs(argv as string[])
    for (const p of loaded.problems) process.stderr.write(p + '\n')
    if (loaded.exitCode !== 0) {
      this.printJson({ files: loaded.files, problems: loaded.problems })
      this.done(loaded.exitCode, loaded.error)
    }
    const clients = new LiveClients(connectionSettings())
    const log = flags.json ? () => {} : (line: string) => process.stdout.write(line + '\n')
    try {
      const result = await applyPipelines(loaded.specs, clients, {
        files: loaded.files,
        allowDestroy: flags['allow-destroy'],
        allowBreaking: flags['allow-breaking'],
        planHash: flags['plan-hash'],
        lockTimeoutMs,
        log,
        onPlan: flags.json ? undefined : (plan) => process.stdout.write(formatPlan(plan) + '\n'),
      })
      if (flags.json) this.printJson({ files: loaded.files, historyId: result.historyId, plan: planJson(result.plan), applied: result.applied })
      else process.stdout.write(applySummary(result))
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err
      process.stderr.write(`error: ${err.message}\nTry this: ${err.hint ?? 'start the services with `npm run services:up`'}\n`)
      this.done(EXIT.usage, serverError(err))
    } finally {
      await clients.close()
    }
  }
}
