/**
 * The `http_server` source connector: the ingestion API. It listens until stopped, so a `--once`
 * run leaves it out; each request is one tiny batch, which the stage merges (linger) into one
 * staging transaction.
 */
import type { Connector, ConnectorRuntime } from '../connector.js'
import type { HttpServerSourceSpec } from './spec.js'
import { HTTP_SERVER_SOURCE_SPEC } from './spec.js'
import { HttpServerSource } from './http-server-source.js'

const runtime: ConnectorRuntime = {
  input: (s, ctx) => {
    if (ctx.once) return { skip: `${s.name}: http_server not started in --once (it would never end)` }
    return { listen: HttpServerSource.fromSpec(s as HttpServerSourceSpec, ctx.validator, ctx.log), tinyBatches: true }
  },
}

export const httpServerConnector: Connector = {
  config: HTTP_SERVER_SOURCE_SPEC,
  live: () => runtime,
  embedded: () => runtime,
}
