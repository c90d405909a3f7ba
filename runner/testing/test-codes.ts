/**
 * Diagnostic codes of pipeline test files (`rtds test`). The 8xx range is reserved for them so they
 * never collide with the DSL's catalogue (`dsl/codes.ts`).
 */
export const TEST_CODES = {
  /** The test file is not valid YAML. */
  syntax: 'RTDS801',
  /** The test file does not match schemas/pipeline-test.schema.json (unknown key, wrong type, missing key). */
  schema: 'RTDS802',
  /** The pipeline under test is missing or invalid. */
  pipeline: 'RTDS803',
  /** An input names a source, topic or table the pipeline does not declare. */
  unknownInput: 'RTDS804',
  /** An expectation names a stage, topic or table the pipeline does not declare. */
  unknownExpect: 'RTDS805',
  /** A referenced JSON file (`file:` of an input, `golden:`) is missing or not valid JSON. */
  file: 'RTDS806',
  /** A key that must be given exactly once (target, records/file, records/count/golden) is missing or repeated. */
  exactlyOne: 'RTDS807',
  /** Two cases of one file have the same name. */
  duplicateCase: 'RTDS808',
} as const
