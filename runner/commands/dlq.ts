import { Args, Flags } from '@oclif/core'
import { formatDiagnostic } from '../../dsl/index.js'
import { loadPipeline } from '../../connectors/index.js'
import { connectionSettings } from '../../core/settings.js'
import { ConnectionError } from '../../core/errors.js'
import { LiveBackend } from '../../connectors/live-backend.js'
import { EXIT, RtdsCommand, serverError } from '../base-command.js'
import { matches, readPipelineDeadLetters, replayDeadLetters, type DeadLetterEntry } from '../dlq/dead-letters.js'

const ACTIONS = ['list', 'show', 'replay'] as const

/** `rtds dlq list|show|replay <pipeline>`: the dead letters of a pipeline, from the terminal. */
export default class Dlq extends RtdsCommand {
  static override summary = 'List, show or replay the dead letters of a pipeline (its <topic>.dlq topics).'
  static override description = `list: one line per dead letter (id, time, stage, reason, replays, error). show: the same with each record's value, the pipeline's redact: fields masked. replay: each selected record re-enters the stage it failed in (validated, transformed and written as in a run, e.g. after a fix of the transform or schema); a record that fails again goes back to the dead-letter topic with its rtds.replays header one higher. A replay reads the topics only up to their end when it starts, so it never replays its own failures. Dead-letter topics are append-only: a replayed record stays listed.

Exit codes: 0 ok; 1 a replayed record failed again; 2 a server is unreachable or a bad argument.`
  static override args = {
    action: Args.string({ description: 'list, show or replay', required: true, options: [...ACTIONS] }),
    pipeline: Args.string({ description: 'The pipeline file.', required: true }),
  }
  static override flags = {
    reason: Flags.string({ description: 'Only dead letters with this reason (decode, validation, transform, sink, ...).' }),
    stage: Flags.string({ description: 'Only dead letters of this stage.' }),
    id: Flags.string({ description: 'Only this dead letter (`<topic>.dlq/<partition>@<offset>` as listed, or an offset); repeatable.', multiple: true }),
  }
  static override examples = [
    { description: 'What failed, and why', command: '<%= config.bin %> dlq list pipelines/users.yaml' },
    { description: 'The records that failed their transform, values masked', command: '<%= config.bin %> dlq show pipelines/users.yaml --reason transform' },
    { description: 'After fixing the transform: replay them', command: '<%= config.bin %> dlq replay pipelines/users.yaml --reason transform' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Dlq)
    const loaded = loadPipeline(args.pipeline)
    for (const d of loaded.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n')
    const graph = loaded.graph
    if (!graph) {
      this.printJson({ file: args.pipeline })
      this.done(EXIT.findings, { code: 'INVALID_PIPELINE', message: `${args.pipeline} has errors` })
    }
    const backend = new LiveBackend({ pipeline: graph.pipeline, settings: connectionSettings() })
    const filter = { reason: flags.reason, stage: flags.stage, ids: flags.id }
    try {
      const all = await readPipelineDeadLetters(graph, backend.kafka(), await backend.admin(), backend.settings)
      const selected = all.filter((d) => matches(d.entry, filter))
      if (args.action !== 'replay') {
        const entries = selected.map((d) => (args.action === 'show' ? d.entry : withoutValue(d.entry)))
        if (this.jsonMode) this.printJson({ pipeline: graph.pipeline, count: entries.length, deadLetters: entries })
        else {
          for (const e of selected.map((d) => d.entry)) {
            process.stdout.write(`${e.id}  ${e.at}  ${e.stage}  ${e.reason}${e.replays ? `  replays=${e.replays}` : ''}  ${e.error.split('\n')[0].slice(0, 160)}\n`)
            if (args.action === 'show') process.stdout.write(`  origin ${e.origin}  key ${e.key ?? '(none)'}\n  ${JSON.stringify(e.value)}\n`)
          }
          process.stdout.write(`${selected.length} dead letter(s)${selected.length < all.length ? ` of ${all.length}` : ''} in ${graph.pipeline}\n`)
        }
        return
      }
      const result = await replayDeadLetters(graph, backend, selected.map((d) => d.stored))
      if (this.jsonMode) this.printJson({ pipeline: graph.pipeline, selected: selected.length, ...result })
      else {
        for (const s of result.skipped) process.stderr.write(`skipped ${s.id}: ${s.why}\n`)
        for (const e of result.errors) process.stderr.write(`error: ${e}\n`)
        process.stdout.write(`${graph.pipeline}: replayed ${result.replayed} of ${selected.length} selected: ${result.succeeded} written, ${result.failedAgain} dead-lettered again\n`)
      }
      if (result.errors.length) this.done(EXIT.findings, { code: 'FAILED', message: result.errors[0] })
      if (result.failedAgain) this.done(EXIT.findings, { code: 'FAILED', message: `${result.failedAgain} replayed record(s) failed again` })
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err
      process.stderr.write(`error: ${err.message}\nTry this: ${err.hint ?? 'start the services with `npm run services:up`'}\n`)
      this.done(EXIT.usage, serverError(err))
    } finally {
      await backend.close()
      setTimeout(() => process.exit(), 2000).unref()
    }
  }
}

function withoutValue(e: DeadLetterEntry): Omit<DeadLetterEntry, 'value'> {
  const { value: _value, ...rest } = e
  return rest
}

