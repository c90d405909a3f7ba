/**
 * Converts JSON values to the driver's types for a CQL column type, strictly: a value that does
 * not fit its column is a `RecordError('conversion')` (the record is dead-lettered), never a
 * silently mangled row. `undefined` becomes `unset` (the column is left alone); `null` stays null.
 */
import cassandra from 'cassandra-driver'
import { RecordError } from '../../core/errors.js'

const { types } = cassandra
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const INT = /^[+-]?\d+$/
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

const fail = (column: string, type: string, value: unknown, why = ''): RecordError =>
  new RecordError('conversion', `column ${column} (${type}) cannot take ${describe(value)}${why ? `: ${why}` : ''}`)

function describe(v: unknown): string {
  const text = typeof v === 'string' ? JSON.stringify(v) : (() => { try { return JSON.stringify(v) ?? String(v) } catch { return String(v) } })()
  return `${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`
}

/** Splits `map<text, list<int>>` → ['text', 'list<int>'] at top-level commas. */
function typeArgs(type: string): string[] {
  const inner = type.slice(type.indexOf('<') + 1, type.lastIndexOf('>'))
  const out: string[] = []
  let depth = 0, start = 0
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '<') depth++
    else if (inner[i] === '>') depth--
    else if (inner[i] === ',' && depth === 0) { out.push(inner.slice(start, i).trim()); start = i + 1 }
  }
  out.push(inner.slice(start).trim())
  return out
}

function integer(column: string, type: string, v: unknown, bits: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && INT.test(v.trim()) ? Number(v.trim()) : NaN
  const lim = 2 ** (bits - 1)
  if (!Number.isInteger(n) || n < -lim || n >= lim) throw fail(column, type, v, `not a ${bits}-bit integer`)
  return n
}

/**
 * The driver value for `value` in a column of CQL type `type` (as written in the spec, e.g.
 * `uuid`, `text`, `bigint`, `timestamp`, `list<text>`). Throws `RecordError('conversion')`.
 */
export function toCql(column: string, type: string, value: unknown): unknown {
  if (value === undefined) return types.unset
  if (value === null) return null
  const t = type.trim().toLowerCase().replace(/^frozen<(.*)>$/, '$1')
  const base = t.includes('<') ? t.slice(0, t.indexOf('<')).trim() : t
  switch (base) {
    case 'uuid':
    case 'timeuuid':
      if (typeof value !== 'string' || !UUID.test(value)) throw fail(column, type, value, 'not a UUID')
      return base === 'uuid' ? types.Uuid.fromString(value) : types.TimeUuid.fromString(value)
    case 'text':
    case 'varchar':
    case 'ascii': {
      const s = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : undefined
      if (s === undefined) throw fail(column, type, value, 'not a string')
      if (base === 'ascii' && /[^\x00-\x7f]/.test(s)) throw fail(column, type, value, 'not ASCII')
      return s
    }
    case 'int': return integer(column, type, value, 32)
    case 'smallint': return integer(column, type, value, 16)
    case 'tinyint': return integer(column, type, value, 8)
    case 'bigint':
    case 'counter': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return types.Long.fromNumber(value)
      if (typeof value === 'bigint') return types.Long.fromString(value.toString())
      if (typeof value === 'string' && INT.test(value.trim())) {
        const b = BigInt(value.trim())
        if (b >= -(2n ** 63n) && b < 2n ** 63n) return types.Long.fromString(b.toString())
      }
      throw fail(column, type, value, 'not a 64-bit integer')
    }
    case 'varint':
      if ((typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INT.test(value.trim())) || typeof value === 'bigint') {
        return types.Integer.fromString(String(value).trim())
      }
      throw fail(column, type, value, 'not an integer')
    case 'float':
    case 'double': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUM.test(value.trim()) ? Number(value) : NaN
      if (!Number.isFinite(n)) throw fail(column, type, value, 'not a number')
      return n
    }
    case 'decimal':
      if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && NUM.test(value.trim()))) {
        return types.BigDecimal.fromString(String(value).trim())
      }
      throw fail(column, type, value, 'not a decimal number')
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      throw fail(column, type, value, 'not a boolean')
    case 'timestamp': {
      const d = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : value instanceof Date ? value : undefined
      if (!d || Number.isNaN(d.getTime()) || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value))) throw fail(column, type, value, 'not an ISO-8601 date-time or epoch milliseconds')
      return d
    }
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
        try { return types.LocalDate.fromString(value) } catch { /* fall through */ }
      }
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return types.LocalDate.fromDate(new Date(value))
      throw fail(column, type, value, 'not a date (YYYY-MM-DD)')
    case 'time':
      if (typeof value === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(value)) return types.LocalTime.fromString(value)
      throw fail(column, type, value, 'not a time (HH:MM:SS)')
    case 'inet':
      if (typeof value === 'string') {
        try { return types.InetAddress.fromString(value) } catch { /* fall through */ }
      }
      throw fail(column, type, value, 'not an IP address')
    case 'blob':
      if (value instanceof Uint8Array) return Buffer.from(value)
      if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) return Buffer.from(value, 'base64')
      throw fail(column, type, value, 'not base64 bytes')
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) throw fail(column, type, value, `not an array`)
      const [el] = typeArgs(t)
      return value.map((v, i) => toCql(`${column}[${i}]`, el, v))
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw fail(column, type, value, 'not an object')
      const [, vt] = typeArgs(t)
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCql(`${column}.${k}`, vt, v)]))
    }
    default:
      return value // tuples, UDTs, vectors: the driver encodes (and rejects) them itself
  }
}
