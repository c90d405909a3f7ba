// Shape shared by the server modules (documentation only: this folder is plain JavaScript).

/**
 * @typedef {object} Service
 * @property {string} name            short name used by --only, pid files and messages
 * @property {string} address         where clients reach it
 * @property {number} deadlineMs      how long `up` waits for readiness after starting it
 * @property {string} logFile         the server's main log
 * @property {string} [stdoutFile]    its captured stdout/stderr
 * @property {string[]} [dependsOn]   servers that must be healthy before this one starts
 * @property {boolean} [external]     true when we do not own a pid (the machine's Postgres)
 * @property {() => Promise<boolean>} [install]   fetches jars when missing; true when it fetched
 * @property {() => number | Promise<number | undefined>} start  starts it; returns the pid (or undefined)
 * @property {() => Promise<string>} probe        one real request; resolves with a short description, rejects when not healthy
 * @property {() => Promise<string>} [stop]       custom stop (external servers)
 */
export {}
