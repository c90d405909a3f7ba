/**
 * Raw HTTP ceiling: what this machine answers with node:http alone and the bench's own load
 * generator — a server in a child process that reads each POSTed body, parses the JSON and answers
 * 202, with no validation and no database. The API's speed is read against it (the generator and
 * the server share the same cores as everything else).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { httpLoad, type LoadResult } from '../load/http-load.js'

const SERVER = `
const http = require('node:http')
const s = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (d) => chunks.push(d))
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    const text = JSON.stringify({ accepted: Array.isArray(body) ? body.length : 1 })
    res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  })
})
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'))
`

/** Requests/s (and latencies) of the trivial server at `connections`, sending `bodies` for up to `maxMs`. */
export async function httpCeiling(bodies: readonly string[], connections: number, maxMs: number): Promise<LoadResult> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
    const port = Number(chunk.toString().trim())
    return await httpLoad({ url: `http://127.0.0.1:${port}/api/data`, connections, bodies, maxMs })
  } finally {
    child.kill()
  }
}
