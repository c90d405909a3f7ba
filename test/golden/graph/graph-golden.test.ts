/**
 * The compiled task graph of pipelines/users.yaml, pinned in every format `rtds graph` prints.
 * Re-record after review: UPDATE_GOLDEN=1 node --import tsx test/golden/graph/graph-golden.test.ts
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { GRAPH_FORMATS, renderGraph } from '../../../dsl/index.js'
import { loadPipeline } from '../../../connectors/index.js'
import { expectGolden, REPO_ROOT } from '../../helpers/golden.js'

process.chdir(REPO_ROOT)
const EXT = { text: 'txt', mermaid: 'mmd', dot: 'dot', json: 'json' } as const

for (const format of GRAPH_FORMATS) {
  test(`graph golden: users.yaml as ${format}`, () => {
    const r = loadPipeline('pipelines/users.yaml', { env: {} })
    assert.ok(r.graph, 'users.yaml must compile')
    const out = renderGraph(r.graph!, format)
    if (format === 'json') JSON.parse(out)
    expectGolden(`test/golden/graph/users.${EXT[format]}`, out)
  })
}

test.run()
