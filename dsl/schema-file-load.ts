/**
 * Loading of the data schema files a pipeline names (topic `value`, Cassandra `schema`): Avro `.avsc`
 * parsed and checked with `avsc`, JSON Schema compiled with ajv. Problems come back as messages.
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, join, normalize, relative, resolve } from 'node:path'
import { Ajv } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import avro from 'avsc'
import { parseDocument } from 'yaml'
import { CODES } from './codes.js'
import type { ValueSchemaRef } from './spec.js'

/** A problem with a schema file: code, message, hint. */
export interface SchemaFileProblem { readonly code: string; readonly message: string; readonly hint?: string }

/** Path to show in messages for a file referenced from a pipeline: relative to the cwd when inside it. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs
}

/** Resolves a path written in the pipeline file against the pipeline's folder. */
export const resolveIn = (dir: string, p: string): string => (isAbsolute(p) ? normalize(p) : resolve(join(dir, p)))

/**
 * Reads and checks the schema file `written` (relative to `dir`). Returns the reference or a problem.
 *
 * @example loadSchemaFile('pipelines', '../schemas/randomuser_user.avsc', 'users_created-value')
 */
export function loadSchemaFile(dir: string, written: string, subject: string): { ref?: ValueSchemaRef; problem?: SchemaFileProblem } {
  const file = resolveIn(dir, written)
  const type = written.endsWith('.avsc') ? 'AVRO' : written.endsWith('.json') ? 'JSON' : undefined
  if (!type) return { problem: { code: CODES.SCHEMA_FILE_TYPE, message: `schema file "${written}" must be Avro (.avsc) or JSON Schema (.json)` } }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT'
    return { problem: { code: CODES.SCHEMA_FILE_MISSING, message: `schema file "${written}" ${missing ? 'does not exist' : 'cannot be read'} (looked for ${displayPath(file)})`, hint: 'paths are relative to the pipeline file\'s folder' } }
  }
  let schema: unknown
  try {
    schema = JSON.parse(text)
  } catch (e) {
    return { problem: { code: CODES.SCHEMA_INVALID, message: `schema file "${written}" is not valid JSON: ${jsonSyntaxError(text, (e as Error).message)}` } }
  }
  try {
    if (type === 'AVRO') avro.Type.forSchema(schema as avro.Schema)
    else {
      const draft2020 = /2020-12|2019-09/.test(String((schema as { $schema?: unknown })?.$schema ?? ''))
      ;(draft2020 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true })).compile(schema as object)
    }
  } catch (e) {
    return { problem: { code: CODES.SCHEMA_INVALID, message: `schema file "${written}" is not a valid ${type === 'AVRO' ? 'Avro schema' : 'JSON Schema'}: ${(e as Error).message}`,
      hint: type === 'AVRO' ? 'see https://avro.apache.org/docs/1.11.1/specification/' : undefined } }
  }
  return { ref: { file, path: written, type, schema, subject } }
}

/**
 * JSON.parse's message made one line, with the line and column of the mistake in the schema file:
 * from V8's "at position N" when it gives one, else from the yaml parser (JSON is YAML), which
 * locates most syntax errors V8 reports without a position ("Unexpected token ','").
 */
function jsonSyntaxError(text: string, v8Message: string): string {
  const what = v8Message.replace(/ in JSON at position \d+.*$/s, '').replace(/^(Unexpected token '[^']*'),.*$/s, '$1').split('\n')[0]!
  const at = /at position (\d+)/.exec(v8Message)
  let pos: { line: number; col: number } | undefined
  if (at) {
    const before = text.slice(0, Number(at[1]))
    pos = { line: before.split('\n').length, col: Number(at[1]) - before.lastIndexOf('\n') }
  } else {
    const linePos = parseDocument(text).errors[0]?.linePos?.[0]
    if (linePos) pos = { line: linePos.line, col: linePos.col }
  }
  return pos ? `${what} (line ${pos.line}, column ${pos.col} of the file)` : what
}
