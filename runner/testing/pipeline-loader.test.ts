import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadPipelineForTest } from './pipeline-loader.js'

const FILE = new URL('../../pipelines/users.yaml', import.meta.url).pathname

test('runner > testing > pipeline loader: the case env reaches {{env.X}} templates', async () => {
  const r = await loadPipelineForTest(FILE, { env: { RANDOMUSER_URL: 'http://example.invalid/x' }, vars: {} })
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), [])
  const src = r.graph!.spec.sources.randomuser!
  assert.is(src.kind === 'http' ? src.http.url : '', 'http://example.invalid/x')
})

test('runner > testing > pipeline loader: case vars override the pipeline vars', async () => {
  const base = await loadPipelineForTest(FILE, { env: {}, vars: {} })
  const over = await loadPipelineForTest(FILE, { env: {}, vars: { keyspace: 'test_ks' } })
  const ks = (r: typeof base): string | undefined => {
    const t = r.graph?.spec.tables.created_users
    return t?.kind === 'cassandra' ? t.cassandra.keyspace : undefined
  }
  assert.is(ks(base), 'spark_streams')
  assert.is(ks(over), 'test_ks')
  assert.equal(over.graph!.spec.vars, { keyspace: 'test_ks' })
})

test.run()
