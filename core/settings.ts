/**
 * Connection settings come from the environment, never from pipeline files, so one file runs in
 * every environment. Names and defaults are part of the public contract (README, docker-compose).
 */
export interface ConnectionSettings {
  readonly kafkaBrokers: readonly string[]
  readonly schemaRegistryUrl: string
  readonly databaseUrl: string
  readonly cassandraContactPoints: readonly string[]
  /** Local datacenter for cassandra-driver, default `datacenter1`. */
  readonly cassandraDatacenter: string
  readonly randomuserUrl: string
}

export const SETTING_DEFAULTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/rtds',
  CASSANDRA_CONTACT_POINTS: '127.0.0.1:9042',
  CASSANDRA_DATACENTER: 'datacenter1',
  RANDOMUSER_URL: 'https://randomuser.me/api/',
} as const

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean)

/** Reads the connection settings from `env` (default `process.env`), applying the defaults. */
export function connectionSettings(env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const get = (k: keyof typeof SETTING_DEFAULTS): string => env[k] || SETTING_DEFAULTS[k]
  return {
    kafkaBrokers: list(get('KAFKA_BROKERS')),
    schemaRegistryUrl: get('SCHEMA_REGISTRY_URL'),
    databaseUrl: get('DATABASE_URL'),
    cassandraContactPoints: list(get('CASSANDRA_CONTACT_POINTS')),
    cassandraDatacenter: get('CASSANDRA_DATACENTER'),
    randomuserUrl: get('RANDOMUSER_URL'),
  }
}

/** Replaces the password of a URL (`postgres://u:secret@h/db` → `postgres://u:***@h/db`) for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    for (const k of [...u.searchParams.keys()]) if (/pass|token|secret|key/i.test(k)) u.searchParams.set(k, '***')
    return u.toString()
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@')
  }
}
