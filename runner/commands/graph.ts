import { Args, Flags } from '@oclif/core'
import { CODES, formatDiagnostic, graphToJson, GRAPH_FORMATS, renderGraph } from '../../dsl/index.js'
import { loadPipelines } from '../../connectors/index.js'
import { EXIT, RtdsCommand } from '../base-command.js'

/** `rtds graph FILE`: the compiled task graph as text, Mermaid, DOT or JSON. */
export default class Graph extends RtdsCommand {
  static override summary = 'Print the compiled task graph of a pipeline as text, Mermaid, DOT or JSON.'
  static override description = `Compiles the pipeline like \`rtds validate\` and prints its task graph: nodes (sources, stages, topics, tables) upstream first, with what each does, and the edges between them. Secrets (HTTP headers, tokens, URL passwords) are never printed. Exit 1 when the file has errors (they are printed on stderr), 2 when it cannot be read.`
  static override args = {
    file: Args.string({ description: 'Pipeline file.', required: true }),
  }
  static override flags = {
    format: Flags.option({ char: 'f', options: GRAPH_FORMATS, description: 'Output format.', default: 'text' as const })(),
  }
  static override examples = [
    { description: 'Readable summary', command: '<%= config.bin %> graph pipelines/users.yaml' },
    { description: 'Mermaid for a README or a pull request', command: '<%= config.bin %> graph pipelines/users.yaml --format mermaid' },
    { description: 'Render with Graphviz', command: '<%= config.bin %> graph pipelines/users.yaml --format dot | dot -Tsvg > users.svg' },
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Graph)
    const { results, ioErrors } = loadPipelines([args.file])
    if (ioErrors.length) {
      for (const e of ioErrors) process.stderr.write(`error: ${e.message}\n`)
      this.done(EXIT.usage, { code: 'USAGE', message: ioErrors[0]!.message })
    }
    const r = results[0]
    if (!r?.graph) {
      for (const d of r?.diagnostics ?? []) process.stderr.write(formatDiagnostic(d) + '\n')
      process.stderr.write(`${args.file} has errors: no graph (run rtds validate ${args.file})\n`)
      this.printJson({ diagnostics: r?.diagnostics ?? [] })
      const empty = r?.diagnostics.find((d) => d.code === CODES.NO_PIPELINE_FILES)
      this.done(EXIT.findings, empty ? { code: 'NO_PIPELINE_FILES', message: empty.message, hint: empty.hint } : { code: 'INVALID_PIPELINE', message: `${args.file} has errors: no graph`, hint: `run rtds validate ${args.file}` })
    }
    if (flags.json) this.printJson(graphToJson(r.graph))
    else process.stdout.write(renderGraph(r.graph, flags.format))
  }
}
