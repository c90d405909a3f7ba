/**
 * Record values as Postgres jsonb text: the one check of what jsonb refuses, shared by the staging
 * sink and its embedded twin (connectors/memory), so both fail the same records the same way.
 */
import { RecordError } from '../../core/errors.js'

/**
 * A `\u` escape JSON.stringify wrote (an odd run of backslashes before it) that Postgres jsonb
 * refuses: NUL, or a surrogate — JSON.stringify escapes only lone ones, a paired surrogate is
 * written as the character itself. `\\u0000` (a backslash, then the text `u0000`) is fine.
 */
const JSONB_REFUSED = /(?<!\\)(?:\\\\)*\\u(0000|d[89a-f][0-9a-f]{2})/

/**
 * Serialises a record value for a jsonb column, or explains why it cannot be stored. Postgres
 * jsonb rejects `\u0000` and lone UTF-16 surrogates (text a JSON parser accepts), so such a value
 * is a per-record failure rather than a failed commit that would fail every write joining it.
 */
export function toJsonb(value: unknown): string | RecordError {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    return new RecordError('encode', `value cannot be serialised as JSON: ${(err as Error).message}`, { cause: err })
  }
  if (text === undefined) return new RecordError('encode', 'value is undefined or not JSON data')
  const refused = text.includes('\\u') ? JSONB_REFUSED.exec(text) : null
  if (refused?.[1] === '0000') return new RecordError('encode', 'value contains a NUL character (\\u0000), which Postgres jsonb cannot store')
  if (refused) return new RecordError('encode', `value contains a lone UTF-16 surrogate (\\u${refused[1]}), which is not Unicode text: Postgres jsonb cannot store it`)
  return text
}
