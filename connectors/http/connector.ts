/** The `http` source connector: pages pulled from an HTTP API on a schedule; offline, the `generate` twin stands in. */
import type { Connector, ConnectorRuntime } from '../connector.js'
import type { HttpSourceSpec } from './spec.js'
import { GenerateSource } from '../generate/generate-source.js'
import { HTTP_SOURCE_SPEC } from './spec.js'
import { HttpSource } from './http-source.js'

const runtime: ConnectorRuntime = {
  input: (s, ctx) => {
    const spec = s as HttpSourceSpec
    if (!ctx.offline) return { pull: HttpSource.fromSpec(spec, ctx.log) }
    ctx.log(`${spec.name}: offline — the http source is replaced by the generate source (randomuser-shaped users, seed 1, ${spec.http.results ?? 10} per pull)`)
    return { pull: new GenerateSource({ name: spec.name, seed: 1, count: spec.http.results ?? 10 }) }
  },
}

export const httpConnector: Connector = {
  config: HTTP_SOURCE_SPEC,
  live: () => runtime,
  embedded: () => runtime,
}
