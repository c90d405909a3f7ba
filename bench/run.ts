/**
 * `npm run bench [-- --users N] [--seconds S] [--json]`: the realtime benchmark (see
 * `pipeline-bench.ts`); needs the servers of `npm run services:up`. Prints progress on stderr, the
 * markdown table (or the JSON with `--json`) on stdout, and writes bench/results/<date>-<host>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { parseArgs } from 'node:util'
import { runBench } from './pipeline-bench.js'
import { benchTable } from './report.js'

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
  },
})
const users = Number(values.users)
const seconds = Number(values.seconds)
if (!Number.isInteger(users) || users < 10 || !(seconds > 0)) {
  console.error('usage: npm run bench -- [--users N (>= 10, default 200000)] [--seconds S (API load phases, default 10)] [--json] [--no-save]')
  process.exit(2)
}
const started = Date.now()
const progress = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`)
try {
  const result = await runBench({ users, phaseMs: seconds * 1000, progress })
  if (!values['no-save']) {
    const dir = new URL('./results/', import.meta.url)
    mkdirSync(dir, { recursive: true })
    const file = new URL(`${result.at.slice(0, 10)}-${hostname()}.json`, dir)
    writeFileSync(file, `${JSON.stringify({ ...result, table: benchTable(result) }, null, 2)}\n`)
    progress(`wrote ${file.pathname}`)
  }
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${benchTable(result)}\n`)
  process.exit(0)
} catch (err) {
  progress(`failed: ${(err as Error).stack ?? err}`)
  process.exit(1)
}
