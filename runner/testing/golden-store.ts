import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { GoldenRef } from './test-file-types.js'

/**
 * The text of a golden file: the records as pretty JSON (2 spaces, UTF-8, non-ASCII kept as is,
 * trailing newline), so a review diff shows one field per line.
 */
export function goldenText(records: readonly unknown[]): string {
  return `${JSON.stringify(records, null, 2)}\n`
}

/** Reads a golden file: its records, or why it cannot be used (missing, not JSON, not an array). */
export function readGolden(ref: GoldenRef): { records: unknown[] } | { error: string; missing: boolean } {
  let text: string
  try {
    text = readFileSync(ref.file, 'utf8')
  } catch {
    return { error: `golden file "${ref.path}" does not exist (run \`rtds test --update\` to record it, then review it)`, missing: true }
  }
  try {
    const data: unknown = JSON.parse(text)
    if (!Array.isArray(data)) return { error: `golden file "${ref.path}" must hold a JSON array of records`, missing: false }
    return { records: data }
  } catch (err) {
    return { error: `golden file "${ref.path}" is not valid JSON: ${(err as Error).message}`, missing: false }
  }
}

/**
 * Writes `records` to the golden file when its content differs (creating folders as needed).
 * Returns whether the file changed.
 */
export function writeGolden(ref: GoldenRef, records: readonly unknown[]): boolean {
  const text = goldenText(records)
  let old: string | undefined
  try { old = readFileSync(ref.file, 'utf8') } catch { old = undefined }
  if (old === text) return false
  mkdirSync(dirname(ref.file), { recursive: true })
  writeFileSync(ref.file, text)
  return true
}
