/** Config spec of the toy `jsonl` table: records appended as JSON lines to a file. */
import { objectSchema, type ConnectorConfigSpec } from '../../../dsl/connector-config.js'
import type { TableSpecOf } from '../../../dsl/spec.js'

export interface JsonlTableConfig {
  /** File the records are appended to, relative to the pipeline file's folder. */
  readonly path: string
}

declare module '../../../dsl/spec.js' { interface TableConfigs { jsonl: JsonlTableConfig } }

export type JsonlTableSpec = TableSpecOf<'jsonl'>

export const JSONL_TABLE_SPEC: ConnectorConfigSpec = {
  key: 'jsonl', title: 'JSON lines', role: 'table', secrets: [],
  description: 'Append every record as one JSON line to a file.',
  schema: objectSchema('A JSON-lines file.', {
    path: { description: 'File to append to, relative to the pipeline file.', type: 'string', pattern: '\\.jsonl$' },
  }, ['path']),
  readable: false,
  resolve: (c, ctx) => ({ path: ctx.dir + '/' + String(c.path ?? '') }),
  describe: (c: JsonlTableConfig) => `jsonl ${c.path.split('/').pop()}`,
}
