import jsonata from 'jsonata'
import { writeSync } from 'node:fs'
import { compileTransform } from '../../runner/transform/index.js'
import { Generator, prng } from './expression-generator.js'
const gen = new Generator(prng(Number(process.env.SEED)))
for (let i = 0; i < 4000; i++) {
  const expr = gen.expr(); const input = gen.input(); const bindings = gen.bindings()
  let t; try { t = compileTransform(expr) } catch { continue }
  if (!t.fast) continue
  writeSync(2, `${i} FAST ${expr}\n`)
  try { t.evaluate(structuredClone(input), structuredClone(bindings)) } catch {}
  writeSync(2, `${i} INTERP\n`)
  try { await jsonata(expr).evaluate(structuredClone(input), structuredClone(bindings)) } catch {}
}
