import { readFileSync } from 'node:fs'
import { parseDocument } from 'yaml'
import { compilePipeline, loadPipeline } from '../../connectors/index.js'
import type { PipelineLoader } from './case-engine.js'

/**
 * Loads the pipeline under test with the case's environment and `vars` overrides, through the same
 * compiler as `rtds run` (`dsl/load-pipeline.ts`). Without `vars` overrides the file is compiled as
 * is (positions exact). With overrides, the `vars:` mapping is patched in the YAML document before
 * compiling (the DSL has no `vars` option yet), so positions in the pipeline's own diagnostics may
 * shift by the patched lines.
 */
export const loadPipelineForTest: PipelineLoader = async (file, opts) => {
  const env = opts.env as NodeJS.ProcessEnv
  if (Object.keys(opts.vars).length === 0) return loadPipeline(file, { env })
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return loadPipeline(file, { env }) // reports the unreadable file the usual way
  }
  const doc = parseDocument(text)
  for (const [k, v] of Object.entries(opts.vars)) doc.setIn(['vars', k], v)
  return compilePipeline(file, doc.toString(), { env })
}
