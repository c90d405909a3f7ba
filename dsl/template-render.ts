/**
 * Stage 2: Handlebars rendered PER STRING SCALAR after YAML parsing (DESIGN §9): positions stay
 * exact and a rendered value stays a value (an env value containing `\n` or `: ` cannot change the
 * document's structure). Strict: a path that is not defined (`{{env.NOPE}}`, `{{vars.nope}}`) is
 * an error naming it, except inside the `default` helper (`{{default env.X "fallback"}}`) and as the
 * condition of `#if`/`#unless`.
 */
import Handlebars from 'handlebars'
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'
import { SETTING_DEFAULTS } from '../core/settings.js'
import { MAX_TEMPLATES } from './yaml-bounds.js'
import type { DocPath, YamlSource } from './yaml-source.js'

type HbNode = { type: string; loc?: { start: { line: number; column: number } }; [k: string]: any }

const hb = Handlebars.create()
hb.registerHelper('default', function (this: unknown, ...args: unknown[]) {
  const values = args.slice(0, -1) // the last argument is Handlebars' options object
  for (const v of values) if (v !== undefined && v !== null && v !== '') return v
  return ''
})
const BUILTIN_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'default'])

/** The template context: `env` is SETTING_DEFAULTS overlaid with the (non-empty) environment. */
export function templateEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { ...SETTING_DEFAULTS }
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (v !== '' || !(k in SETTING_DEFAULTS))) out[k] = v
  return out
}

/** The result of rendering a document. */
export interface Rendered {
  /** The document as plain data with every string scalar rendered. */
  readonly value: unknown
  /** JSON pointers (`/sources/api/http_server/port`) of the scalars that contained a template. */
  readonly templated: ReadonlySet<string>
  /** JSON pointers of scalars whose template failed (their value is not trustworthy). */
  readonly failed: ReadonlySet<string>
  readonly diagnostics: Diagnostic[]
}

/** JSON pointer of a path. */
export const pointer = (path: DocPath): string => path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('')

/**
 * Renders every string scalar of `src`'s document. `vars` are rendered first (with `env` only),
 * then everything else with `{ env, vars }`.
 */
export function renderDocument(src: YamlSource, env: NodeJS.ProcessEnv | undefined): Rendered {
  const templated = new Set<string>()
  const failed = new Set<string>()
  const diagnostics: Diagnostic[] = []
  const ctx: Record<string, unknown> = { env: templateEnv(env), vars: {} }

  let templates = 0
  const compiled = new Map<string, HandlebarsTemplateDelegate>() // the same text is compiled once
  const renderScalar = (text: string, path: DocPath): string => {
    if (!text.includes('{{')) return text
    templated.add(pointer(path))
    if (templates > MAX_TEMPLATES) { failed.add(pointer(path)); return text } // reported once, below
    for (let i = text.indexOf('{{'); i >= 0 && templates <= MAX_TEMPLATES; i = text.indexOf('{{', i + 2)) templates++
    if (templates > MAX_TEMPLATES) {
      failed.add(pointer(path))
      const { line, col } = src.pos(src.offsetInValue(path, 0))
      diagnostics.push({ code: CODES.YAML_LIMIT, severity: 'error', message: `more than ${MAX_TEMPLATES.toLocaleString('en-US')} template expressions ({{…}}) in one file`, file: src.file, line, col, path: path.join('.'), hint: 'a pipeline needs far fewer: put repeated values in vars: once and refer to them' })
      return text
    }
    const fail = (code: string, message: string, index: number, hint?: string) => failAll([{ code, message, index, hint }])
    const failAll = (problems: readonly TemplateProblem[]) => {
      failed.add(pointer(path))
      const offsets = src.offsetsInValue(path, problems.map((p) => p.index)) // one pass over the scalar
      problems.forEach((p, i) => {
        const { line, col } = src.pos(offsets[i]!)
        diagnostics.push({ code: p.code, severity: 'error', message: p.message, file: src.file, line, col, path: path.join('.'), hint: p.hint })
      })
      return text
    }
    let ast: HbNode
    try {
      ast = hb.parse(text) as unknown as HbNode
    } catch (e) {
      const { index, detail } = parseErrorIndex(text, (e as Error).message)
      return fail(CODES.TEMPLATE_SYNTAX, `template syntax error: ${detail}`, index, 'close every {{ with }} and quote helper arguments: {{default env.NAME "fallback"}}')
    }
    const problems = checkTemplate(ast, ctx, text)
    if (problems.length) return failAll(problems)
    try {
      let fn = compiled.get(text)
      if (!fn) { fn = hb.compile(text, { noEscape: true }); compiled.set(text, fn) }
      return fn(ctx)
    } catch (e) {
      return fail(CODES.TEMPLATE_SYNTAX, `template error: ${(e as Error).message}`, 0)
    }
  }

  const walk = (node: unknown, path: DocPath): unknown => {
    if (isAlias(node)) return walk(src.resolveAlias(node), path)
    if (isScalar(node)) return typeof node.value === 'string' ? renderScalar(node.value, path) : node.toJSON()
    if (isMap(node)) {
      const out: Record<string, unknown> = {}
      for (const p of node.items) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key)
        if (path.length === 0 && k === 'vars') continue // rendered first, below
        out[k] = walk(p.value, [...path, k])
      }
      return out
    }
    if (isSeq(node)) return node.items.map((n, i) => walk(n, [...path, i]))
    return node === null || node === undefined ? null : (node as Node).toJSON()
  }

  const root = src.doc.contents
  const varsNode = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'vars')?.value : undefined
  let vars: unknown = undefined
  if (varsNode !== undefined) {
    vars = walk(varsNode, ['vars'])
    ctx.vars = vars && typeof vars === 'object' ? vars : {}
  }
  const value = walk(root, [])
  if (value && typeof value === 'object' && !Array.isArray(value) && varsNode !== undefined) {
    // keep the key order of the file
    const ordered: Record<string, unknown> = {}
    for (const p of isMap(root) ? root.items : []) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key)
      ordered[k] = k === 'vars' ? vars : (value as Record<string, unknown>)[k]
    }
    return { value: ordered, templated, failed, diagnostics }
  }
  return { value, templated, failed, diagnostics }
}

interface TemplateProblem { code: string; message: string; index: number; hint?: string }

/** Walks a Handlebars AST: unknown helpers and undefined paths (outside `default`/conditions). */
function checkTemplate(ast: HbNode, ctx: Record<string, unknown>, text: string): TemplateProblem[] {
  const out: TemplateProblem[] = []
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  const indexOf = (n: HbNode) => (n.loc ? (lineStarts[n.loc.start.line - 1] ?? 0) + n.loc.start.column : 0)

  const checkPath = (p: HbNode, optional: boolean) => {
    if (p.type === 'SubExpression') return checkCall(p)
    if (p.type !== 'PathExpression' || p.data || optional) return
    const parts: string[] = p.parts
    let v: unknown = ctx
    for (const part of parts) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined
    if (v === undefined) {
      const [scope, ...rest] = parts
      const name = rest.join('.')
      let hint: string
      if (scope === 'env') hint = `set ${name} in the environment, or give a fallback: {{default env.${name} "value"}}`
      else if (scope === 'vars') hint = `define it under vars: (defined: ${Object.keys(ctx.vars as object).join(', ') || 'none'})`
      else hint = 'templates can use env.NAME and vars.name'
      out.push({ code: CODES.TEMPLATE_UNDEFINED, message: `undefined template variable "${p.original}"`, index: indexOf(p), hint })
    }
  }
  const checkCall = (n: HbNode, inBlock = false): void => {
    const name: string = n.path?.original ?? ''
    const params: HbNode[] = n.params ?? []
    const isCall = params.length > 0 || (n.hash?.pairs?.length ?? 0) > 0 || inBlock || n.type === 'SubExpression'
    if (!isCall) return checkPath(n.path, false)
    if (!BUILTIN_HELPERS.has(name)) {
      out.push({ code: CODES.TEMPLATE_UNKNOWN_HELPER, message: `unknown template helper "${name}"`, index: indexOf(n), hint: 'available helpers: default, if, unless, each, with, lookup' })
      return
    }
    const optional = name === 'default' || name === 'if' || name === 'unless'
    for (const p of params) checkPath(p, optional)
    for (const pair of n.hash?.pairs ?? []) checkPath(pair.value, optional)
  }
  const walk = (n: HbNode | undefined): void => {
    if (!n) return
    if (n.type === 'Program') for (const s of n.body) walk(s)
    else if (n.type === 'MustacheStatement') checkCall(n)
    else if (n.type === 'BlockStatement') {
      checkCall(n, true)
      // inside each/with the context changes: only conditions' bodies are checked
      if (n.path?.original === 'if' || n.path?.original === 'unless') { walk(n.program); walk(n.inverse) }
    }
  }
  walk(ast)
  return out
}

/** Index in `text` where a Handlebars parse error points, and the useful part of its message. */
function parseErrorIndex(text: string, message: string): { index: number; detail: string } {
  const lines = message.split('\n')
  const detail = (lines[lines.length - 1] ?? message).replace(/^Expecting /, 'expecting ')
  const caret = lines.findIndex((l) => /^-*\^$/.test(l))
  if (caret > 0) {
    const before = lines[caret - 1]!.replace(/^\.\.\./, '').slice(0, lines[caret]!.length - 1 - (lines[caret - 1]!.startsWith('...') ? 3 : 0))
    const at = before ? text.replace(/\n/g, '').lastIndexOf(before) : -1
    if (at >= 0) return { index: Math.min(at + before.length, text.length - 1), detail }
  }
  return { index: 0, detail }
}
