/**
 * The typed form of a pipeline test file (`<pipeline>.test.yaml`, beside the pipeline), as produced by
 * `loadTestFile()` (runner/testing/test-file-loader.ts). Modelled on Benthos config tests and Vector
 * unit tests, with golden files that `rtds test --update` rewrites for review.
 *
 * ```yaml
 * # yaml-language-server: $schema=../schemas/pipeline-test.schema.json
 * pipeline: users.yaml                 # relative to this file
 * env: { RANDOMUSER_URL: "http://randomuser.invalid/api/" }
 * cases:
 *   - name: reference row shape
 *     inputs:
 *       - source: api                  # or topic: / table: (a staging table)
 *         file: users.test/inputs/reference.json    # or records: [ ... ]
 *     expect:
 *       - table: created_users         # or stage: / topic: / dlq: <topic>
 *         golden: users.test/reference.golden.json  # or records: [...] (match: exact|subset|contains) or count: N
 * ```
 */
import type { LineCol } from './yaml-positions.js'

/** A position inside a test file. */
export interface TestPos extends LineCol {
  /** The test file as given on the command line (relative paths stay relative). */
  readonly file: string
}

/** What an input feeds: a source (the whole graph runs from it), a topic, or a (staging) table. */
export interface InputTarget {
  readonly kind: 'source' | 'topic' | 'table'
  readonly name: string
}

/** What an expectation reads after the run. `dlq` names the topic whose `<topic>.dlq` is read. */
export interface ExpectTarget {
  readonly kind: 'stage' | 'topic' | 'table' | 'dlq'
  readonly name: string
}

/** Records fed into one target, in order. */
export interface TestInput {
  readonly target: InputTarget
  readonly records: readonly unknown[]
  /** Absolute path of the JSON file the records came from, when `file:` was used. */
  readonly file?: string
  readonly pos: TestPos
}

/**
 * How inline `records:` are compared with the actual output:
 * - `exact`: same records, every field equal, nothing missing or extra;
 * - `subset`: same number of records, each expected record's fields equal in its actual record (partial objects);
 * - `contains`: each expected (partial) record is present; extra actual records are allowed.
 */
export type MatchMode = 'exact' | 'subset' | 'contains'

export interface GoldenRef {
  /** As written in the test file (for messages). */
  readonly path: string
  /** Absolute path. */
  readonly file: string
}

/** One assertion on one output of the run. Exactly one of `records`, `count`, `golden` is set. */
export interface TestExpect {
  readonly target: ExpectTarget
  readonly match: MatchMode
  readonly records?: readonly unknown[]
  readonly count?: number
  readonly golden?: GoldenRef
  readonly pos: TestPos
}

export interface TestCase {
  readonly name: string
  readonly description?: string
  /** Pipeline `vars` overriding the file's and the pipeline's. */
  readonly vars: Readonly<Record<string, unknown>>
  /** Environment overriding the file's and the process's, for `{{env.X}}` templates. */
  readonly env: Readonly<Record<string, string>>
  readonly inputs: readonly TestInput[]
  readonly expect: readonly TestExpect[]
  readonly pos: TestPos
}

export interface TestFile {
  /** As given on the command line. */
  readonly file: string
  /** Absolute path. */
  readonly path: string
  /** The pipeline under test: as written and absolute. */
  readonly pipeline: { readonly path: string; readonly file: string; readonly pos: TestPos }
  readonly cases: readonly TestCase[]
}
