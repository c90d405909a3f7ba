import { Args, Flags } from '@oclif/core'
import { formatDiagnostic, parseDuration } from '../../dsl/index.js'
import { loadPipeline, loadPipelines } from '../../connectors/index.js'
import { LiveClients } from '../../connectors/live-clients.js'
import { buildPlan } from '../reconcile/planner.js'
import { applyPipelines } from '../reconcile/apply-executor.js'
import { runWatched } from '../watch/watch-run.js'
import { connectionSettings } from '../../core/settings.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import { MemoryBackend } from '../../connectors/memory/memory-backend.js'
import { EXIT, RtdsCommand, serverError, type JsonError } from '../base-command.js'
import { ConnectionError, UsageError } from '../../core/errors.js'
import type { Backend } from '../../connectors/backend.js'
import { formatStored } from '../../connectors/memory/embedded-report.js'
import { LiveBackend } from '../../connectors/live-backend.js'
import { runPipeline, type RunSummary } from '../engine/run-pipeline.js'
import { EventBus } from '../../core/events.js'
import { jsonLogger, pipelineJsonLog } from '../engine/json-log.js'
import { isLoopback, parseAdminAddress, startAdminServer, type AdminServer } from '../admin/admin-server.js'
import { ScheduleTriggers } from '../scheduler/triggers.js'

function duration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  try {
    return parseDuration(/^\s*\d+\s*$/.test(value) ? Number(value) : value)
  } catch {
    throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}`, { hint: 'use a duration like 0, 500ms, 10s or 2m' })
  }
}

/** `rtds run [FILES]`: the thin command over `runPipeline`. */
export default class Run extends RtdsCommand {
  static override summary = 'Run pipelines: scheduled pulls, the ingestion API, the outbox relay and the consumers, until stopped (or once).'
  static override description = `Runs every stage of the pipelines: scheduled sources pull (cron or interval, each run streaming for its runFor window), the http_server source accepts POSTs, the relay publishes the staging outbox to Kafka, consumers transform and store. Records that fail decoding, validation or their transform go to <topic>.dlq. SIGINT/SIGTERM stops taking input, drains in-flight work, commits and exits 0 within --grace.

--once starts every scheduled source now for one run (honouring runFor; --run-for overrides it), drains every stage (outbox empty, consumers caught up) and exits. The http_server source is not started with --once.

--embedded runs with no services and no network: in-process topics (partitions, offsets, consumer groups), an in-memory staging outbox and table, the offline generate source instead of http sources; it prints what it stored.

Exit codes: 0 done or stopped gracefully; 1 invalid file, or a stage failed (e.g. a source still unreachable after its retries: see the error lines); 2 usage error or unreadable file.`
  static override strict = false
  static override args = {
    paths: Args.string({ description: 'Pipeline files or folders (default pipelines/).', required: false }),
  }
  static override flags = {
    once: Flags.boolean({ description: 'One run of every scheduled source, drain every stage, exit.', default: false }),
    embedded: Flags.boolean({ description: 'No services, no network: in-process topics and tables, offline generated users.', default: false }),
    grace: Flags.string({ description: 'How long SIGINT/SIGTERM may wait for in-flight work.', default: '10s' }),
    'start-retry': Flags.string({ description: 'How long a stage keeps retrying a server that is unreachable (or answers a retriable error) before its first record, e.g. a broker that is still starting; then the run fails.', default: '2m', env: 'RTDS_START_RETRY' }),
    'run-for': Flags.string({ description: 'Override the runFor window of every schedule (e.g. 0 for one pull, 5s).' }),
    progress: Flags.string({ description: 'Interval of the progress lines (0 = none).', default: '5s' }),
    rows: Flags.integer({ description: 'Rows of each table printed after an embedded run.', default: 10 }),
    'log-format': Flags.string({ description: 'text: plain lines; json: one JSON object per line (pino) with pipeline, stage, component fields. Both on stderr.', options: ['text', 'json'], default: 'text', env: 'RTDS_LOG_FORMAT' }),
    watch: Flags.boolean({
      description: 'Hot reload: when a pipeline file or a transform/schema file it references changes, re-validate it; an invalid or destructive change is refused (diagnostics or plan printed) and the running version continues; a valid one is applied and every stage restarts gracefully (offsets and outbox stay). Not with --once.',
      default: false,
    }),
    admin: Flags.string({
      description: 'Address of the admin endpoint (the web console at /, /metrics, /healthz, /readyz): host:port, :port, or off. An address in use is reported and the run continues without it.',
      default: '127.0.0.1:9464', env: 'RTDS_ADMIN',
    }),
    'admin-token': Flags.string({
      description: 'Token the web console\'s actions (replay, run now) need (Authorization: Bearer <token>); without it they are allowed only when the admin endpoint is bound to loopback.',
      env: 'RTDS_ADMIN_TOKEN',
    }),
  }
  static override examples = [
    { description: 'The quick start: the users pipeline end to end, no services, no internet', command: '<%= config.bin %> run pipelines/users.yaml --embedded --once --run-for 3s' },
    { description: 'One run against the real servers (after `rtds apply`)', command: 'RANDOMUSER_URL=http://127.0.0.1:8080/api/ <%= config.bin %> run pipelines/users.yaml --once' },
    { description: 'Run until Ctrl-C, accepting POST :5000/api/data', command: '<%= config.bin %> run pipelines/users.yaml' },
    { description: 'Hot reload: edits of the pipeline or its transform take effect without a restart', command: '<%= config.bin %> run pipelines/users.yaml --watch' },
  ]

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Run)
    const graceMs = duration('grace', flags.grace) ?? 10_000
    const startRetryMs = duration('start-retry', flags['start-retry']) ?? 120_000
    const runFor = duration('run-for', flags['run-for'])
    const progressMs = duration('progress', flags.progress) ?? 5000
    const adminAddress = parseAdminAddress(flags.admin)
    if (flags.watch && flags.once) throw new UsageError('--watch cannot be combined with --once', { hint: 'drop --once: --watch keeps running until stopped' })
    const { results, ioErrors } = loadPipelines((argv as string[]).length ? (argv as string[]) : ['pipelines/'])
    for (const r of results) for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n')
    for (const e of ioErrors) process.stderr.write(`${e.path}: ${e.message}\n`)
    if (ioErrors.length || results.length === 0) {
      if (!results.length && !ioErrors.length) process.stderr.write('no pipeline files found\n')
      this.done(EXIT.usage, { code: 'USAGE', message: ioErrors[0]?.message ?? 'no pipeline files found' })
    }
    const graphs = results.map((r) => r.graph).filter((g): g is TaskGraph => g !== undefined)
    if (graphs.length < results.length) {
      process.stderr.write(`${results.length - graphs.length} pipeline file(s) invalid: nothing was run\n`)
      this.printJson({ diagnostics: results.flatMap((r) => r.diagnostics) })
      const empty = results.flatMap((r) => r.diagnostics).find((d) => d.code === 'RTDS005')
      this.done(EXIT.findings, empty ? { code: 'NO_PIPELINE_FILES', message: empty.message } : { code: 'INVALID_PIPELINE', message: `${results.length - graphs.length} pipeline file(s) invalid: nothing was run` })
    }

    const logger = flags['log-format'] === 'json' ? jsonLogger() : undefined
    const say = (line: string): void => (logger ? logger.info(line) : void process.stderr.write(line + '\n'))
    const controller = new AbortController()
    let signals = 0
    const onSignal = (sig: string): void => {
      if (++signals > 1) {
        say(`${sig} again: exiting without draining`)
        process.exit(130)
      }
      say(`${sig} received`)
      controller.abort()
    }
    const onInt = (): void => onSignal('SIGINT')
    const onTerm = (): void => onSignal('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)

    const settings = connectionSettings()
    const backends: Backend[] = graphs.map((g) =>
      flags.embedded ? new MemoryBackend({ pipeline: g.pipeline }) : new LiveBackend({ pipeline: g.pipeline, settings }),
    )
    if (flags.embedded) say('embedded mode: in-process topics and tables, no services, no network')
    const buses = graphs.map(() => new EventBus())
    const jsonLogs = logger ? graphs.map((g, i) => {
      const l = pipelineJsonLog(logger, g.spec)
      l.watch(buses[i])
      return l
    }) : []
    const triggers = graphs.map(() => new ScheduleTriggers())
    let admin: AdminServer | undefined
    if (adminAddress) {
      try {
        admin = await startAdminServer({ ...adminAddress, token: flags['admin-token'], pipelines: graphs.map((g, i) => ({ spec: g.spec, backend: backends[i], events: buses[i], graph: g, triggers: triggers[i] })) })
        say(`admin endpoint: ${admin.url} (console at /, /metrics /healthz /readyz)`)
        if (!isLoopback(adminAddress.host) && !flags['admin-token']) say('admin endpoint beyond loopback without --admin-token: the console is read-only')
      } catch (err) {
        say(`admin endpoint not started: ${adminAddress.host}:${adminAddress.port}: ${(err as Error).message} (Try this: --admin host:port, or --admin off)`)
      }
    }
    let summaries: RunSummary[]
    try {
      summaries = await Promise.all(
        graphs.map((g, i) => {
          const opts = {
            once: flags.once, signal: controller.signal, graceMs, startRetryMs, runFor, progressMs, events: buses[i], triggers: triggers[i],
            log: jsonLogs[i]?.log ?? ((line: string) => say(`[${g.pipeline}] ${line}`)), logEvents: !logger,
          }
          if (!flags.watch) return runPipeline(g, backends[i], opts)
          const file = results.find((r) => r.graph === g)!.file
          const live = flags.embedded ? undefined : settings
          return runWatched(g, backends[i], opts, {
            file, log: opts.log, load: (f) => loadPipeline(f),
            plan: live && (async (spec) => {
              const clients = new LiveClients(live)
              try { return await buildPlan([spec], clients) } finally { await clients.close() }
            }),
            // apply re-plans under the apply lock and refuses a destructive, breaking or impossible plan itself
            apply: live && (async (graph) => {
              const clients = new LiveClients(live)
              try { await applyPipelines([graph.spec], clients, { files: [file], log: opts.log }) } finally { await clients.close() }
            }),
          })
        }),
      )
    } catch (err) {
      if (err instanceof ConnectionError) {
        say(`error: ${err.message}\nTry this: ${err.hint ?? 'start the services with `npm run services:up`, or use --embedded'}`)
        this.done(EXIT.usage, serverError(err))
      }
      throw err
    } finally {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      await admin?.close()
      await Promise.all(backends.map((b) => b.close().catch(() => {})))
    }

    if (flags.json) this.printJson({ pipelines: flags.embedded ? summaries.map((s, i) => ({ ...s, stored: (backends[i] as MemoryBackend).snapshot() })) : summaries })
    else
      for (const [i, s] of summaries.entries()) {
        if (flags.embedded) process.stdout.write(formatStored(backends[i] as MemoryBackend, { maxRows: flags.rows }) + '\n')
        process.stdout.write(
          `${s.pipeline}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)} s — ${s.recordsIn} in, ${s.recordsStored} stored, ${s.deadLettered} dead-lettered (${s.recordsPerSecond} records/s)\n`,
        )
        for (const e of s.errors) process.stdout.write(`  error: ${e}\n`)
      }
    // every connection is closed (or abandoned, see LiveBackend.close): a client library's stray
    // reconnect timer must not keep the process alive after the run ended
    setTimeout(() => process.exit(), 2000).unref()
    const failed = summaries.filter((s) => s.status === 'failed')
    if (failed.length) this.done(EXIT.findings, { code: 'RUN_FAILED', message: `${failed.map((s) => s.pipeline).join(', ')}: ${failed.flatMap((s) => s.errors)[0] ?? 'failed'}` })
  }
}
