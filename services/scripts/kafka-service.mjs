// Apache Kafka 3.9 (KRaft, one node: broker + controller) on 127.0.0.1:9092, from Maven Central jars.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { ensureFetched, libDir } from './maven-fetch.mjs'
import { JAVA, SERVICES_DIR, dataDir, marker, startDetached } from './process-control.mjs'

const NAME = 'kafka'
const dir = () => dataDir(NAME)
const log4j = join(SERVICES_DIR, 'kafka', 'log4j.properties')

/** Writes services/.data/kafka/server.properties from the template and formats storage once. */
function prepare() {
  const d = dir()
  const props = readFileSync(join(SERVICES_DIR, 'kafka', 'server.properties'), 'utf8').replaceAll('${DATA}', d)
  writeFileSync(join(d, 'server.properties'), props)
  if (existsSync(join(d, 'kraft-logs', 'meta.properties'))) return
  const clusterId = randomBytes(16).toString('base64url') // what `kafka-storage random-uuid` prints
  const r = spawnSync(JAVA, [
    `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${d}`, '-cp', `${libDir(NAME)}/*`,
    'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(d, 'server.properties'), '--ignore-formatted',
  ], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`kafka storage format failed (exit ${r.status}):\n${r.stdout}${r.stderr}`)
}

/** @type {import('./service-types.mjs').Service} */
export const kafka = {
  name: NAME,
  address: '127.0.0.1:9092',
  deadlineMs: 90_000,
  get logFile() { return join(dir(), 'server.log') },
  get stdoutFile() { return join(dir(), 'stdout.log') },
  install: () => ensureFetched(NAME, 'copy', join(dir(), 'maven.log')),
  start() {
    prepare()
    return startDetached(NAME, JAVA, [
      marker(NAME), '-Xms512m', '-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Xss512k',
      '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${dir()}`,
      '-cp', `${libDir(NAME)}/*`, 'kafka.Kafka', join(dir(), 'server.properties'),
    ], { logFile: this.stdoutFile })
  },
  /** Ready when the admin API answers describeCluster (an open port is not enough). */
  async probe() {
    const { Kafka, logLevel } = (await import('kafkajs')).default
    const admin = new Kafka({
      clientId: 'rtds-services-probe', brokers: [this.address], logLevel: logLevel.NOTHING,
      connectionTimeout: 1500, requestTimeout: 3000, retry: { retries: 0 },
    }).admin()
    try {
      await admin.connect()
      const c = await admin.describeCluster()
      return `cluster ${c.clusterId}, ${c.brokers.length} broker(s)`
    } finally {
      await admin.disconnect().catch(() => {})
    }
  },
}
