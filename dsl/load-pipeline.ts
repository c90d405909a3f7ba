/**
 * The compiler driver: parse (positions) → render (Handlebars per string scalar) → validate (ajv) →
 * resolve (spec) → graph → semantic checks. Collects every diagnostic of a file.
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isMap } from 'yaml'
import { CODES } from './codes.js'
import type { ConnectorCatalog } from './connector-config.js'
import type { Diagnostic } from './diagnostic.js'
import { sortDiagnostics } from './format-diagnostic.js'
import { buildGraph } from './graph-build.js'
import type { TaskGraph } from './graph-types.js'
import { validateShape } from './schema-validate.js'
import { semanticChecks } from './semantic-checks.js'
import type { PipelineSpec } from './spec.js'
import { resolveSpec } from './spec-resolve.js'
import { renderDocument } from './template-render.js'
import { fileSizeViolation } from './yaml-bounds.js'
import { YamlSource } from './yaml-source.js'

/** Options of `loadPipeline`. */
export interface LoadOptions {
  /** Environment for `{{env.X}}` (overlaid on SETTING_DEFAULTS). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv
  /**
   * The connectors the file may use (schema, defaults, resolution, checks). The DSL knows no
   * connector itself: `connectors/index.ts` hands the registry's catalog in (its `loadPipeline` binds it).
   */
  readonly connectors: ConnectorCatalog
}

/** The result of loading one file: spec and graph iff there is no error-level diagnostic. */
export interface LoadResult {
  readonly spec?: PipelineSpec
  readonly graph?: TaskGraph
  readonly diagnostics: Diagnostic[]
}

/**
 * Loads, renders, validates and compiles one pipeline file. Synchronous and pure apart from reading
 * the pipeline, schema and transform files. Never throws for a bad file: problems are diagnostics.
 *
 * @example
 * const { spec, graph, diagnostics } = loadPipeline('pipelines/users.yaml')
 * if (!spec) for (const d of diagnostics) console.error(formatDiagnostic(d))
 */
export function loadPipeline(file: string, opts: LoadOptions): LoadResult {
  let text: string
  try {
    const tooLarge = fileSizeViolation(statSync(file).size)
    if (tooLarge) return { diagnostics: [{ code: CODES.YAML_LIMIT, severity: 'error', message: tooLarge.message, file, line: 1, col: 1, hint: tooLarge.hint }] }
    text = readFileSync(file, 'utf8')
  } catch (e) {
    return { diagnostics: [{ code: CODES.FILE_UNREADABLE, severity: 'error', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file, line: 1, col: 1 }] }
  }
  return compilePipeline(file, text, opts)
}

/** Same as `loadPipeline` for text already in memory (`file` names it in messages and anchors relative paths). */
export function compilePipeline(file: string, text: string, opts: LoadOptions): LoadResult {
  const tooLarge = fileSizeViolation(Buffer.byteLength(text, 'utf8'))
  if (tooLarge) return { diagnostics: [{ code: CODES.YAML_LIMIT, severity: 'error', message: tooLarge.message, file, line: 1, col: 1, hint: tooLarge.hint }] }
  const src = new YamlSource(file, text, resolve(dirname(file)))
  const done = (ds: Diagnostic[], spec?: PipelineSpec, graph?: TaskGraph): LoadResult => {
    const diagnostics = sortDiagnostics(ds)
    return diagnostics.some((d) => d.severity === 'error') || !spec ? { diagnostics } : { spec, graph, diagnostics }
  }
  if (src.diagnostics.some((d) => d.severity === 'error')) return done(src.diagnostics)
  if (!isMap(src.doc.contents)) {
    const at = src.doc.contents?.range ? src.pos(src.doc.contents.range[0]) : { line: 1, col: 1 }
    return done([...src.diagnostics, { code: CODES.FILE_UNREADABLE, severity: 'error', message: 'the file is not a pipeline: expected a mapping with pipeline:, sources:, topics:, stages:, tables:', file, ...at }])
  }
  const rendered = renderDocument(src, opts.env)
  const shape = validateShape(src, rendered.value, rendered.templated, rendered.failed, opts.connectors)
  const invalid = new Set([...shape.invalid, ...rendered.failed])
  const resolved = resolveSpec(src, rendered.value, src.dir, invalid, opts.connectors)
  const graph = buildGraph(resolved.spec, opts.connectors)
  const checks = semanticChecks(src, resolved, graph, opts.connectors)
  return done([...src.diagnostics, ...rendered.diagnostics, ...shape.diagnostics, ...resolved.diagnostics, ...checks], resolved.spec, graph)
}

/** True for pipeline files in a directory listing: `*.yaml`/`*.yml` but not `*.test.yaml`/`*.test.yml`. */
export const isPipelineFileName = (name: string): boolean => /\.ya?ml$/.test(name) && !/\.test\.ya?ml$/.test(name)

/**
 * Loads several files; directories expand to their pipeline files (not recursive, sorted).
 * A path that does not exist or cannot be read goes to `ioErrors`; a folder without any pipeline
 * file is a result of its own with one error, "no pipeline files in <dir>" (so that every command
 * exits 1 rather than succeeding on nothing).
 */
export function loadPipelines(paths: readonly string[], opts: LoadOptions): { results: Array<{ file: string } & LoadResult>; ioErrors: Array<{ path: string; message: string }> } {
  const files: string[] = []
  const ioErrors: Array<{ path: string; message: string }> = []
  const empty: string[] = []
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) {
        const found = readdirSync(p).filter(isPipelineFileName).sort().map((n) => join(p, n))
        if (!found.length) empty.push(p)
        files.push(...found)
      } else files.push(p)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      ioErrors.push({ path: p, message: code === 'ENOENT' ? `${p}: no such file or directory` : `${p}: ${code ?? (e as Error).message}` })
    }
  }
  const results = files.map((file) => {
    try {
      closeSync(openSync(file, 'r')) // readable? (without reading a file that may be too large)
      if (statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
    } catch (e) {
      ioErrors.push({ path: file, message: `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` })
      return undefined
    }
    return { file, ...loadPipeline(file, opts) }
  })
  const loaded = results.filter((r): r is { file: string } & LoadResult => r !== undefined)
  for (const dir of empty) loaded.push({ file: dir, diagnostics: [noPipelineFiles(dir)] })
  return { results: loaded, ioErrors }
}

/** The error of a folder without pipeline files. */
export function noPipelineFiles(dir: string): Diagnostic {
  return { code: CODES.NO_PIPELINE_FILES, severity: 'error', message: `no pipeline files in ${dir}`, file: dir, line: 1, col: 1, hint: 'pipeline files end in .yaml or .yml (not .test.yaml); folders are not searched recursively' }
}
