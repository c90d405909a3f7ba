/**
 * A small, strict XML parser for checking the JUnit reports in tests (no dependency): elements,
 * attributes, text, the five predefined entities and numeric character references, an optional XML
 * declaration. Throws on anything not well-formed (unclosed or mismatched tags, a raw `<` or `&`,
 * unquoted or duplicate attributes, text outside the root element).
 */
export interface XmlElement {
  readonly name: string
  readonly attrs: Readonly<Record<string, string>>
  readonly children: XmlElement[]
  text: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decode(s: string, at: number): string {
  if (/[<]/.test(s)) throw new Error(`raw "<" in text or attribute near offset ${at}`)
  return s.replace(/&([^;]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`raw "&" near offset ${at}`)
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10))
    const v = ENTITIES[name]
    if (v === undefined) throw new Error(`unknown entity &${name}; near offset ${at}`)
    return v
  })
}

/** Parses a whole XML document and returns its root element. */
export function parseXml(xml: string): XmlElement {
  let i = 0
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>')
    if (end < 0) throw new Error('unterminated XML declaration')
    i = end + 2
  }
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const NAME = /[A-Za-z_:][\w:.-]*/y
  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    const text = xml.slice(i, lt < 0 ? xml.length : lt)
    if (stack.length > 0) stack[stack.length - 1]!.text += decode(text, i)
    else if (text.trim() !== '') throw new Error(`text outside the root element at offset ${i}`)
    if (lt < 0) break
    i = lt
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i)
      if (end < 0) throw new Error('unterminated comment')
      i = end + 3
      continue
    }
    if (xml[i + 1] === '/') {
      NAME.lastIndex = i + 2
      const m = NAME.exec(xml)
      if (!m) throw new Error(`bad closing tag at offset ${i}`)
      const open = stack.pop()
      if (!open || open.name !== m[0]) throw new Error(`closing </${m[0]}> does not match <${open?.name ?? '(none)'}> at offset ${i}`)
      i = NAME.lastIndex
      while (/\s/.test(xml[i] ?? '')) i++
      if (xml[i] !== '>') throw new Error(`bad closing tag at offset ${i}`)
      i++
      continue
    }
    NAME.lastIndex = i + 1
    const m = NAME.exec(xml)
    if (!m) throw new Error(`bad tag at offset ${i}`)
    i = NAME.lastIndex
    const attrs: Record<string, string> = {}
    for (;;) {
      const ws = /\s*/y
      ws.lastIndex = i
      ws.exec(xml)
      i = ws.lastIndex
      if (xml[i] === '>' || xml.startsWith('/>', i)) break
      NAME.lastIndex = i
      const a = NAME.exec(xml)
      if (!a) throw new Error(`bad attribute at offset ${i}`)
      i = NAME.lastIndex
      if (xml[i] !== '=' || (xml[i + 1] !== '"' && xml[i + 1] !== "'")) throw new Error(`attribute ${a[0]} without a quoted value at offset ${i}`)
      const q = xml[i + 1]!
      const end = xml.indexOf(q, i + 2)
      if (end < 0) throw new Error(`unterminated attribute ${a[0]}`)
      if (a[0] in attrs) throw new Error(`duplicate attribute ${a[0]}`)
      attrs[a[0]] = decode(xml.slice(i + 2, end), i)
      i = end + 1
    }
    const el: XmlElement = { name: m[0], attrs, children: [], text: '' }
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el)
    else if (root) throw new Error('a second root element')
    else root = el
    if (xml.startsWith('/>', i)) i += 2
    else { stack.push(el); i++ }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`)
  if (!root) throw new Error('no root element')
  return root
}

/** Every descendant element named `name` (depth first). */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = []
  for (const c of el.children) {
    if (c.name === name) out.push(c)
    out.push(...findAll(c, name))
  }
  return out
}
