/** Pipeline files of ≤ 1 MiB that push each stage of the compiler (dsl/yaml-bounds.test.ts, bench/validate.ts). */
import { MAX_NODES } from '../../dsl/yaml-bounds.js'

export const MB = 1024 * 1024
/** Fills a file up to just under 1 MiB with `line(i)`. */
const fill = (head: string, line: (i: number) => string): string => {
  const parts = [head]
  let size = Buffer.byteLength(head)
  for (let i = 0; ; i++) { const l = line(i); size += Buffer.byteLength(l); if (size > MB - 64) break; parts.push(l) }
  return parts.join('')
}

/** Files of ≤ 1 MiB that push each stage of the compiler. */
export const SHAPES: Record<string, string> = {
  'keys (110,000 in one mapping)': fill('pipeline: p\nvars:\n', (i) => `  k${i.toString(36)}: 1\n`),
  'sources (flow)': fill('pipeline: p\nsources:\n', (i) => `  s${i}: { generate: { count: 1 } }\n`),
  'sources (just under the value bound)': 'pipeline: p\nsources:\n' + Array.from({ length: Math.floor(MAX_NODES / 6) - 10 }, (_, i) => `  s${i}: { generate: { count: 1 } }\n`).join(''),
  'stages chain': fill('pipeline: p\nsources: { g: { generate: {} } }\nstages:\n', (i) => `  a${i}: { from: t${i}, to: t${i + 1} }\n`),
  'templates': fill('pipeline: p\nvars:\n', (i) => `  v${i}: "{{default env.HOME 'h'}}/{{default env.X 'y'}}"\n`),
  'unknown keys': fill('pipeline: p\n', (i) => `x${i.toString(36)}: 1\n`),
  'one long templated string': 'pipeline: p\ndescription: "' + '{{env.HOME}} '.repeat(80_000) + '"\n',
  'deep flow': 'pipeline: p\nvars: ' + '['.repeat(500_000) + ']'.repeat(500_000) + '\n',
  'compact block': 'pipeline: p\nvars:\n  ' + '- '.repeat(500_000) + 'x\n',
  'wide flow': 'pipeline: p\nvars: [' + '1,'.repeat(520_000) + '1]\n',
  'duplicate keys': fill('pipeline: p\nvars:\n', (i) => `  k${i % 5000}: 1\n`),
  'quoted escapes': 'pipeline: p\ndescription: "' + '\\t'.repeat(500_000) + '{{x"\n',
}

/** The classic: 9 levels of 9 aliases each, a template at the bottom (10^9 values rendered before). */
export const LAUGHS = 'pipeline: p\nvars:\n  a0: &a0 ["{{env.X}}lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
  Array.from({ length: 9 }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]\n`).join('')
