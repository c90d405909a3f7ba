/**
 * `npm run schema`: writes `schemas/pipeline.schema.json` from the connectors' config specs.
 * `connectors/schema-build.test.ts` fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { assemblePipelineSchema } from '../dsl/schema-assemble.js'
import { editorSchema } from '../dsl/schema-editor.js'
import { CONNECTOR_CATALOG } from './index.js'

/**
 * The text of `schemas/pipeline.schema.json` (2-space JSON, trailing newline): the editors' schema,
 * where a constrained value may also be a template (`dsl/schema-editor.ts`).
 */
export function pipelineSchemaText(): string {
  return JSON.stringify(editorSchema(assemblePipelineSchema(CONNECTOR_CATALOG)), null, 2) + '\n'
}

/** Absolute path of the generated file. */
export const PIPELINE_SCHEMA_FILE = fileURLToPath(new URL('../schemas/pipeline.schema.json', import.meta.url))

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PIPELINE_SCHEMA_FILE, pipelineSchemaText())
  process.stdout.write(`wrote ${PIPELINE_SCHEMA_FILE}\n`)
}
