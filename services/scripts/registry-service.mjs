// Apicurio Registry 3.3 (Quarkus runnable archive from Maven Central) on 127.0.0.1:8081. Clients use
// its Confluent-compatible API at http://127.0.0.1:8081/apis/ccompat/v7. Storage: the machine's
// Postgres, database `apicurio_<checkout hash>` (REGISTRY_DATABASE), so schema ids survive restarts
// (Kafka keeps messages that carry them across restarts too; the default in-memory H2 would forget them).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureFetched, libDir } from './maven-fetch.mjs'
import { REGISTRY_DATABASE } from './postgres-service.mjs'
import { dataDir, marker, startDetached } from './process-control.mjs'

const NAME = 'registry'
const PORT = 8081
/** Base URL of the Confluent-compatible API (what SCHEMA_REGISTRY_URL defaults to). */
export const CCOMPAT_URL = `http://127.0.0.1:${PORT}/apis/ccompat/v7`
const dir = () => dataDir(NAME)
const JVM_ROOT = '/usr/lib/jvm'

/**
 * Apicurio 3.3 is compiled for Java 21: use RTDS_REGISTRY_JAVA, else the newest JDK >= 21 under
 * /usr/lib/jvm (this machine kind ships Temurin 25 beside the default OpenJDK 17).
 */
export function registryJava() {
  if (process.env.RTDS_REGISTRY_JAVA) return process.env.RTDS_REGISTRY_JAVA
  const found = (existsSync(JVM_ROOT) ? readdirSync(JVM_ROOT) : [])
    .map((d) => {
      try {
        const m = readFileSync(join(JVM_ROOT, d, 'release'), 'utf8').match(/^JAVA_VERSION="(\d+)/m)
        return { java: join(JVM_ROOT, d, 'bin', 'java'), major: m ? Number(m[1]) : 0 }
      } catch {
        return { java: '', major: 0 }
      }
    })
    .filter((j) => j.major >= 21 && existsSync(j.java))
    .sort((a, b) => b.major - a.major)
  if (!found.length) throw new Error(`the registry (Apicurio 3.3) needs Java 21 or newer: none found under ${JVM_ROOT}; set RTDS_REGISTRY_JAVA=/path/to/java`)
  return found[0].java
}

const CONFIG = {
  'quarkus.http.host': '127.0.0.1',
  'quarkus.http.port': String(PORT),
  'quarkus.management.host': '127.0.0.1',
  'quarkus.management.port': '9001',
  'quarkus.http.access-log.enabled': 'false',
  'quarkus.otel.enabled': 'false',
  'apicurio.storage.kind': 'sql',
  'apicurio.storage.sql.kind': 'postgresql',
  'apicurio.datasource.url': `jdbc:postgresql://127.0.0.1:5432/${REGISTRY_DATABASE}`,
  'apicurio.datasource.username': 'postgres',
  'apicurio.datasource.password': '', // trust auth on the local server
  'apicurio.datasource.jdbc.initial-size': '2',
  'apicurio.datasource.jdbc.min-size': '2',
  'apicurio.datasource.jdbc.max-size': '10',
  // Confluent semantics: the id of a schema is the id of its content (same schema, same id).
  'apicurio.ccompat.legacy-id-mode.enabled': 'false',
  // Confluent's default global compatibility is BACKWARD (Apicurio's is none): match Confluent.
  'apicurio.rules.global.compatibility': 'BACKWARD',
  // Clients may delete subjects (tests clean up; `rtds` plan/apply may replace).
  'apicurio.rest.deletion.artifact.enabled': 'true',
  'apicurio.rest.deletion.artifact-version.enabled': 'true',
  'apicurio.rest.deletion.group.enabled': 'true',
}

/** @type {import('./service-types.mjs').Service} */
export const registry = {
  name: NAME,
  address: CCOMPAT_URL,
  deadlineMs: 150_000,
  dependsOn: ['postgres'],
  get logFile() { return join(dir(), 'registry.log') },
  install: () => ensureFetched(NAME, 'unpack', join(dir(), 'maven.log')),
  start() {
    const props = Object.entries(CONFIG).map(([k, v]) => `-D${k}=${v}`)
    return startDetached(NAME, registryJava(), [
      marker(NAME), '-Xms64m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Xss512k',
      '-Djava.util.logging.manager=org.jboss.logmanager.LogManager', ...props,
      '-jar', join(libDir(NAME), 'quarkus-run.jar'),
    ], { logFile: this.logFile, cwd: dir() })
  },
  /** Ready when GET /subjects of the ccompat API answers 200. */
  async probe() {
    const res = await fetch(`${CCOMPAT_URL}/subjects`, { signal: AbortSignal.timeout(3000) })
    if (res.status !== 200) throw new Error(`GET /apis/ccompat/v7/subjects answered ${res.status}`)
    const subjects = await res.json()
    return `ccompat API, ${subjects.length} subject(s)`
  },
}
