/**
 * `npm run bench:validate`: what validating hostile pipeline files costs (issue 15: any file ≤ 1 MiB
 * in ≤ 2 s and ≤ 200 MB RSS, linear in size). Each ≤ 1 MiB worst-case shape of
 * test/helpers/bounds-shapes.ts is compiled in a fresh process (CPU time of the compile, the
 * process's peak RSS); then growth is checked: a mapping and a list of sources at n and 4n entries
 * (4x the time when linear, 16x when quadratic). Targets are reported, never asserted in tests.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LAUGHS, SHAPES } from '../test/helpers/bounds-shapes.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'rtds-bench-validate-'))

function measure(name: string, text: string): { cpuMs: number; wallMs: number; maxRssMb: number; codes: string[] } {
  const file = join(dir, name.replace(/\W+/g, '-') + '.yaml')
  writeFileSync(file, text)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/compile-measure.ts'), file], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 })
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

try {
  const rows = ['| file | bytes | compile CPU (ms) | peak RSS (MB) | errors | ≤ 2 s, ≤ 200 MB |', '|---|---|---|---|---|---|']
  for (const [name, text] of Object.entries({ 'billion laughs': LAUGHS, ...SHAPES })) {
    const m = measure(name, text)
    rows.push(`| ${name} | ${Buffer.byteLength(text)} | ${m.cpuMs} | ${m.maxRssMb} | ${m.codes.join(' ') || '-'} | ${m.cpuMs <= 2000 && m.maxRssMb <= 200 ? 'yes' : 'NO'} |`)
  }
  console.log(rows.join('\n'))
  const mapping = (n: number) => 'pipeline: p\nvars:\n' + Array.from({ length: n }, (_, i) => `  key${i}: ${i}\n`).join('')
  const sources = (n: number) => 'pipeline: p\nsources:\n' + Array.from({ length: n }, (_, i) => `  s${i}: { generate: { count: 1 } }\n`).join('')
  console.log('\n| growth | n | CPU (ms) | 4n | CPU (ms) | ratio (4 = linear, 16 = quadratic) |\n|---|---|---|---|---|---|')
  for (const [name, make, n] of [['mapping', mapping, 6000], ['sources', sources, 2000]] as const) {
    const small = measure(`${name}-${n}`, make(n)).cpuMs
    const large = measure(`${name}-${4 * n}`, make(4 * n)).cpuMs
    console.log(`| ${name} | ${n} | ${small} | ${4 * n} | ${large} | ${(large / Math.max(1, small)).toFixed(1)} |`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
