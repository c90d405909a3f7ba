/**
 * `rtds run --watch`: what to do with an edited pipeline. Pure apart from reading the files (through
 * the injected `load`) and planning (through the injected `plan`), so the decision is unit-tested
 * without servers:
 * - `unchanged`: no watched file's content changed (an editor touched it) — nothing to do;
 * - `invalid`: the file (or a transform/schema it references) has errors — printed, current version keeps running;
 * - `refused`: a valid change the running process must not make on its own (a destructive, breaking
 *   or impossible plan; a renamed pipeline) — printed with the plan, current version keeps running;
 * - `reload`: valid and non-destructive — apply the plan's changes (when `apply`), then restart.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { formatDiagnostic } from '../../dsl/index.js'
import type { LoadResult } from '../../dsl/load-pipeline.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import type { Plan } from '../../connectors/resource-model.js'
import { formatPlan } from '../reconcile/plan-format.js'

export type ReloadDecision =
  | { readonly kind: 'unchanged'; readonly files: string[]; readonly fingerprint: string }
  | { readonly kind: 'invalid'; readonly problems: string[]; readonly files: string[]; readonly fingerprint: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly plan?: Plan; readonly files: string[]; readonly fingerprint: string }
  | { readonly kind: 'reload'; readonly graph: TaskGraph; readonly plan?: Plan; readonly apply: boolean; readonly files: string[]; readonly fingerprint: string }

/**
 * The files a pipeline depends on: the pipeline file and every absolute `file` a resolved spec
 * carries (transform files, topic value schemas, table schemas).
 */
export function referencedFiles(pipelineFile: string, spec?: PipelineSpec): string[] {
  const out = new Set<string>([resolve(pipelineFile)])
  const seen = new Set<unknown>()
  const walk = (v: unknown, depth: number): void => {
    if (!v || typeof v !== 'object' || seen.has(v) || depth > 8) return
    seen.add(v)
    if (Array.isArray(v)) { for (const x of v) walk(x, depth + 1); return }
    const o = v as Record<string, unknown>
    const isRef = typeof o.file === 'string' && isAbsolute(o.file)
    if (isRef) out.add(o.file as string)
    for (const [k, x] of Object.entries(o)) {
      if (k === 'pos' || (isRef && k === 'schema')) continue // a schema file's body is data, not references
      walk(x, depth + 1)
    }
  }
  if (spec) walk(spec, 0)
  return [...out].sort()
}

/** A digest of the files' contents (a missing file counts as its own state). */
export function fingerprint(files: readonly string[]): string {
  const h = createHash('sha256')
  for (const f of files) {
    h.update(f + '\0')
    try { h.update(readFileSync(f)) } catch { h.update('\0missing\0') }
    h.update('\0')
  }
  return h.digest('hex')
}

/** Why a plan may not be applied by a running process (undefined: it may). */
export function planRefusal(plan: Plan): string | undefined {
  const list = (kinds: Plan['changes']): string => kinds.map((c) => `${c.kind} ${c.name}`).join(', ')
  const impossible = plan.changes.filter((c) => c.action === 'impossible')
  if (impossible.length) return `impossible change (${list(impossible)})`
  const destructive = plan.changes.filter((c) => c.destructive || c.action === 'replace' || c.action === 'destroy')
  if (destructive.length) return `destructive change (${list(destructive)})`
  const breaking = plan.changes.filter((c) => c.breaking)
  if (breaking.length) return `incompatible schema (${list(breaking)}${breaking.flatMap((c) => c.verdict?.breakingFields ?? []).map((f) => `: ${f}`).join('')})`
  return undefined
}

export interface DecideOptions {
  readonly file: string
  /** The running version. */
  readonly current: TaskGraph
  /** Fingerprint of the files the running version was loaded from. */
  readonly currentFingerprint: string
  /** Files watched for the running version (used while the new one cannot be resolved). */
  readonly currentFiles: readonly string[]
  readonly load: (file: string) => LoadResult
  /** Plans the new spec against the live servers; absent = no servers (embedded): nothing to apply. */
  readonly plan?: (spec: PipelineSpec) => Promise<Plan>
}

/** See the module comment. */
export async function decideReload(o: DecideOptions): Promise<ReloadDecision> {
  const result = o.load(o.file)
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  const files = result.spec ? referencedFiles(o.file, result.spec) : [...new Set([...o.currentFiles, resolve(o.file)])].sort()
  const fp = fingerprint(files)
  if (!result.graph || errors.length) {
    const problems = result.diagnostics.map(formatDiagnostic)
    return { kind: 'invalid', problems: problems.length ? problems : [`${o.file}: invalid`], files, fingerprint: fp }
  }
  if (fp === o.currentFingerprint) return { kind: 'unchanged', files, fingerprint: fp }
  const graph = result.graph
  if (graph.pipeline !== o.current.pipeline) {
    return { kind: 'refused', reason: `the pipeline was renamed (${o.current.pipeline} → ${graph.pipeline}): restart \`rtds run\` to run it under its new name`, files, fingerprint: fp }
  }
  if (!o.plan) return { kind: 'reload', graph, apply: false, files, fingerprint: fp }
  const plan = await o.plan(graph.spec)
  const refusal = planRefusal(plan)
  if (refusal) return { kind: 'refused', reason: `${refusal}: review \`rtds plan\` and run \`rtds apply\` yourself`, plan, files, fingerprint: fp }
  const changes = plan.changes.some((c) => c.action !== 'unchanged')
  return { kind: 'reload', graph, plan, apply: changes, files, fingerprint: fp }
}

const withoutPos = (_k: string, v: unknown): unknown => (_k === 'pos' ? undefined : v)

/**
 * The stages to restart for `next` when only stages changed (a transform edit): those whose spec
 * differs. `undefined` when anything else changed (sources, topics, tables, redaction, the stage
 * set): then every stage restarts.
 */
export function changedStages(prev: PipelineSpec, next: PipelineSpec): string[] | undefined {
  const rest = (s: PipelineSpec): string => JSON.stringify({ ...s, stages: Object.keys(s.stages).sort(), file: undefined, dir: undefined }, withoutPos)
  if (rest(prev) !== rest(next)) return undefined
  return Object.keys(next.stages).filter((n) => JSON.stringify(prev.stages[n], withoutPos) !== JSON.stringify(next.stages[n], withoutPos))
}

/** The log lines of a decision (the plan included when it matters). */
export function describeDecision(file: string, d: ReloadDecision): string[] {
  switch (d.kind) {
    case 'unchanged': return []
    case 'invalid': return [`reload refused: ${file} has errors; the running version continues`, ...d.problems.map((p) => `  ${p}`)]
    case 'refused': return [`reload refused: ${d.reason}; the running version continues`, ...(d.plan ? formatPlan(d.plan).trimEnd().split('\n') : [])]
    case 'reload': return [`reload: ${file} is valid${d.apply ? ', applying the plan' : d.plan ? ', no resource changes' : ''}`, ...(d.apply && d.plan ? formatPlan(d.plan).trimEnd().split('\n') : [])]
  }
}
