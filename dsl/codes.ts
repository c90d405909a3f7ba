/**
 * The catalogue of diagnostic codes. Codes are stable (tests, docs and users' scripts match on them);
 * add new ones, never renumber. Grouped by compile stage: 0xx YAML, 01x templates, 02x schema shape,
 * 03x names and graph, 04x JSONata, 05x schema files, 06x Cassandra columns, 07x schedules.
 */
export const CODES = {
  /** YAML syntax error (bad indentation, tab indentation, unclosed quote...). */
  YAML_SYNTAX: 'RTDS001',
  /** The same key twice in one mapping. */
  YAML_DUPLICATE_KEY: 'RTDS002',
  /** The file cannot be read or is empty. */
  FILE_UNREADABLE: 'RTDS003',
  /** A file beyond a bound of `yaml-bounds.ts`: too large, nested too deep, too many aliases or aliases expanding too much. */
  YAML_LIMIT: 'RTDS004',
  /** A folder given on the command line that holds no pipeline file (`*.yaml`/`*.yml`, not `*.test.yaml`). */
  NO_PIPELINE_FILES: 'RTDS005',
  /** Handlebars syntax error inside a string value. */
  TEMPLATE_SYNTAX: 'RTDS010',
  /** `{{env.X}}` / `{{vars.y}}` (or any other path) that is not defined. */
  TEMPLATE_UNDEFINED: 'RTDS011',
  /** A helper that does not exist (only `default` and the Handlebars built-ins are available). */
  TEMPLATE_UNKNOWN_HELPER: 'RTDS012',
  /** A key the DSL does not know (`additionalProperties: false`). */
  UNKNOWN_KEY: 'RTDS020',
  /** A required key is missing. */
  MISSING_KEY: 'RTDS021',
  /** A value of the wrong type. */
  WRONG_TYPE: 'RTDS022',
  /** A value out of range, not one of the allowed values, or not matching the expected format. */
  INVALID_VALUE: 'RTDS023',
  /** A duration that does not parse (`500ms`, `10s`, `2m`, `1h`, `1d` or milliseconds). */
  INVALID_DURATION: 'RTDS024',
  /** A size that does not parse (`512kb`, `1mb` or bytes). */
  INVALID_SIZE: 'RTDS025',
  /** Two sources/topics/stages/tables with the same name (names are shared across kinds). */
  DUPLICATE_NAME: 'RTDS030',
  /** A `from`/`to` naming nothing that exists. */
  DANGLING_REFERENCE: 'RTDS031',
  /** A `from`/`to` in an impossible direction (writing a source, reading a Cassandra sink...). */
  INVALID_DIRECTION: 'RTDS032',
  /** The data flow has a cycle. */
  CYCLE: 'RTDS033',
  /** A source or table with zero or several connector blocks (`http`/`http_server`/`generate`, `postgres`/`cassandra`). */
  CONNECTOR_COUNT: 'RTDS034',
  /** A stage writes a topic that has no value schema. */
  TOPIC_WITHOUT_SCHEMA: 'RTDS035',
  /** A source, topic or table no stage reads or writes (warning). */
  UNUSED: 'RTDS036',
  /** A JSONata expression that does not compile. */
  JSONATA_SYNTAX: 'RTDS040',
  /** A transform file that does not exist or cannot be read. */
  TRANSFORM_FILE: 'RTDS041',
  /** A schema file that does not exist or cannot be read. */
  SCHEMA_FILE_MISSING: 'RTDS050',
  /** A schema file that is not valid Avro / JSON Schema (or not JSON). */
  SCHEMA_INVALID: 'RTDS051',
  /** A schema file with an extension other than `.avsc` / `.json`. */
  SCHEMA_FILE_TYPE: 'RTDS052',
  /** Cassandra columns cannot be derived from the row schema (unsupported Avro type). */
  COLUMNS_UNDERIVABLE: 'RTDS053',
  /** A Cassandra column that the stage's transform never fills. */
  COLUMN_NOT_FILLED: 'RTDS060',
  /** A transform output key that is not a column of the Cassandra table. */
  OUTPUT_NOT_COLUMN: 'RTDS061',
  /** A primary or clustering key column that is not a column. */
  KEY_NOT_COLUMN: 'RTDS062',
  /** A Cassandra table without `columns` and without `schema`. */
  NO_COLUMNS: 'RTDS063',
  /** A cron expression that does not parse. */
  INVALID_CRON: 'RTDS070',
  /** A schedule with both or neither of `cron` and `interval`. */
  SCHEDULE_CONFLICT: 'RTDS071',
  /** A pipeline without sources, stages and tables (a file cut to `pipeline: x`: nothing would run). */
  EMPTY_PIPELINE: 'RTDS037',
  /** An unknown IANA time zone. */
  INVALID_TIMEZONE: 'RTDS072',
} as const

export type DiagnosticCode = (typeof CODES)[keyof typeof CODES]
