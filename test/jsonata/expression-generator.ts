/**
 * Deterministic generator of random JSONata expressions (from the constructs the transform compiler
 * supports) and random JSON inputs, for the differential test of the fast path against the interpreter.
 */
import { mulberry32 } from '../../core/prng.js'

/** The seeded PRNG of the generated tests. */
export const prng = mulberry32

const KEYS = ['a', 'b', 'c', 'name', 'n']
const STRINGS = ['', 'x', 'Hello World', ' a  b ', 'abc', '42', '3.5', 'a,b,c']

/** Number edge cases for `$string`, arithmetic and comparisons. */
const NUMBER_EDGES = ['-0', '0 * -1', '1e21', '1e-7', '0.1 + 0.2', '1 / 3', '123456789012345678901', '-1.5e300 * 1e10', '$round(-0.4)', '$floor(-0.5) + 1', '2.5e-324']
/** String edge cases for `$number`. */
const NUMBER_STRINGS = ['0x10', '1e3', ' 1 ', '-0', '', 'abc', '0b101', '0o7', '1.', '.5', '+1', 'Infinity', '1e400', '007', '-1.50']
/** Functions whose first argument defaults to the context (called with it left out). */
const CONTEXT_DEFAULTING = ['string', 'uppercase', 'lowercase', 'length', 'trim', 'number', 'boolean', 'keys', 'base64encode', 'encodeUrlComponent', 'exists']

/** Generator of inputs and expressions driven by one PRNG. */
export class Generator {
  /**
   * @param extended also generate calls whose first argument defaults to the context, `$string` /
   *   `$number` edge cases, steps over missing fields and inputs with arrays of mixed types (the
   *   stateful fuzzer); without it the stream of expressions is the differential test's
   */
  constructor(
    private readonly rnd: () => number,
    private readonly extended = false,
  ) {}

  private int(n: number): number {
    return Math.floor(this.rnd() * n)
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]
  }

  /** A random JSON value. */
  value(depth = 0): unknown {
    const r = this.int(depth > 2 ? 6 : 9)
    switch (r) {
      case 0: return this.int(21) - 10
      case 1: return Math.round((this.rnd() * 20 - 10) * 1000) / 1000
      case 2: return this.pick(STRINGS)
      case 3: return this.rnd() < 0.5
      case 4: return null
      case 5: return this.int(5)
      case 6:
      case 7: {
        const o: Record<string, unknown> = {}
        const n = this.int(4)
        for (let i = 0; i < n; i++) o[this.pick(KEYS)] = this.value(depth + 1)
        return o
      }
      default: return Array.from({ length: this.int(4) }, () => this.value(depth + 1))
    }
  }

  /** Random variable bindings (`$x`). */
  bindings(): Record<string, unknown> | undefined {
    return this.rnd() < 0.3 ? { x: this.value(1) } : undefined
  }

  /** A random input document (usually an object, sometimes an array). */
  input(): unknown {
    if (this.rnd() < 0.15) return Array.from({ length: this.int(4) }, () => this.value(1))
    const o: Record<string, unknown> = {}
    for (const k of KEYS) if (this.rnd() < 0.7) o[k] = this.value(1)
    if (this.extended && this.rnd() < 0.3) o[this.pick(KEYS)] = this.mixedArray()
    return o
  }

  /** An array whose items are of several types (objects with and without the keys, scalars, arrays). */
  mixedArray(): unknown[] {
    return Array.from({ length: 2 + this.int(4) }, () => (this.rnd() < 0.4 ? { [this.pick(KEYS)]: this.value(2) } : this.value(2)))
  }

  private literal(): string {
    switch (this.int(6)) {
      case 0: return String(this.int(10))
      case 1: return String(this.int(200) / 10 - 10)
      case 2: return JSON.stringify(this.pick(STRINGS))
      case 3: return this.pick(['true', 'false', 'null'])
      case 4: return '[' + Array.from({ length: this.int(3) }, () => this.int(5)).join(', ') + ']'
      default: return '-' + String(this.int(5))
    }
  }

  private path(d: number): string {
    const steps = [this.pick(KEYS)]
    const n = this.int(3)
    for (let i = 0; i < n; i++) steps.push(this.rnd() < 0.1 ? '*' : this.pick(KEYS))
    let p = steps.map((s) => (this.rnd() < 0.2 && d < 3 ? `${s}[${this.predicate(d + 1)}]` : s)).join('.')
    if (this.rnd() < 0.05) p = '**.' + this.pick(KEYS)
    if (this.rnd() < 0.1) p += '[]'
    if (this.rnd() < 0.05) p = `${p}^(${this.pick(['', '>'])}${this.pick(KEYS)}${this.rnd() < 0.3 ? `, >${this.pick(KEYS)}` : ''})`
    if (this.rnd() < 0.05) p = `\`${this.pick(KEYS)}\`.${p}`
    if (this.rnd() < 0.05) p = `${p}[[${this.int(3)}, ${this.int(3) - 1}]]`
    if (this.rnd() < 0.05) p = `${this.pick(KEYS)}[].${p}`
    return p
  }

  private predicate(d: number): string {
    switch (this.int(4)) {
      case 0: return String(this.int(4) - 1)
      case 1: return `${this.pick(KEYS)} ${this.pick(['=', '!=', '>', '<'])} ${this.literal()}`
      case 2: return this.pick(KEYS)
      default: return this.expr(d + 1)
    }
  }

  private call(d: number): string {
    const e = () => this.expr(d + 1)
    const f = this.int(this.extended ? 73 : 63)
    switch (f) {
      case 63:
      case 64: return `$${this.pick(CONTEXT_DEFAULTING)}()`
      case 65: return `${this.path(d)}.$${this.pick(CONTEXT_DEFAULTING)}()`
      case 66: return `$map(${e()}, function($v) { $v.$${this.pick(CONTEXT_DEFAULTING)}() })`
      case 67: return `$string(${this.pick(NUMBER_EDGES)}${this.rnd() < 0.2 ? ', true' : ''})`
      case 68: return `$number(${JSON.stringify(this.pick(NUMBER_STRINGS))})`
      case 69: return `[${this.pick(NUMBER_EDGES)}, ${e()}]`
      case 70: return `{"v": ${this.pick(NUMBER_EDGES)}, "s": $string(${e()})}`
      case 71: return `missing.${this.path(d)}`
      case 72: return `${this.path(d)}.$string()`
      case 34: return `$substringBefore(${e()}, ${JSON.stringify(this.pick(STRINGS))})`
      case 35: return `$substringAfter(${e()}, ${JSON.stringify(this.pick(['b', ' ', ',']))})`
      case 36: return `$formatNumber(${e()}, ${JSON.stringify(this.pick(['#,##0.00', '0.0', '#', '000']))})`
      case 37: return `$formatBase(${e()}, ${this.pick([2, 16, 36])})`
      case 38: return `$power(${e()}, ${this.int(4)})`
      case 39: return `$sqrt(${e()})`
      case 40: return `$ceil(${e()})`
      case 41: return `$min(${e()})`
      case 42: return `$each(${e()}, function($v, $k) { $k & "=" & $string($v) })`
      case 43: return `$sift(${e()}, function($v) { ${this.lambdaBody(d)} })`
      case 44: return `$zip(${e()}, ${e()})`
      case 45: return `$single(${e()}, function($v) { ${this.lambdaBody(d)} })`
      case 46: return `$match(${e()}, /${this.pick(['a+', 'b', '[0-9]', '(a)(b)?'])}/)`
      case 47: return `$replace(${e()}, /${this.pick(['a', '(b)', '\\s+'])}/, ${JSON.stringify(this.pick(['[$1]', '_', '$0$0']))})`
      case 48: return `$split(${e()}, /${this.pick([',', '\\s*', 'b'])}/)`
      case 49: return `$contains(${e()}, /${this.pick(['a', 'B'])}/i)`
      case 50: return `${e()} ~> $string()`
      case 51: return `${e()} ~> $map(function($v) { ${this.lambdaBody(d)} })`
      case 52: return `($f := function($x) { function($y) { $x & $y } }; $f(${e()})(${e()}))`
      case 53: return `($fact := function($n) { $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(${this.int(8)}))`
      case 54: return `(${e()} ~> $uppercase ~> $trim)`
      case 55: return `$sort(${e()}, function($l, $r) { $l.${this.pick(KEYS)} > $r.${this.pick(KEYS)} })`
      case 56: return `$lookup(${e()}, ${this.pick(KEYS.map((k) => JSON.stringify(k)))})`
      case 57: return `$keys(${e()})`
      case 58: return `$x`
      case 59: return `$$.${this.pick(KEYS)}`
      case 60: return `($p := $substring(?, ${this.int(4) - 1}, ?); $p(${e()}, ${this.int(4)}))`
      case 61: return `($add := function($x, $y) { $x + $y }; $add(?, ${e()})(${e()}))`
      case 62: return `$map(${e()}, $string(?))`
      case 0: return `$string(${e()})`
      case 1: return `$substring(${e()}, ${this.int(6) - 2}${this.rnd() < 0.5 ? ', ' + this.int(4) : ''})`
      case 2: return `$uppercase(${e()})`
      case 3: return `$lowercase(${e()})`
      case 4: return `$trim(${e()})`
      case 5: return `$length(${e()})`
      case 6: return `$contains(${e()}, ${JSON.stringify(this.pick(STRINGS))})`
      case 7: return `$split(${e()}, ${JSON.stringify(this.pick([',', ' ', '']))})`
      case 8: return `$join(${e()}${this.rnd() < 0.5 ? ', "-"' : ''})`
      case 9: return `$replace(${e()}, ${JSON.stringify(this.pick(['a', ' ', 'b']))}, "_")`
      case 10: return `$pad(${e()}, ${this.int(10) - 5}${this.rnd() < 0.5 ? ', "#"' : ''})`
      case 11: return `$number(${e()})`
      case 12: return `$abs(${e()})`
      case 13: return `$floor(${e()})`
      case 14: return `$round(${e()}${this.rnd() < 0.5 ? ', ' + (this.int(4) - 1) : ''})`
      case 15: return `$sum(${e()})`
      case 16: return `$max(${e()})`
      case 17: return `$count(${e()})`
      case 18: return `$average(${e()})`
      case 19: return `$boolean(${e()})`
      case 20: return `$not(${e()})`
      case 21: return `$exists(${e()})`
      case 22: return `$append(${e()}, ${e()})`
      case 23: return `$reverse(${e()})`
      case 24: return `$distinct(${e()})`
      case 25: return `$keys(${e()})`
      case 26: return `$lookup(${e()}, ${JSON.stringify(this.pick(KEYS))})`
      case 27: return `$merge(${e()})`
      case 28: return `$spread(${e()})`
      case 29: return `$map(${e()}, function($v, $i) { ${this.lambdaBody(d)} })`
      case 30: return `$filter(${e()}, function($v) { ${this.lambdaBody(d)} })`
      case 31: return `$reduce(${e()}, function($acc, $v) { $acc + $v }${this.rnd() < 0.5 ? ', 0' : ''})`
      case 32: return `$sort(${e()}${this.rnd() < 0.5 ? ', function($l, $r) { $l > $r }' : ''})`
      default: return `$type(${e()})`
    }
  }

  private lambdaBody(d: number): string {
    return this.pick([`$v`, `$v * 2`, `$v.${this.pick(KEYS)}`, `$string($v) & "!"`, `$v > 1`, `$i`, this.expr(d + 2)])
  }

  /**
   * A call whose first argument defaults to the context, evaluated on the input itself, under a
   * path, in a lambda or in a group-by value (which jsonata evaluates without context when the path
   * is empty).
   */
  contextCall(): string {
    const f = `$${this.pick(CONTEXT_DEFAULTING)}()`
    switch (this.int(7)) {
      case 5: return `(function($v)<${this.pick(['x', 'n', 's', 'a', 'o'])}-:x>{ [$v, ${f}] })()`
      case 6: return `($f := function($v, $w)<x-x?:x>{ $string($v) & $string($w) }; [${this.pick(KEYS)}.$f(), $f(), $f(1)])`
      case 0: return f
      case 1: return `${this.path(2)}.${f}`
      case 2: return `${this.pick(KEYS)}{"v": ${f}}`
      case 3: return `{"v": ${f}, "w": ${this.pick(KEYS)}.${f}}`
      default: return `$map(${this.expr(2)}, function($v) { $v.${f} })`
    }
  }

  /** A random expression of bounded depth. */
  expr(d = 0): string {
    if (d > 3) return this.rnd() < 0.5 ? this.literal() : this.path(d)
    const e = () => this.expr(d + 1)
    switch (this.int(22)) {
      case 0:
      case 1: return this.path(d)
      case 2: return this.literal()
      case 3: return `${e()} ${this.pick(['+', '-', '*', '/', '%'])} ${e()}`
      case 4: return `${e()} ${this.pick(['=', '!=', '<', '<=', '>', '>='])} ${e()}`
      case 5: return `${e()} & ${e()}`
      case 6: return `${e()} ${this.pick(['and', 'or'])} ${e()}`
      case 7: return `(${e()} ? ${e()}${this.rnd() < 0.7 ? ' : ' + e() : ''})`
      case 8: return `(${e()} ${this.pick(['??', '?:'])} ${e()})`
      case 9: return `[${Array.from({ length: this.int(4) }, e).join(', ')}]${this.rnd() < 0.3 ? `[${this.predicate(d)}]` : ''}`
      case 10: return `{${Array.from({ length: this.int(3) }, () => `${JSON.stringify(this.pick(KEYS))}: ${e()}`).join(', ')}}`
      case 11: return `${this.pick(KEYS)}{${this.pick(KEYS)}: ${e()}}`
      case 12: return `($x := ${e()}; ${this.rnd() < 0.5 ? '$x' : e()})`
      case 13: return `${e()} in ${e()}`
      case 14: return `[${this.int(4)}..${this.int(6)}].(${this.rnd() < 0.5 ? '$ * 2' : e()})`
      case 15: return this.call(d)
      case 16: return `${this.pick(KEYS)}.{${this.pick(KEYS.map((k) => JSON.stringify(k)))}: ${e()}}`
      case 17: return `[${e()}, [${e()}]]`
      case 18: return `${this.pick(KEYS)}{${this.pick(KEYS)}: ${e()}, "k": ${e()}}`
      default: return this.call(d)
    }
  }
}
