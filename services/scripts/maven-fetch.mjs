// Fetches a server's jars from Maven Central through Maven (`services/<server>/pom.xml`) into the
// git-ignored `services/<server>/lib/`. A `.complete` stamp (the pom's hash) marks a finished fetch,
// so an interrupted fetch or a changed pom fetches again.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SERVICES_DIR } from './process-control.mjs'

/** Maven 3.8's default dependency plugin is old: always name this one. */
const DEP_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1'

/** Absolute `services/<server>/lib/`. */
export const libDir = (server) => join(SERVICES_DIR, server, 'lib')

function pomHash(server) {
  return createHash('sha256').update(readFileSync(join(SERVICES_DIR, server, 'pom.xml'))).digest('hex').slice(0, 16)
}

/** True when `services/<server>/lib/` holds a complete fetch of the current pom. */
export function isFetched(server) {
  const stamp = join(libDir(server), '.complete')
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pomHash(server)
}

function run(cmd, args, logFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: SERVICES_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message} (is Maven installed? apt-get install maven)`)))
    child.on('close', (code) => {
      writeFileSync(logFile, out)
      if (code === 0) resolve()
      else reject(new Error(`${cmd} ${args.slice(0, 4).join(' ')} … exited ${code}; see ${logFile}:\n${out.split('\n').filter((l) => /ERROR/.test(l)).slice(0, 8).join('\n')}`))
    })
  })
}

// One Maven at a time: concurrent resolvers writing the same ~/.m2 race on partial downloads.
let queue = Promise.resolve()

/**
 * Makes sure `services/<server>/lib/` is complete; `mode` is `copy` (a classpath of jars) or
 * `unpack` (an archive unpacked in place). Returns true when it had to fetch.
 */
export function ensureFetched(server, mode, logFile) {
  const job = queue.then(async () => {
    if (isFetched(server)) return false
    const lib = libDir(server)
    rmSync(lib, { recursive: true, force: true })
    mkdirSync(lib, { recursive: true })
    const goal = mode === 'unpack' ? 'unpack-dependencies' : 'copy-dependencies'
    await run('mvn', [
      '-B', '-q', '-f', join(SERVICES_DIR, server, 'pom.xml'), `${DEP_PLUGIN}:${goal}`,
      '-DincludeScope=runtime', `-DoutputDirectory=${lib}`,
      `-DmarkersDirectory=${join(lib, '.markers')}`, // keep Maven's bookkeeping out of the tree
    ], logFile)
    rmSync(join(SERVICES_DIR, server, 'target'), { recursive: true, force: true })
    writeFileSync(join(lib, '.complete'), `${pomHash(server)}\n`)
    return true
  })
  queue = job.catch(() => {})
  return job
}
