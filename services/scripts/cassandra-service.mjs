// Apache Cassandra 5.0 (one node, `cassandra-all` from Maven Central) on 127.0.0.1:9042, Java 17.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureFetched, libDir } from './maven-fetch.mjs'
import { JAVA, SERVICES_DIR, dataDir, marker, startDetached } from './process-control.mjs'

const NAME = 'cassandra'
const dir = () => dataDir(NAME)
const conf = (f) => join(SERVICES_DIR, 'cassandra', f)

/** JVM options from services/cassandra/jvm17.options (one per line, `#` comments). */
function jvmOptions() {
  return readFileSync(conf('jvm17.options'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .flatMap((l) => (l.startsWith('--add-') ? l.split(/\s+/) : [l]))
}

/** @type {import('./service-types.mjs').Service} */
export const cassandra = {
  name: NAME,
  address: '127.0.0.1:9042',
  deadlineMs: 240_000,
  get logFile() { return join(dir(), 'logs', 'system.log') },
  get stdoutFile() { return join(dir(), 'stdout.log') },
  install: () => ensureFetched(NAME, 'copy', join(dir(), 'maven.log')),
  start() {
    const d = dir()
    writeFileSync(join(d, 'cassandra.yaml'), readFileSync(conf('cassandra.yaml'), 'utf8').replaceAll('${DATA}', d))
    const lib = libDir(NAME)
    const jamm = readdirSync(lib).find((f) => /^jamm-.*\.jar$/.test(f))
    if (!jamm) throw new Error(`no jamm-*.jar in ${lib}: delete ${lib} and run up again`)
    return startDetached(NAME, JAVA, [
      marker(NAME), '-Xms1g', '-Xmx1g', ...jvmOptions(), `-javaagent:${join(lib, jamm)}`,
      `-Dcassandra.config=file://${join(d, 'cassandra.yaml')}`, `-Dcassandra.storagedir=${d}`,
      `-Dcassandra.logdir=${join(d, 'logs')}`, `-Dcassandra.triggers_dir=${join(d, 'triggers')}`,
      `-Dlogback.configurationFile=${conf('logback.xml')}`,
      '-cp', `${lib}/*`, 'org.apache.cassandra.service.CassandraDaemon',
    ], { logFile: this.stdoutFile, env: { MALLOC_ARENA_MAX: '4' } })
  },
  /** Ready when cassandra-driver runs a query on system.local. */
  async probe() {
    const { Client } = (await import('cassandra-driver')).default
    const client = new Client({
      contactPoints: [this.address], localDataCenter: 'datacenter1',
      socketOptions: { connectTimeout: 2000, readTimeout: 4000 },
      pooling: { warmup: false }, queryOptions: { prepare: false },
    })
    try {
      await client.connect()
      const rs = await client.execute('SELECT release_version, data_center FROM system.local')
      return `Cassandra ${rs.first().release_version}, ${rs.first().data_center}`
    } finally {
      await client.shutdown().catch(() => {})
    }
  },
}
