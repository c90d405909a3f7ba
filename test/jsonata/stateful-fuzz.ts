/**
 * Stateful differential fuzzing of compiled transforms against the jsonata interpreter (issue 11).
 *
 * A round picks a few expressions (from the official suite's fast-path cases, the expression
 * generator, shape-aware paths over the suite datasets and randomuser users, and the pipelines'
 * transforms), compiles each ONCE with `compileTransform` — the object `rtds run` and `rtds test`
 * evaluate — and then evaluates them call by call over a random sequence of inputs (≥ 20 per
 * expression: suite datasets, the case's own input, undefined, null, [], {}, scalars of every type,
 * arrays of mixed types, randomuser users with and without some fields), the expressions interleaved
 * in random order. Every result is compared with jsonata's for the same input: deep equality with
 * key order, `-0`, NaN and array-ness, sequences compared as the arrays they are; errors by code.
 * Everything is derived from one seed, printed with any mismatch.
 */
import { readdirSync, readFileSync } from 'node:fs'
import jsonata from 'jsonata'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'
import { mulberry32 } from '../../core/prng.js'
import { type CompiledTransform, compileTransform } from '../../transform/index.js'
import { DataPathGenerator } from './data-path-generator.js'
import { Generator } from './expression-generator.js'
import { loadDatasets, loadSuite, type SuiteCase } from './suite-loader.js'

/** What a fuzz run is told. */
export interface FuzzOptions {
  readonly seed: number
  /** Stop after this many expression×input pairs were checked… */
  readonly maxPairs?: number
  /** …or at this time (ms since the epoch), whichever comes first. */
  readonly deadline?: number
  /** Expressions compiled and interleaved per round (default 6). */
  readonly perRound?: number
  /** Inputs per expression per round (default 24, at least 20). */
  readonly inputsPerExpression?: number
  /**
   * Only the suite's expressions, each once, then stop: every expression of the official suite that
   * the fast path accepts gets its own input sequence (default: suite expressions are a third of
   * each round, taken in a seeded order that goes through all of them before repeating one).
   */
  readonly suiteSweep?: boolean
  /** Stop at the first mismatch (default true). */
  readonly stopOnMismatch?: boolean
  /** Called after every round (progress). */
  readonly onRound?: (stats: FuzzStats) => void
}

/** What a fuzz run found. */
export interface FuzzStats {
  readonly seed: number
  rounds: number
  /** Expression×input pairs whose results were compared. */
  pairs: number
  /** Distinct compiled transforms evaluated. */
  transforms: number
  /** Suite expressions usable on the fast path, and how many of them were evaluated so far. */
  suiteTotal: number
  suiteCovered: number
  /** Pairs where jsonata's result was an error (compared by code). */
  errors: number
  /** Pairs where jsonata's result was undefined. */
  undefinedResults: number
  /** Pairs where both paths failed with different codes among several concurrently evaluated items (see `ambiguousError`). */
  ambiguous: number
  /** Pairs not compared because a path hit its time limit (wall-clock dependent). */
  timedOut: number
  mismatches: string[]
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string }

/** jsonata `$now()`, `$millis()`, `$random()`, `$shuffle()`: results differ from call to call. */
const NONDETERMINISTIC = /\$(now|millis|random|shuffle)\b/
/** Limits both paths run with (the interpreter gets the same guardrails). */
const LIMITS = { timeoutMs: 2000, maxDepth: 500 }

/** One expression of the pool, with the inputs it is especially meant for. */
interface Candidate {
  readonly expr: string
  readonly origin: string
  readonly bindings?: Record<string, unknown>
  readonly own?: unknown
}

/** Pools of expressions and inputs, built once per process. */
interface Pools {
  readonly suite: Candidate[]
  readonly datasets: [string, unknown][]
  readonly pipelines: Candidate[]
}

let pools: Pools | undefined

function suiteUsable(c: SuiteCase): boolean {
  if (c.timelimit !== undefined || c.depth !== undefined) return false
  const code = c.code ?? (c.error?.code as string | undefined)
  if (code === 'D1011' || code === 'D1012' || code === 'U1001') return false
  if (NONDETERMINISTIC.test(c.expr) || /\$eval\b/.test(c.expr) && /:=/.test(c.expr)) return false
  return !unstableInInterpreter(c.expr)
}

/**
 * jsonata 2.2 clones the left side of `??`/`?:` through JSON, turning a regex literal into `{}`:
 * `$match(s, /x/) ?? y` then loops forever in the interpreter; not compared (as in differential.test.ts).
 */
function unstableInInterpreter(expr: string): boolean {
  return /\?[?:]/.test(expr) && /\$(match|replace|split|contains)\(/.test(expr) && /\//.test(expr)
}

function loadPools(): Pools {
  if (pools) return pools
  const suite: Candidate[] = []
  for (const c of loadSuite()) {
    if (!suiteUsable(c)) continue
    let t: CompiledTransform
    try {
      t = compileTransform(c.expr, LIMITS)
    } catch {
      continue
    }
    if (t.fast) suite.push({ expr: c.expr, origin: `suite ${c.name}`, bindings: Object.keys(c.bindings).length ? c.bindings : undefined, own: c.data })
  }
  const dir = new URL('../../pipelines/transforms/', import.meta.url)
  const pipelines = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonata'))
    .map((f) => ({ expr: readFileSync(new URL(f, dir), 'utf8'), origin: `pipelines/transforms/${f}` }))
  // `items` (the suite's performance dataset, hundreds of rows) is left to its own cases: random
  // expressions over it build cross products of 10^5 items that jsonata's quadratic natives
  // (`$spread`, `$append` chains) take minutes over, on both paths, outside any time limit
  pools = { suite, datasets: loadDatasets().filter(([name]) => name !== 'items'), pipelines }
  return pools
}

/** A randomuser.me-shaped user, sometimes with fields removed (the record that "lacks a field"). */
function user(rnd: () => number): Record<string, unknown> {
  const u = generateUser(Math.floor(rnd() * 1000), Math.floor(rnd() * 1e6)) as Record<string, any>
  const r = rnd()
  if (r < 0.15) delete u.location.postcode
  else if (r < 0.25) delete u.location
  else if (r < 0.3) delete u.name.first
  else if (r < 0.35) u.location.postcode = null
  else if (r < 0.4) u.location.street.number = String(u.location.street.number)
  else if (r < 0.45) delete u.login
  return u
}

const SCALARS: unknown[] = ['', 'abc', '42', ' 1 ', 'Hello World', 0, -0, 1, -3, 2.5, 1e21, 1e-7, true, false, null]

/** One random input for a call. */
function input(rnd: () => number, gen: Generator, p: Pools, c: Candidate): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  const r = rnd()
  if (r < 0.15 && c.own !== undefined) return c.own
  if (r < 0.3) return pick(p.datasets)[1]
  if (r < 0.4) return undefined
  if (r < 0.5) return pick([null, [], {}, [[]], [{}], [null]])
  if (r < 0.6) return pick(SCALARS)
  if (r < 0.7) return [pick(SCALARS), pick(SCALARS), ...(rnd() < 0.5 ? [{ a: pick(SCALARS) }] : [])]
  if (r < 0.85) return user(rnd)
  if (r < 0.92) return gen.mixedArray()
  return gen.input()
}

/** Bindings that shadow jsonata function names (functions or not), sometimes. */
function overrides(rnd: () => number): Record<string, unknown> | undefined {
  if (rnd() >= 0.15) return undefined
  const all: Record<string, unknown>[] = [
    { uppercase: (s: unknown) => `${String(s)}!` },
    { string: (v: unknown) => `S(${typeof v})` },
    { length: () => 99 },
    { trim: 'not a function' },
    { string: null },
    { keys: (o: unknown) => ['k', typeof o] },
  ]
  return all[Math.floor(rnd() * all.length)]
}

/** A copy of the bindings for one evaluation (functions are shared, values cloned). */
function copyBindings(b: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (b === undefined || Object.keys(b).length === 0) return undefined
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'function' ? v : structuredClone(v)]))
}

/** One random expression of the pool. */
function candidate(rnd: () => number, gen: Generator, p: Pools, nextSuite: () => Candidate, suiteOnly: boolean): Candidate {
  const r = rnd()
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  if (suiteOnly || r < 0.35) return nextSuite()
  if (r < 0.45) return { expr: gen.contextCall(), origin: 'generated (context argument)', bindings: overrides(rnd) }
  if (r < 0.75) return { expr: gen.expr(), origin: 'generated', bindings: { ...gen.bindings(), ...overrides(rnd) } }
  if (r < 0.85) {
    const [name, doc] = pick(p.datasets)
    return { expr: new DataPathGenerator(rnd, doc).expr(), origin: `paths over ${name}`, own: doc }
  }
  if (r < 0.95) {
    const doc = user(rnd)
    return { expr: new DataPathGenerator(rnd, doc).expr(), origin: 'paths over a randomuser user', own: doc }
  }
  return pick(p.pipelines)
}

/** Deep equality of two results: key order, -0, NaN, array-ness; any two functions are equal. */
export function sameResult(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (a === b) return true
  const fa = typeof a === 'function' || isJsonataFunction(a)
  const fb = typeof b === 'function' || isJsonataFunction(b)
  if (fa || fb) return fa && fb
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    if (a.length !== bb.length) return false
    for (let i = 0; i < a.length; i++) if (!sameResult(a[i], bb[i])) return false
    return true
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false
  return ka.every((k) => sameResult((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

function isJsonataFunction(v: unknown): boolean {
  return v !== null && typeof v === 'object' && ((v as Record<string, unknown>)._jsonata_function === true || (v as Record<string, unknown>)._jsonata_lambda === true)
}

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await run() }
  } catch (e) {
    const err = e as { code?: unknown }
    if (err instanceof RangeError) return { ok: false, code: 'RangeError' }
    return { ok: false, code: String(err?.code ?? e) }
  }
}

/**
 * Several failing items of one array/object constructor (or function arguments): the interpreter
 * evaluates them as concurrent promises and reports whichever rejects first; the fast path
 * reports the first in order. Counted, not failed (as in differential.test.ts).
 */
function ambiguousError(expr: string, got: Outcome, want: Outcome): boolean {
  return !got.ok && !want.ok && /[[{(,]/.test(expr)
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined'
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === 'number' && Object.is(x, -0) ? '-0' : x))
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s
  } catch {
    return String(v)
  }
}

/** Runs rounds until `maxPairs` or `deadline`; returns the stats (mismatches described in full). */
export async function fuzz(opts: FuzzOptions): Promise<FuzzStats> {
  const p = loadPools()
  const perRound = opts.perRound ?? 6
  const inputsPer = Math.max(20, opts.inputsPerExpression ?? 24)
  const stats: FuzzStats = { seed: opts.seed, rounds: 0, pairs: 0, transforms: 0, suiteTotal: p.suite.length, suiteCovered: 0, errors: 0, undefinedResults: 0, ambiguous: 0, timedOut: 0, mismatches: [] }
  // the suite in a seeded order, all of it before any expression comes again
  const order = mulberry32(opts.seed ^ 0x5eed)
  let suiteQueue: Candidate[] = []
  const covered = new Set<Candidate>()
  const nextSuite = (): Candidate => {
    if (suiteQueue.length === 0) {
      suiteQueue = [...p.suite]
      for (let i = suiteQueue.length - 1; i > 0; i--) {
        const j = Math.floor(order() * (i + 1))
        ;[suiteQueue[i], suiteQueue[j]] = [suiteQueue[j], suiteQueue[i]]
      }
    }
    const c = suiteQueue.pop()!
    covered.add(c)
    stats.suiteCovered = covered.size
    return c
  }
  const done = () =>
    (opts.maxPairs !== undefined && stats.pairs >= opts.maxPairs) ||
    (opts.deadline !== undefined && Date.now() >= opts.deadline) ||
    (opts.suiteSweep === true && stats.suiteCovered === p.suite.length && suiteQueue.length === 0)
  while (!done()) {
    const roundSeed = (opts.seed + stats.rounds * 0x9e3779b1) >>> 0
    const rnd = mulberry32(roundSeed)
    const gen = new Generator(rnd, true)
    // compile the round's transforms once each
    const round: { c: Candidate; fast: CompiledTransform; slow: jsonata.Expression }[] = []
    for (let tries = 0; round.length < perRound && tries < perRound * 4; tries++) {
      if (opts.suiteSweep === true && stats.suiteCovered === p.suite.length && suiteQueue.length === 0) break
      const c = candidate(rnd, gen, p, nextSuite, opts.suiteSweep === true)
      if (NONDETERMINISTIC.test(c.expr) || unstableInInterpreter(c.expr)) continue
      let fast: CompiledTransform
      let slow: jsonata.Expression
      try {
        fast = compileTransform(c.expr, LIMITS)
        slow = jsonata(c.expr, { timeout: LIMITS.timeoutMs, stack: LIMITS.maxDepth } as jsonata.JsonataOptions)
      } catch {
        continue // a generated syntax error: both paths share the parser
      }
      if (fast.fast) round.push({ c, fast, slow })
    }
    stats.transforms += round.length
    // every transform gets `inputsPer` inputs; the calls of all of them are shuffled together
    const calls: { t: number; input: unknown }[] = []
    round.forEach((r, t) => {
      for (let i = 0; i < inputsPer; i++) calls.push({ t, input: input(rnd, gen, p, r.c) })
    })
    for (let i = calls.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1))
      ;[calls[i], calls[j]] = [calls[j], calls[i]]
    }
    for (let k = 0; k < calls.length && !(opts.deadline !== undefined && Date.now() >= opts.deadline); k++) {
      const { t, input: doc } = calls[k]
      const { c, fast, slow } = round[t]
      const bindings = c.bindings
      const t0 = Date.now()
      const got = await outcome(() => fast.evaluate(structuredClone(doc), copyBindings(bindings)))
      const want = await outcome(() => slow.evaluate(structuredClone(doc), copyBindings(bindings)))
      // a native function cannot be interrupted by either path's time limit: name what was slow
      if (Date.now() - t0 > 5000) console.log(`slow pair (${Date.now() - t0} ms, seed ${opts.seed}, round ${stats.rounds}): ${c.expr.replace(/\s+/g, ' ').slice(0, 200)} on ${show(doc).slice(0, 100)}`)
      stats.pairs++
      if (!want.ok) stats.errors++
      else if (want.value === undefined) stats.undefinedResults++
      if ((!got.ok && got.code === 'D1012') || (!want.ok && want.code === 'D1012')) {
        stats.timedOut++
        continue
      }
      const same = got.ok && want.ok ? sameResult(got.value, want.value) : !got.ok && !want.ok && got.code === want.code
      if (same) continue
      if (ambiguousError(c.expr, got, want)) {
        stats.ambiguous++
        continue
      }
      const before = calls.slice(0, k).map((x) => `#${x.t}(${show(x.input).slice(0, 60)})`).join(' ')
      stats.mismatches.push(
        [
          `mismatch (seed ${opts.seed}, round ${stats.rounds}, round seed ${roundSeed}, call ${k} of ${calls.length}):`,
          `  expression #${t} (${c.origin}): ${c.expr.replace(/\s+/g, ' ').slice(0, 400)}`,
          `  input: ${show(doc)}${bindings ? `  bindings: ${show(bindings)} ${Object.entries(bindings).filter(([, v]) => typeof v === 'function').map(([k, v]) => `$${k} = ${String(v)}`).join(', ')}` : ''}`,
          `  compiled:    ${got.ok ? show(got.value) : `error ${got.code}`}`,
          `  interpreter: ${want.ok ? show(want.value) : `error ${want.code}`}`,
          `  round expressions: ${round.map((r, i) => `#${i} ${r.c.expr.replace(/\s+/g, ' ').slice(0, 80)}`).join(' | ')}`,
          `  calls before it (#expression(input)): ${before.slice(0, 800)}`,
        ].join('\n'),
      )
      if (opts.stopOnMismatch !== false) return stats
    }
    stats.rounds++
    opts.onRound?.(stats)
  }
  return stats
}
