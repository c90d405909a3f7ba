// Compiles one pipeline file in a fresh process and prints what it cost, as one JSON line:
// { cpuMs, wallMs, maxRssMb, codes } (the compile alone for time; the whole process for memory).
// Used by the bounded-input tests: `node --import tsx test/helpers/compile-measure.ts FILE`.
import { loadPipeline } from '../../connectors/index.js'

const file = process.argv[2]!
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const r = loadPipeline(file, { env: {} })
const wallMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
process.stdout.write(JSON.stringify({
  cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  wallMs: Math.round(wallMs),
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  codes: [...new Set(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))],
  located: r.diagnostics.every((d) => d.line >= 1 && d.col >= 1),
}) + '\n')
