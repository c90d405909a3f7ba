/** The toy `jsonl` connector: a table sink, the same on both backends. */
import { appendFileSync } from 'node:fs'
import type { Connector, ConnectorRuntime } from '../../../connectors/connector.js'
import { JSONL_TABLE_SPEC, type JsonlTableSpec } from './spec.js'

const runtime: ConnectorRuntime = {
  sink: (e) => {
    const t = e as JsonlTableSpec
    return {
      name: t.name,
      write: async (records) => {
        appendFileSync(t.jsonl.path, records.map((r) => JSON.stringify(r.value) + '\n').join(''))
        return []
      },
      close: async () => {},
    }
  },
}

export const jsonlConnector: Connector = { config: JSONL_TABLE_SPEC, live: () => runtime, embedded: () => runtime }
