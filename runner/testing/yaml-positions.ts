import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml'

/** A 1-based line and column in a YAML text. */
export interface LineCol {
  readonly line: number
  readonly col: number
}

/** A parsed YAML document: its plain value, its syntax errors and a way to find where a path is written. */
export interface PositionedYaml {
  readonly value: unknown
  readonly errors: readonly { readonly message: string; readonly line: number; readonly col: number }[]
  /**
   * Where the value at `path` (keys and indexes, e.g. `['cases', 2, 'expect', 0]`) starts. Falls back to
   * the deepest existing ancestor, then to 1:1, so a diagnostic always has a position.
   * @example doc.posAt(['cases', 0, 'name']) // { line: 5, col: 11 }
   */
  posAt(path: readonly (string | number)[]): LineCol
  /** Where the KEY of `path`'s last segment is written (better for "unknown key" messages). */
  keyPosAt(path: readonly (string | number)[]): LineCol
}

/**
 * Parses one YAML document keeping the source positions of every node (the `yaml` package's AST with
 * a line counter), so a test-file error can say `file:line:col`.
 */
export function parseYamlWithPositions(text: string): PositionedYaml {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number | undefined): LineCol => {
    if (offset === undefined) return { line: 1, col: 1 }
    const p = lineCounter.linePos(offset)
    return { line: p.line, col: p.col }
  }
  const errors = doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, ...at(e.pos[0]) }))
  const value = errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 })

  /** Walks the AST along `path`; returns the node reached (or the deepest ancestor) and the last pair's key. */
  const walk = (path: readonly (string | number)[]): { node: Node | null; key: Node | null } => {
    let node: Node | null = (doc.contents as Node | null) ?? null
    let key: Node | null = null
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
        if (!pair) return { node, key }
        key = (pair.key as Node) ?? null
        node = (pair.value as Node | null) ?? key
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as Node | undefined
        if (!item) return { node, key }
        key = null
        node = item
      } else return { node, key }
    }
    return { node, key }
  }
  return {
    value,
    errors,
    posAt: (path) => at(walk(path).node?.range?.[0]),
    keyPosAt: (path) => {
      const { node, key } = walk(path)
      return at((key ?? node)?.range?.[0])
    },
  }
}
