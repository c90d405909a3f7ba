/**
 * The Postgres tables rtds owns. One definition, used by `rtds apply` (which creates them) and by the
 * runtime (staging outbox writer and relay, run history). Identifiers are validated and quoted here.
 */
import { RtdsError } from '../../core/errors.js'

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/

/** Quotes a Postgres identifier after checking it is a plain lower-case name. */
export function pgIdent(name: string): string {
  if (!IDENT.test(name)) {
    throw new RtdsError(`invalid Postgres identifier ${JSON.stringify(name)}`, {
      hint: 'use lower-case letters, digits and underscores, starting with a letter or underscore (max 63)',
    })
  }
  return `"${name}"`
}

/** `"schema"."table"`, both validated. */
export const pgQualified = (schema: string, table: string): string => `${pgIdent(schema)}.${pgIdent(table)}`

/**
 * A staging table is a transactional outbox: sources insert records in one transaction per batch;
 * the relay claims unpublished rows (`FOR UPDATE SKIP LOCKED`), produces them, then sets
 * `published_at`. `key` is the deterministic record key (the topic's key expression).
 */
export const STAGING_COLUMNS = {
  id: 'bigint',
  key: 'text',
  value: 'jsonb',
  origin: 'text',
  created_at: 'timestamp with time zone',
  published_at: 'timestamp with time zone',
  attempts: 'integer',
  last_error: 'text',
} as const

export function stagingTableDdl(schema: string, table: string): string[] {
  const q = pgQualified(schema, table)
  return [
    `CREATE SCHEMA IF NOT EXISTS ${pgIdent(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${q} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text,
  value jsonb NOT NULL,
  origin text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
)`,
    `CREATE INDEX IF NOT EXISTS ${pgIdent(`${table}_unpublished`)} ON ${q} (id) WHERE published_at IS NULL`,
  ]
}

/** rtds' own state, in schema `rtds`: apply history and scheduled-run history. */
export const STATE_SCHEMA = 'rtds'

export function stateTablesDdl(): string[] {
  const s = pgIdent(STATE_SCHEMA)
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}."applies" (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL,
  host text NOT NULL,
  files jsonb NOT NULL,
  plan_hash text NOT NULL,
  changes jsonb NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${s}."runs" (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline text NOT NULL,
  source text NOT NULL,
  trigger text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running',
  records integer NOT NULL DEFAULT 0,
  dead_lettered integer NOT NULL DEFAULT 0,
  error text
)`,
  ]
}
