/**
 * The layers point one way (docs/ARCHITECTURE.md): core ← transform ← dsl ← connectors ← runner
 * (← bin, bench, test). This test reads every import of the layered folders and fails on an import
 * that points up a layer, and on any import cycle between files (type-only imports excluded: they
 * vanish at run time). Tests beside the code may import any layer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('architecture > layers')
const root = fileURLToPath(new URL('../..', import.meta.url))
export const LAYERS = ['core', 'transform', 'dsl', 'connectors', 'runner'] as const

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (/\.ts$/.test(name) && !/\.d\.ts$|\.test\.ts$/.test(name)) out.push(p)
  }
  return out
}

/** Relative imports of a file: `{ target, typeOnly }` (static, re-exports and dynamic). */
export function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8')
  const out: { target: string; typeOnly: boolean }[] = []
  const rx = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g
  for (const m of text.matchAll(rx)) {
    const spec = m[3] ?? m[4] ?? m[5]
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts')
    out.push({ target, typeOnly: Boolean(m[2]) })
  }
  return out
}

const layerOf = (file: string): number => LAYERS.indexOf(relative(root, file).split('/')[0] as (typeof LAYERS)[number])
const files = LAYERS.flatMap((l) => walk(join(root, l)))

test('no import points up a layer', () => {
  const up: string[] = []
  for (const f of files)
    for (const { target } of importsOf(f)) {
      const lt = layerOf(target)
      if (lt > layerOf(f)) up.push(`${relative(root, f)} -> ${relative(root, target)} (${LAYERS[layerOf(f)]} imports ${LAYERS[lt]})`)
    }
  assert.equal(up, [], `imports pointing up:\n${up.join('\n')}`)
})

test('no import cycle between files (run-time imports)', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((i) => !i.typeOnly).map((i) => i.target).filter((t) => files.includes(t))]))
  // Tarjan's strongly connected components: every component of more than one file is a cycle
  let index = 0
  const idx = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = []
  const cycles: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index), low.set(v, index++), stack.push(v), onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) (visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!)))
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = []
      let w: string
      do (w = stack.pop()!, onStack.delete(w), comp.push(relative(root, w)))
      while (w !== v)
      if (comp.length > 1) cycles.push(comp.sort())
    }
  }
  for (const f of files) if (!idx.has(f)) visit(f)
  assert.equal(cycles, [], `import cycles:\n${cycles.map((c) => c.join(' ↔ ')).join('\n')}`)
})

test('the checker sees imports (it would notice an upward one)', () => {
  const engine = importsOf(join(root, 'runner/engine/run-pipeline.ts'))
  assert.ok(engine.some((i) => relative(root, i.target) === 'connectors/connector.ts'), 'runner imports connectors')
  assert.ok(engine.some((i) => i.typeOnly), 'type-only imports are recognised')
  assert.ok(files.length > 100, `${files.length} files`)
})

test.run()
