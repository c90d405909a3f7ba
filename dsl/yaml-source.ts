/**
 * Stage 1 of the compiler: YAML parsed with source positions. Keeps the `yaml` Document and a
 * LineCounter so that every later stage can turn a path (`['stages','store','to']`) into a
 * file:line:col, and a position inside a scalar's value into the file's line:col.
 */
import { Composer, Document, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type Alias, type CST, type Node } from 'yaml'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'
import { analyseAliases, cstDepthViolation, LexGauge, type BoundViolation } from './yaml-bounds.js'

/** A path into the document: mapping keys and sequence indexes. */
export type DocPath = readonly (string | number)[]

/** One parsed pipeline file with the means to locate paths in it. */
export class YamlSource {
  readonly lineCounter = new LineCounter()
  readonly doc: Document
  readonly diagnostics: Diagnostic[] = []
  /** The node each alias refers to (resolved once; `Alias.resolve` walks the whole document per call). */
  private readonly aliasTargets: ReadonlyMap<Alias, Node>
  /** Per mapping, its pairs by key text (built on first lookup, so that `locate` is linear overall). */
  private readonly keyIndex = new WeakMap<object, Map<string, unknown>>()

  /**
   * Parses `text` within the bounds of `yaml-bounds.ts` (nesting depth checked on the syntax tree
   * before composing; aliases counted and measured after). A file that crosses a bound gets one
   * located error and an empty document.
   * @param file path as given (for messages), @param dir absolute folder of the file
   */
  constructor(readonly file: string, readonly text: string, readonly dir: string) {
    // lexing, bounds and parsing in one stream (what Parser.parse does, with the gauge in between)
    const tokens: CST.Token[] = []
    const parser = new Parser()
    const gauge = new LexGauge()
    let tooDeep: BoundViolation | undefined
    // line starts from the text itself: the parser's own newline callback misses the line breaks
    // inside a token it cannot make sense of (e.g. after a stray quote), which put later positions
    // on the wrong line (found by the pipeline fuzz test)
    this.lineCounter.addNewLine(0)
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) this.lineCounter.addNewLine(nl + 1)
    for (const lexeme of new Lexer().lex(text)) {
      tooDeep = gauge.feed(lexeme)
      if (tooDeep) break
      for (const t of parser.next(lexeme)) tokens.push(t)
    }
    if (!tooDeep) for (const t of parser.end()) tokens.push(t)
    tooDeep ??= cstDepthViolation(tokens)
    let aliases: ReturnType<typeof analyseAliases> = { targets: new Map() }
    if (tooDeep) {
      this.doc = new Document(null)
    } else {
      // duplicate keys are found below in one pass: yaml's own check compares each key with every
      // key before it (quadratic in the size of a mapping)
      const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true })
      let doc: Document | undefined
      for (const d of composer.compose(tokens, true, text.length)) {
        if (!doc) doc = d as Document
        else { doc.errors.push(new YAMLParseError(d.range.slice(0, 2) as [number, number], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()')); break }
      }
      this.doc = doc ?? new Document(null)
      this.doc.errors.push(...duplicateKeys(this.doc))
      aliases = analyseAliases(this.doc)
    }
    this.aliasTargets = aliases.targets
    const bound = tooDeep ?? aliases.violation
    if (bound) this.pushBound(bound)
    // After a syntax error the parser's view of the rest of the file is unreliable and the errors
    // that follow are mostly echoes of the first one. Reported: every duplicate key and every tab
    // used as indentation (each is a mistake of its own line), the first other syntax error unless
    // a tab before it explains it, and the warnings.
    const own = (e: { code: string }) => e.code === 'DUPLICATE_KEY' || e.code === 'TAB_AS_INDENT' || e.code === 'COMPLEX_KEY'
    const first = [...this.doc.errors].sort((a, b) => a.pos[0] - b.pos[0]).find((e) => e.code !== 'DUPLICATE_KEY')
    const reported = [...this.doc.errors, ...this.doc.warnings].filter((e) => own(e) || e === first || e.name === 'YAMLWarning')
    for (const e of reported) {
      let off = e.pos[0]
      let message = `YAML: ${firstLine(e.message)}`
      // the parser reports a mis-indented line at its first column: point at the offending token
      if (e.code === 'BAD_INDENT') while (text[off] === ' ') off++
      // an unclosed quote is reported where the file ends: point at the quote that opened it
      if (e.code === 'MISSING_CHAR' && /quote/.test(e.message)) off = openingQuote(text, off)
      // a key indented deeper than its siblings is read as the continuation of the value above it:
      // the parser points at that value; point at the over-indented key instead
      if (e.code === 'MULTILINE_IMPLICIT_KEY' || e.code === 'BLOCK_AS_IMPLICIT_KEY') {
        const deeper = overIndentedKey(text, off)
        if (deeper) {
          off = deeper.offset
          message = `YAML: bad indentation: "${deeper.line}" is indented deeper than the keys above it, so it would continue the value on the line before`
        }
      }
      const { line, col } = this.lineCounter.linePos(off)
      const dup = e.code === 'DUPLICATE_KEY'
      this.diagnostics.push({
        code: dup ? CODES.YAML_DUPLICATE_KEY : CODES.YAML_SYNTAX,
        severity: e.name === 'YAMLWarning' ? 'warning' : 'error',
        message: dup ? `duplicate key "${keyAt(text, off)}": ${e.message.toLowerCase()}` : message,
        file, line, col,
        hint: yamlHint(e.code === 'MULTILINE_IMPLICIT_KEY' || e.code === 'BLOCK_AS_IMPLICIT_KEY' ? 'BAD_INDENT' : e.code),
      })
    }
  }

  /** The node an alias refers to (undefined when its anchor does not exist). */
  resolveAlias(alias: Alias): Node | undefined {
    return this.aliasTargets.get(alias)
  }

  private pushBound(v: BoundViolation): void {
    this.diagnostics.push({ code: CODES.YAML_LIMIT, severity: 'error', message: v.message, file: this.file, ...this.pos(v.offset), hint: v.hint })
  }

  /** Line and column (1-based) of a character offset in the file. */
  pos(offset: number): { line: number; col: number } {
    const p = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)))
    // a byte-order mark is not a column: editors show the first character of the file at 1:1
    if (p.line === 1 && this.text.charCodeAt(0) === 0xfeff) return { line: 1, col: Math.max(1, p.col - 1) }
    return p
  }

  /**
   * The YAML nodes at `path`: the value node and the key node of the pair holding it. When the path
   * does not exist (a missing key), the deepest existing ancestor is returned with `exact: false`.
   */
  locate(path: DocPath): { node?: Node; key?: Node; exact: boolean } {
    let node: unknown = this.doc.contents
    let key: Node | undefined
    for (const seg of path) {
      if (isAlias(node)) node = this.resolveAlias(node)
      if (isMap(node)) {
        let index = this.keyIndex.get(node)
        if (!index) {
          index = new Map()
          for (const p of node.items) if (isPair(p)) { const k = isScalar(p.key) ? String(p.key.value) : String(p.key); if (!index.has(k)) index.set(k, p) }
          this.keyIndex.set(node, index)
        }
        const pair = index.get(String(seg)) as (typeof node.items)[number] | undefined
        if (!pair) return { node: node as Node, key, exact: false }
        key = pair.key as Node
        node = pair.value ?? undefined
        if (node === undefined) return { node: undefined, key, exact: true }
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        key = undefined
        node = node.items[seg]
      } else return { node: node as Node | undefined, key, exact: false }
    }
    return { node: node as Node, key, exact: true }
  }

  /** Line and column of the value at `path` (or of its key when the value is empty, or of the nearest ancestor). */
  valuePos(path: DocPath): { line: number; col: number } {
    const { node, key } = this.locate(path)
    const range = node?.range ?? key?.range
    return range ? this.pos(range[0]) : { line: 1, col: 1 }
  }

  /** Line and column of the key at `path` (for unknown keys and names); falls back to the value. */
  keyPos(path: DocPath): { line: number; col: number } {
    const { node, key, exact } = this.locate(path)
    const range = (exact ? key?.range : undefined) ?? node?.range
    return range ? this.pos(range[0]) : { line: 1, col: 1 }
  }

  /**
   * Character offset in the file of character `index` of the string value at `path`. Plain, quoted
   * (escapes) and block scalars (indentation, folding) are aligned character by character.
   */
  offsetInValue(path: DocPath, index: number): number {
    return this.offsetsInValue(path, [index])[0]!
  }

  /** `offsetInValue` for several indexes of one value, in one pass over the scalar. */
  offsetsInValue(path: DocPath, indexes: readonly number[]): number[] {
    const { node } = this.locate(path)
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return indexes.map(() => node?.range?.[0] ?? 0)
    return alignOffsets(node.value, this.text, node.range[0], node.range[1], node.type, indexes)
  }
}

/** Maps index `index` of `value` to an offset in `text[start, end)` where the scalar's source lies. */
export function alignOffset(value: string, text: string, start: number, end: number, type: string | undefined, index: number): number {
  return alignOffsets(value, text, start, end, type, [index])[0]!
}

/**
 * How many non-blank source characters may lie between two value characters (an escape such as
 * `\U0001F600` is 10); blanks (folded line breaks, indentation) are skipped freely.
 */
const ALIGN_WINDOW = 16

/** `alignOffset` for several indexes at once, in one pass over the scalar. */
export function alignOffsets(value: string, text: string, start: number, end: number, type: string | undefined, indexes: readonly number[]): number[] {
  // the source characters that can carry the value's characters, as offsets into `text`
  const offs: number[] = []
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const body = text.indexOf('\n', start) + 1 // skip the `|` / `>` header line
    if (body === 0) return indexes.map(() => start)
    const lines = text.slice(body, end).split('\n')
    let indent = Infinity
    for (const l of lines) if (l.trim()) indent = Math.min(indent, l.length - l.trimStart().length)
    let o = body
    for (const l of lines) {
      for (let c = Math.min(indent, l.length); c <= l.length; c++) offs.push(o + c) // includes the newline
      o += l.length + 1
    }
  } else {
    const q = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? 1 : 0
    for (let o = start + q; o < end - q; o++) offs.push(o)
  }
  const wanted = new Set(indexes)
  const found = new Map<number, number>()
  let last = -1
  for (const i of indexes) if (i > last) last = i
  let j = 0
  for (let i = 0; i < value.length && i <= last && j < offs.length; i++) {
    const c = value[i]!
    let k = j
    let budget = ALIGN_WINDOW
    // a folded line break is a space in the value and a newline in the source
    while (k < offs.length && text[offs[k]!] !== c && !(c === ' ' && text[offs[k]!] === '\n')) {
      const s = text[offs[k]!]
      if (s !== ' ' && s !== '\n' && s !== '\r' && s !== '\t' && --budget === 0) break
      k++
    }
    if (k >= offs.length || budget === 0) k = j // not found (escape sequence, folded line break): stay in place
    if (wanted.has(i)) found.set(i, offs[k]!)
    j = k + 1
  }
  const rest = offs[Math.min(j, offs.length - 1)] ?? start
  return indexes.map((i) => found.get(i) ?? rest)
}

/**
 * When the value starting at `off` has no `key: ` on its own line but a following line of the
 * same plain scalar looks like `key: value`, that line is a key indented too deep: its offset
 * (first non-space character) and text.
 */
function overIndentedKey(text: string, off: number): { offset: number; line: string } | undefined {
  const eol = text.indexOf('\n', off)
  if (eol < 0 || /:(\s|$)/.test(text.slice(off, eol))) return undefined
  let start = eol + 1
  while (start < text.length) {
    const end = text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start)
    const line = text.slice(start, end)
    if (/^\s*[^\s#][^:#]*:(\s|$)/.test(line)) {
      const indent = line.length - line.trimStart().length
      return { offset: start + indent, line: line.trim() }
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) return undefined
    start = end + 1
  }
  return undefined
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/\s+at line \d+, column \d+:?$/, '')
}

function keyAt(text: string, off: number): string {
  const m = /^\s*["']?([^"':\n]+)/.exec(text.slice(off))
  return m ? m[1]!.trim() : '?'
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'BAD_INDENT': return 'align the keys of one mapping in the same column (indent with spaces)'
    case 'TAB_AS_INDENT': return 'YAML indentation must use spaces, not tabs'
    case 'DUPLICATE_KEY': return 'remove or rename one of the two keys'
    case 'COMPLEX_KEY': return 'write the key as a name (`key: value`); `?` starts an explicit key'
    case 'MISSING_CHAR': return 'close the quote (or the bracket) that is still open'
    default: return undefined
  }
}

/** Offset of the last quote before `off` that opens a scalar (after `key: `, `- ` or a flow `[`/`,`). */
function openingQuote(text: string, off: number): number {
  const re = /(?:^|[:\-\[,{]\s*|\s)(["'])/gm
  let found = -1
  for (let m = re.exec(text); m && m.index < off; m = re.exec(text)) found = m.index + m[0].length - 1
  return found >= 0 ? found : off
}

/**
 * The same key twice in one mapping (block or flow), one error per repeated key, in one pass.
 * Keys are equal as in `yaml`'s own check: scalars with the same value (and type).
 */
function duplicateKeys(doc: Document): YAMLParseError[] {
  const out: YAMLParseError[] = []
  const stack: unknown[] = [doc.contents]
  while (stack.length) {
    const n = stack.pop()
    if (isMap(n)) {
      const seen = new Set<string>()
      for (const p of n.items) {
        if (isScalar(p.key)) {
          const k = `${typeof p.key.value}:${String(p.key.value)}`
          if (seen.has(k) && p.key.range) out.push(new YAMLParseError([p.key.range[0], p.key.range[0] + 1], 'DUPLICATE_KEY', 'Map keys must be unique'))
          seen.add(k)
        } else if (p.key !== null && p.key !== undefined) {
          // `? [a, b]: x`, `? { a: 1 }: x`, `*alias: x`: a pipeline's keys are names, and rendering
          // such a key as text can take exponential space (`? ? ? ? …`)
          const at = (p.key as Node).range?.[0] ?? n.range?.[0] ?? 0
          out.push(new YAMLParseError([at, at + 1], 'COMPLEX_KEY' as ConstructorParameters<typeof YAMLParseError>[1], 'a mapping key must be a plain name, not a mapping, a list or an alias'))
          continue // not descended into
        }
        stack.push(p.key, p.value)
      }
    } else if (isSeq(n)) for (const item of n.items) stack.push(item)
  }
  return out
}
