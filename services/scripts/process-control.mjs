// Process bookkeeping for the local servers: pid files under services/.data/<server>/, detached
// starts with output to a log file, and stops that signal ONLY the pid we recorded (and only when
// that pid still is our process: its command line carries `-Drtds.service=<server>`).
import { spawn } from 'node:child_process'
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Absolute path of the `services/` folder. */
export const SERVICES_DIR = fileURLToPath(new URL('..', import.meta.url))
/** Absolute path of the git-ignored runtime folder `services/.data/`. */
export const DATA_DIR = join(SERVICES_DIR, '.data')
/** The JDK the servers run on (Cassandra 5.0 needs 17; JAVA_HOME may point elsewhere). */
export const JAVA = process.env.RTDS_JAVA || '/usr/lib/jvm/java-17-openjdk-amd64/bin/java'

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** `services/.data/<name>/`, created on demand. */
export function dataDir(name) {
  const d = join(DATA_DIR, name)
  mkdirSync(d, { recursive: true })
  return d
}

/** The JVM flag that marks a process as ours; `down` checks it before signalling a pid. */
export const marker = (name) => `-Drtds.service=${name}`

const pidFile = (name) => join(DATA_DIR, name, 'pid')

/** Pid recorded for `name`, or undefined. */
export function readPid(name) {
  try {
    const n = Number(readFileSync(pidFile(name), 'utf8').trim())
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

/** True when `pid` is alive and its command line carries our marker for `name` (guards against pid reuse). */
export function isOurs(pid, name) {
  if (!pid) return false
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    if (!cmd.includes(marker(name))) return false
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) Z /.test(stat) // a zombie is not running
  } catch {
    return false
  }
}

/** The recorded pid of `name` if that process is still ours and alive; clears a stale pid file. */
export function runningPid(name) {
  const pid = readPid(name)
  if (pid && isOurs(pid, name)) return pid
  if (pid) rmSync(pidFile(name), { force: true })
  return undefined
}

/**
 * Starts `cmd args` detached (own process group, survives this script), stdout+stderr appended to
 * `logFile`, and records its pid. Returns the pid.
 */
export function startDetached(name, cmd, args, { logFile, env, cwd }) {
  const fd = openSync(logFile, 'a')
  try {
    const child = spawn(cmd, args, { cwd: cwd ?? SERVICES_DIR, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', fd, fd] })
    child.unref()
    writeFileSync(pidFile(name), `${child.pid}\n`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** Sends TERM to our recorded pid, KILL after `graceMs`; removes the pid file. Returns what happened. */
export async function stopPid(name, graceMs = 20_000) {
  const pid = readPid(name)
  if (!pid || !isOurs(pid, name)) {
    rmSync(pidFile(name), { force: true })
    return pid ? `stale pid ${pid} (not ours any more), nothing to stop` : 'not running'
  }
  process.kill(pid, 'SIGTERM')
  const until = Date.now() + graceMs
  while (Date.now() < until && isOurs(pid, name)) await sleep(200)
  let how = 'stopped (TERM)'
  if (isOurs(pid, name)) {
    process.kill(pid, 'SIGKILL')
    how = `killed (no exit ${graceMs / 1000}s after TERM)`
    for (let i = 0; i < 50 && isOurs(pid, name); i++) await sleep(100)
  }
  rmSync(pidFile(name), { force: true })
  return `${how}, pid ${pid}`
}

/** Size of a file in bytes (0 when missing): where a log stood before a start. */
export function fileSize(file) {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/**
 * Last `lines` lines of a log file ('' when missing), only from byte `from` on (what a start
 * wrote). Reads at most the last 64 KiB.
 */
export function tailFile(file, lines = 30, from = 0) {
  if (!existsSync(file)) return ''
  const fd = openSync(file, 'r')
  try {
    const size = fstatSync(fd).size
    const len = Math.max(0, Math.min(size - from, 65536))
    const buf = Buffer.alloc(len)
    readSync(fd, buf, 0, len, size - len)
    return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n')
  } finally {
    closeSync(fd)
  }
}

/** Resident set size of a pid in MiB (from /proc), or undefined. */
export function rssMiB(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
    return m ? Math.round(Number(m[1]) / 1024) : undefined
  } catch {
    return undefined
  }
}

/**
 * A cross-process lock file (O_EXCL) so two concurrent `up`s do not start two brokers. Waits while
 * another live process holds it; a lock left by a dead process is taken over.
 */
export async function withLock(file, fn, waitMs = 15 * 60_000) {
  const until = Date.now() + waitMs
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' })
      break
    } catch (e) {
      if (e.code !== 'EEXIST') throw e
      const holder = Number(readFileSync(file, 'utf8').trim() || 0)
      let alive = false
      try { if (holder > 0) { process.kill(holder, 0); alive = true } } catch { /* dead holder */ }
      if (!alive) { rmSync(file, { force: true }); continue }
      if (Date.now() > until) throw new Error(`another rtds-services (pid ${holder}) holds ${file}`)
      await sleep(500)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(file, { force: true })
  }
}
