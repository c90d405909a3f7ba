/**
 * Bounds on what one pipeline file may make the compiler do, so that any input is parsed, rendered
 * and validated in time and memory linear in its size: the file's size, the nesting depth of its
 * collections, and its YAML aliases (how many, and how much they expand the document — templates
 * are rendered through every alias, so a "billion laughs" file would otherwise render 10^9 values).
 * Each check is one linear pass; the first violation is reported where it happens.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Alias, type CST, type Document, type Node } from 'yaml'

type Token = CST.Token

/** Largest pipeline file accepted, in bytes (1 MiB). */
export const MAX_FILE_BYTES = 1024 * 1024
/** Deepest nesting of mappings and sequences (also through aliases). A pipeline needs about 6. */
export const MAX_DEPTH = 100
/**
 * Most values (scalars, flow collections, aliases) in one file. `pipelines/users.yaml` has about 60;
 * 50,000 keeps the compiler of the largest file within 2 s and 200 MB (each value costs ~2 KB across
 * the syntax tree, the document, the rendered value, the spec and its diagnostics).
 */
export const MAX_NODES = 50_000
/** Most template expressions (`{{…}}`) in one file (each is parsed, checked and compiled to a function). */
export const MAX_TEMPLATES = 2_000
/** Most aliases (`*name`) in one file. */
export const MAX_ALIASES = 100
/** Most characters (string values, plus one per node) that aliases may add to the document. */
export const MAX_ALIAS_EXPANSION = 100_000

/** A bound that a file crosses, and the character offset where it does. */
export interface BoundViolation {
  readonly offset: number
  readonly message: string
  readonly hint: string
}

const fmt = (n: number): string => (n >= 1e15 ? n.toExponential(2) : Math.round(n).toLocaleString('en-US'))

/** The refusal of a file of `bytes` bytes, or undefined when it is small enough. */
export function fileSizeViolation(bytes: number): BoundViolation | undefined {
  if (bytes <= MAX_FILE_BYTES) return undefined
  return { offset: 0, message: `file is ${fmt(bytes)} bytes (${(bytes / 1024 / 1024).toFixed(1)} MiB): pipeline files are limited to ${fmt(MAX_FILE_BYTES)} bytes (1 MiB)`, hint: 'split it into several pipeline files' }
}

/**
 * The first collection of the concrete syntax tree nested deeper than MAX_DEPTH (checked before the
 * document is composed: composing is recursive and a deep enough file would exhaust the stack).
 */
export function cstDepthViolation(tokens: readonly Token[]): BoundViolation | undefined {
  const stack: Array<[Token, number]> = tokens.map((t) => [t, 0] as [Token, number]).reverse()
  while (stack.length) {
    const [t, depth] = stack.pop()!
    if (t.type === 'document') {
      if (t.value) stack.push([t.value, depth])
      continue
    }
    if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue
    if (depth + 1 > MAX_DEPTH) return depthViolation(t.offset)
    for (let i = t.items.length - 1; i >= 0; i--) {
      const it = t.items[i]!
      if (it.value) stack.push([it.value, depth + 1])
      if (it.key) stack.push([it.key, depth + 1])
    }
  }
  return undefined
}

const depthViolation = (offset: number): BoundViolation => ({
  offset,
  message: `mappings and lists are nested more than ${MAX_DEPTH} levels deep here`,
  hint: `a pipeline file needs a few levels; keep nesting (through aliases too) under ${MAX_DEPTH}`,
})

/**
 * Watches the lexical tokens of a file as they stream to the parser (one pass, nothing kept) and
 * stops it at the first bound crossed: flow nesting (`[[[[…`), compact block nesting (`- - - …` on
 * one line), or the number of values. The parser of `yaml` is linear but costly per token and
 * keeps every token of the syntax tree, so these are checked before it sees more.
 */
export class LexGauge {
  /** Offset in the file of the next token. */
  offset = 0
  private flow = 0
  private compact = 0
  private nodes = 0

  /** Feeds one lexeme (as yielded by `yaml`'s Lexer); returns the bound it crosses, if any. */
  feed(lexeme: string): BoundViolation | undefined {
    const c = lexeme.charCodeAt(0)
    if (lexeme.length === 1 && (c === 0x02 || c === 0x18 || c === 0x1f)) {
      // control tokens of the lexer (document, flow error, scalar follows): no source characters
      if (c === 0x1f && ++this.nodes > MAX_NODES) return this.tooMany()
      return undefined
    }
    const at = this.offset
    this.offset += lexeme.length
    switch (lexeme) {
      case '[': case '{':
        if (++this.flow > MAX_DEPTH) return depthViolation(at)
        if (++this.nodes > MAX_NODES) return this.tooMany(at)
        return undefined
      case ']': case '}':
        if (this.flow > 0) this.flow--
        return undefined
      case '-': case '?':
        if (++this.compact > MAX_DEPTH) return depthViolation(at)
        return undefined
      case '\n': case '\r\n':
        this.compact = 0
        return undefined
    }
    if ((c === 0x22 || c === 0x27 || c === 0x2a) && ++this.nodes > MAX_NODES) return this.tooMany(at) // "…", '…', *alias
    return undefined
  }

  private tooMany(at = this.offset): BoundViolation {
    return { offset: at, message: `more than ${fmt(MAX_NODES)} values in one file`, hint: 'a pipeline needs far fewer: split the file, or move data out of it (a schema or transform file)' }
  }
}

/** What the alias analysis found: the node each alias refers to, or the first bound crossed. */
export interface AliasAnalysis {
  readonly targets: ReadonlyMap<Alias, Node>
  readonly violation?: BoundViolation
}

/**
 * Resolves every alias of `doc` in one pass (an alias refers to the last node with its anchor
 * before it, as in `yaml`) and checks the alias bounds: count, self-reference (an alias inside the
 * node it names), expanded size and expanded depth.
 */
export function analyseAliases(doc: Document): AliasAnalysis {
  const targets = new Map<Alias, Node>()
  const aliases: Alias[] = []
  const anchors = new Map<string, Node>()
  // pass 1, document order: anchors as they are met, aliases resolved to the latest one
  const order: unknown[] = [doc.contents]
  while (order.length) {
    const n = order.pop()
    if (isAlias(n)) {
      const t = anchors.get(n.source)
      if (t) targets.set(n, t)
      aliases.push(n)
      if (aliases.length > MAX_ALIASES) return { targets, violation: { offset: n.range?.[0] ?? 0, message: `more than ${MAX_ALIASES} YAML aliases in one file`, hint: `use at most ${MAX_ALIASES} aliases (*name); write repeated values out or use vars: and {{vars.name}}` } }
      continue
    }
    if (!isScalar(n) && !isCollection(n)) continue
    if (n.anchor) anchors.set(n.anchor, n)
    if (isMap(n)) for (let i = n.items.length - 1; i >= 0; i--) { const p = n.items[i]!; order.push(p.value, p.key) }
    else if (isSeq(n)) for (let i = n.items.length - 1; i >= 0; i--) order.push(n.items[i])
  }
  if (!aliases.length) return { targets }

  // pass 2: size and depth of every node with aliases expanded (post-order, memoised, cycle-aware)
  const size = new Map<unknown, number>()
  const depth = new Map<unknown, number>()
  const children = (n: unknown): unknown[] => {
    if (isAlias(n)) return targets.has(n) ? [targets.get(n)] : []
    if (isMap(n)) return n.items.flatMap((p) => (isPair(p) ? [p.key, p.value] : []))
    if (isSeq(n)) return n.items
    return []
  }
  const open = new Set<unknown>()
  const work: Array<[unknown, boolean]> = [[doc.contents, false]]
  while (work.length) {
    const [n, exiting] = work.pop()!
    if (size.has(n)) continue
    const kids = children(n).filter((k) => k !== null && k !== undefined)
    if (!exiting) {
      if (open.has(n)) {
        // reached again while still open: an alias inside the node it refers to
        const alias = [...open].reverse().find((o) => isAlias(o) && targets.get(o) === n) as Alias | undefined
        return { targets, violation: { offset: alias?.range?.[0] ?? 0, message: `alias *${alias?.source ?? '?'} is inside the node it refers to (the value would be infinite)`, hint: 'refer to an anchor outside the node that holds the alias' } }
      }
      open.add(n)
      work.push([n, true])
      for (const k of kids) if (!size.has(k)) work.push([k, false])
      continue
    }
    open.delete(n)
    if (isAlias(n)) {
      const t = targets.get(n)
      size.set(n, t === undefined ? 1 : size.get(t)!)
      depth.set(n, t === undefined ? 0 : depth.get(t)!)
    } else {
      const own = isScalar(n) ? 1 + (typeof n.value === 'string' ? n.value.length : 0) : 1
      size.set(n, kids.reduce((s: number, k) => s + size.get(k)!, own))
      depth.set(n, kids.reduce((d: number, k) => Math.max(d, depth.get(k)!), 0) + (isCollection(n) ? 1 : 0))
    }
  }
  // pass 3, document order: where the expansion crosses its bounds
  let added = 0
  for (const a of aliases) {
    const t = targets.get(a)
    if (t === undefined) continue
    added += size.get(t)! - 1
    if (added > MAX_ALIAS_EXPANSION) {
      const total = aliases.reduce((s, x) => s + (targets.has(x) ? size.get(targets.get(x))! - 1 : 0), 0)
      return { targets, violation: { offset: a.range?.[0] ?? 0, message: `YAML aliases expand the document by ${fmt(total)} characters (limit ${fmt(MAX_ALIAS_EXPANSION)}); the expansion crosses the limit at alias *${a.source}`, hint: 'aliases are expanded before templates are rendered: write the value out, or use vars: and {{vars.name}}' } }
    }
  }
  if ((depth.get(doc.contents) ?? 0) > MAX_DEPTH) {
    const deep = aliases.find((a) => targets.has(a) && depth.get(targets.get(a))! > 1) ?? aliases[0]!
    return { targets, violation: { ...depthViolation(deep.range?.[0] ?? 0), message: `mappings and lists are nested more than ${MAX_DEPTH} levels deep once aliases are expanded` } }
  }
  return { targets }
}
