import { existsSync } from 'node:fs'
import { Redactor } from '../../core/redact.js'
import { redactMismatch } from './diff-redact.js'
import type { Diagnostic } from '../../dsl/diagnostic.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { CaseEngine, CaseOutputs, PipelineLoader } from './case-engine.js'
import { canonicalOutput, matchCount, matchRecords, type Mismatch } from './expect-matcher.js'
import { readGolden, writeGolden } from './golden-store.js'
import { checkTargets } from './target-check.js'
import { TEST_CODES } from './test-codes.js'
import { findTestFiles, loadTestFile } from './test-file-loader.js'
import type { TestCase, TestFile } from './test-file-types.js'
import type { CaseResult, ExpectFailure, FileResult, TestRunResult } from './test-results.js'

/** Options of {@link runTests}. */
export interface TestRunOptions {
  /** Rewrite golden files with the actual outputs (inline expectations are never rewritten). */
  readonly update?: boolean
  /** The engine running a case; default the in-process engine of `rtds run` on the memory backend. */
  readonly engine?: CaseEngine
  /** Loads a pipeline; default `loadPipeline` of `dsl/`. */
  readonly loadPipeline?: PipelineLoader
  /** Base environment for `{{env.X}}`, under the test file's `env:`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * Runs every case of the test files found under `paths` (files or folders; folders are searched
 * for `*.test.yaml`), in-process; files one after the other, the cases of a file concurrently, each
 * on a fresh backend.
 * @example const run = await runTests(['pipelines/']); process.exitCode = exitCodeOf(run)
 */
export async function runTests(paths: readonly string[], opts: TestRunOptions = {}): Promise<TestRunResult> {
  const started = Date.now()
  const { files, missing, empty } = findTestFiles(paths)
  const results: FileResult[] = []
  for (const f of files) results.push(await runTestFile(f, opts))
  return { files: results, missing, empty, durationMs: Date.now() - started }
}

async function defaults(opts: TestRunOptions): Promise<{ engine: CaseEngine; load: PipelineLoader }> {
  const engine = opts.engine ?? (await import('./memory-case-engine.js')).memoryCaseEngine()
  const load = opts.loadPipeline ?? (await import('./pipeline-loader.js')).loadPipelineForTest
  return { engine, load }
}

/** Runs the cases of one test file. Load problems (invalid file or pipeline, unknown names) become diagnostics. */
export async function runTestFile(file: string, opts: TestRunOptions = {}): Promise<FileResult> {
  const started = Date.now()
  const loaded = loadTestFile(file)
  const tf = loaded.testFile
  if (!tf) return { file, cases: [], diagnostics: loaded.diagnostics, durationMs: Date.now() - started }
  if (!existsSync(tf.pipeline.file)) {
    const d: Diagnostic = { code: TEST_CODES.pipeline, severity: 'error', file, line: tf.pipeline.pos.line, col: tf.pipeline.pos.col, path: 'pipeline', message: `pipeline file "${tf.pipeline.path}" not found`, hint: 'the path is relative to the test file' }
    return { file, pipeline: tf.pipeline.path, cases: [], diagnostics: [d], durationMs: Date.now() - started }
  }
  const { engine, load } = await defaults(opts)
  const diagnostics: Diagnostic[] = []
  const graphs = new Map<string, TaskGraph>()
  // Load the pipeline once per distinct env/vars and check every case's names before running any.
  for (const c of tf.cases) {
    const env = { ...(opts.env ?? process.env), ...c.env }
    const cacheKey = JSON.stringify([c.env, c.vars])
    let graph = graphs.get(cacheKey)
    if (!graph) {
      const p = await load(tf.pipeline.file, { env, vars: c.vars })
      const errors = p.diagnostics.filter((d) => d.severity === 'error')
      if (!p.graph || errors.length > 0) {
        diagnostics.push({ code: TEST_CODES.pipeline, severity: 'error', file, line: c.pos.line, col: c.pos.col, message: `pipeline ${tf.pipeline.path} is invalid for case "${c.name}"`, hint: `run \`rtds validate ${tf.pipeline.path}\`` }, ...errors)
        continue
      }
      graph = p.graph
      graphs.set(cacheKey, graph)
    }
    diagnostics.push(...checkTargets(c, graph.spec))
  }
  if (diagnostics.length > 0) return { file, pipeline: tf.pipeline.path, cases: [], diagnostics: dedupe(diagnostics), durationMs: Date.now() - started }
  // Cases are independent (a fresh backend each) and mostly wait on the engine's batch timers: run
  // them concurrently; results keep the file's order.
  const cases: CaseResult[] = await Promise.all(
    tf.cases.map((c) => runCase(tf, c, graphs.get(JSON.stringify([c.env, c.vars]))!, engine, opts.update ?? false)),
  )
  return { file, pipeline: tf.pipeline.path, cases, diagnostics: [], durationMs: Date.now() - started }
}

const dedupe = (ds: Diagnostic[]): Diagnostic[] => {
  const seen = new Set<string>()
  return ds.filter((d) => { const k = `${d.file}:${d.line}:${d.col}:${d.code}:${d.message}`; if (seen.has(k)) return false; seen.add(k); return true })
}

/** Runs one case and checks its expectations; with `update`, golden files take the actual output. */
export async function runCase(tf: TestFile, c: TestCase, graph: TaskGraph, engine: CaseEngine, update: boolean): Promise<CaseResult> {
  const started = Date.now()
  const base = { file: tf.file, name: c.name, pos: c.pos }
  let outputs: CaseOutputs
  try {
    outputs = await engine.execute(graph, c.inputs)
  } catch (err) {
    return { ...base, status: 'error', durationMs: Date.now() - started, failures: [], updated: [], error: `the pipeline failed to run: ${(err as Error).message}` }
  }
  const failures: ExpectFailure[] = []
  const updated: string[] = []
  const redactor = new Redactor(graph.spec.redact ?? [])
  for (const e of c.expect) {
    const actual = outputs.read(e.target)
    let mismatches: Mismatch[]
    if (e.count !== undefined) mismatches = matchCount(e.count, actual)
    else if (e.golden) {
      if (update) {
        if (writeGolden(e.golden, canonicalOutput(actual).records)) updated.push(e.golden.path)
        continue
      }
      const g = readGolden(e.golden)
      if ('error' in g) return { ...base, status: 'error', durationMs: Date.now() - started, failures, updated, error: `${e.pos.file}:${e.pos.line}:${e.pos.col} ${g.error}` }
      mismatches = matchRecords(g.records, actual, 'exact')
    } else mismatches = matchRecords(e.records ?? [], actual, e.match)
    if (mismatches.length > 0) failures.push({ expect: e, mismatches: mismatches.map((m) => redactMismatch(m, redactor)) })
  }
  return { ...base, status: failures.length ? 'fail' : 'pass', durationMs: Date.now() - started, failures, updated }
}
