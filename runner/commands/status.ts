import { Args, Flags } from '@oclif/core'
import { formatDiagnostic } from '../../dsl/index.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import { loadPipelines } from '../../connectors/index.js'
import { connectionSettings } from '../../core/settings.js'
import { LiveBackend } from '../../connectors/live-backend.js'
import { EXIT, RtdsCommand } from '../base-command.js'
import { formatStatus, pipelineStatus, type PipelineStatus } from '../status/pipeline-status.js'

/** `rtds status [FILES]`: what each pipeline is doing, from its running process and the servers. */
export default class Status extends RtdsCommand {
  static override summary = 'Show the state of pipelines: stages with rates and lag, staging backlog, dead letters by reason, scheduled runs, subjects, table sizes.'
  static override description = `Looks for a running \`rtds run\` of each pipeline on the admin endpoints given (default http://127.0.0.1:9464) and samples its counters for rates; reads consumer lag, the staging backlog, registry subject versions and Cassandra row estimates from the servers, the latest scheduled runs from Postgres (rtds.runs) and the dead letters from the <topic>.dlq topics. Works with servers partly down: each one that does not answer is named, the rest is reported.

Exit codes: 0 every server answered; 1 some did not (reported); 2 usage error or unreadable file.`
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Pipeline files or folders (default pipelines/).', required: false }),
  }
  static override flags = {
    admin: Flags.string({ description: 'Admin endpoint(s) of running `rtds run` processes (URL or host:port).', multiple: true, default: ['http://127.0.0.1:9464'], env: 'RTDS_ADMIN_URL' }),
  }
  static override examples = [
    { description: 'Everything in pipelines/', command: '<%= config.bin %> status' },
    { description: 'One pipeline, a process with another admin address, as JSON', command: '<%= config.bin %> status pipelines/users.yaml --admin 127.0.0.1:9500 --json' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Status)
    const { results, ioErrors } = loadPipelines((argv as string[]).length ? (argv as string[]) : ['pipelines/'])
    for (const r of results) for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n')
    for (const e of ioErrors) process.stderr.write(`${e.path}: ${e.message}\n`)
    if (ioErrors.length) this.done(EXIT.usage, { code: 'USAGE', message: ioErrors[0].message })
    const graphs = results.map((r) => r.graph).filter((g): g is TaskGraph => g !== undefined)
    if (!results.length) this.done(EXIT.findings, { code: 'NO_PIPELINE_FILES', message: 'no pipeline files found' })
    const admins = flags.admin.map((a) => (/^https?:\/\//.test(a) ? a : `http://${a}`).replace(/\/$/, ''))
    const statuses: PipelineStatus[] = []
    for (const graph of graphs) {
      const backend = new LiveBackend({ pipeline: graph.pipeline, settings: connectionSettings() })
      try {
        statuses.push(await pipelineStatus(graph, backend, { admins }))
      } finally {
        await backend.close()
      }
    }
    const down = statuses.flatMap((s) => s.servers.filter((x) => !x.up).map((x) => x.server))
    if (this.jsonMode) this.printJson({ pipelines: statuses })
    else for (const s of statuses) process.stdout.write(formatStatus(s))
    setTimeout(() => process.exit(), 2000).unref()
    if (graphs.length < results.length) this.done(EXIT.findings, { code: 'INVALID_PIPELINE', message: `${results.length - graphs.length} pipeline file(s) have errors` })
    if (down.length) this.done(EXIT.findings, { code: 'SERVER_UNAVAILABLE', message: `unreachable: ${[...new Set(down)].join(', ')}` })
  }
}
