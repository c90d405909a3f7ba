/**
 * Stage 1 of the compiler: YAML parsed with source positions. Keeps the `yaml` Document and a
 * LineCounter so that every later stage can turn a path (`['stages','store','to']`) into a
 * file:line:col, and a position inside a scalar's value into the file's line:col.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import { CODES } from './codes.js'
import type { Diagnostic } from './diagnostic.js'

/** A path into the document: mapping keys and sequence indexes. */
export type DocPath = readonly (string | number)[]

/** One parsed pipeline file with the means to locate paths in it. */
export class YamlSource {
  readonly lineCounter = new LineCounter()
  readonly doc: Document
  readonly diagnostics: Diagnostic[] = []

  /** @param file path as given (for messages), @param dir absolute folder of the file */
  constructor(readonly file: string, readonly text: string, readonly dir: string) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, strict: true })
    // After a syntax error the parser's view of the rest of the file is unreliable and the errors
    // that follow are mostly echoes of the first one. Reported: every duplicate key and every tab
    // used as indentation (each is a mistake of its own line), the first other syntax error unless
    // a tab before it explains it, and the warnings.
    const own = (e: { code: string }) => e.code === 'DUPLICATE_KEY' || e.code === 'TAB_AS_INDENT'
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

  /** Line and column (1-based) of a character offset in the file. */
  pos(offset: number): { line: number; col: number } {
    return this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)))
  }

  /**
   * The YAML nodes at `path`: the value node and the key node of the pair holding it. When the path
   * does not exist (a missing key), the deepest existing ancestor is returned with `exact: false`.
   */
  locate(path: DocPath): { node?: Node; key?: Node; exact: boolean } {
    let node: unknown = this.doc.contents
    let key: Node | undefined
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc)
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg))
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
    const { node } = this.locate(path)
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return node?.range?.[0] ?? 0
    return alignOffset(node.value, this.text, node.range[0], node.range[1], node.type, index)
  }
}

/** Maps index `index` of `value` to an offset in `text[start, end)` where the scalar's source lies. */
export function alignOffset(value: string, text: string, start: number, end: number, type: string | undefined, index: number): number {
  // the source characters that can carry the value's characters, as offsets into `text`
  const offs: number[] = []
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const body = text.indexOf('\n', start) + 1 // skip the `|` / `>` header line
    if (body === 0) return start
    const lines = text.slice(body, end).split('\n')
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length))
    let o = body
    for (const l of lines) {
      for (let c = Math.min(indent, l.length); c <= l.length; c++) offs.push(o + c) // includes the newline
      o += l.length + 1
    }
  } else {
    const q = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? 1 : 0
    for (let o = start + q; o < end - q; o++) offs.push(o)
  }
  let j = 0
  for (let i = 0; i < value.length && j < offs.length; i++) {
    const c = value[i]!
    let k = j
    while (k < offs.length && text[offs[k]!] !== c) k++
    if (k >= offs.length) k = j // not found (escape sequence, folded line break): stay in place
    if (i === index) return offs[k]!
    j = k + 1
  }
  return offs[Math.min(j, offs.length - 1)] ?? start
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
