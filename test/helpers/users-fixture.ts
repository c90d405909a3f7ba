/**
 * Test fixtures for the engine: randomuser-shaped users (generated and hand-made edge cases), the
 * expected `created_users` row computed independently of JSONata, and a local HTTP server serving
 * randomuser pages (`?results=N`) from a list of users.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateUser } from '../../connectors/generate/randomuser-generate.js'

type User = Record<string, any>

/** The row the reference transform makes of `u` (written by hand, not with JSONata). */
export function expectedRow(u: User): Record<string, string> {
  const l = u.location
  return {
    id: u.login.uuid,
    first_name: u.name.first,
    last_name: u.name.last,
    gender: u.gender,
    address: `${l.street.number} ${l.street.name}, ${l.city}, ${l.state}, ${l.country}`,
    post_code: String(l.postcode),
    email: u.email,
    username: u.login.username,
    dob: u.dob.date,
    registered_date: u.registered.date,
    phone: u.phone,
    picture: u.picture.medium,
  }
}

/** A user with a numeric postcode and a non-ASCII name. */
export function numericPostcodeUser(): User {
  const u = structuredClone(generateUser(99, 0)) as User
  u.name = { title: 'Mr', first: 'Jürgen', last: 'Ødegård' }
  u.location.postcode = 50667
  u.login.uuid = '1b4e28ba-2fa1-41d2-883f-0016d3cca427'
  return u
}

/** A user with a string postcode and a non-Latin name. */
export function stringPostcodeUser(): User {
  const u = structuredClone(generateUser(99, 1)) as User
  u.name = { title: 'Ms', first: 'Оксана', last: 'Шевченко' }
  u.location.postcode = 'EC1A 1BB'
  u.login.uuid = '6fa459ea-ee8a-4ca4-894e-db77e160355e'
  return u
}

/** A user lacking `email` (required by the reference Spark schema): must be dead-lettered. */
export function userWithoutEmail(): User {
  const u = structuredClone(generateUser(99, 2)) as User
  delete u.email
  u.login.uuid = '0e7b1a4c-52f4-4c44-a0f5-3a3e3b0b9b11'
  return u
}

/** A local randomuser.me: pages of `results` users taken in order from `users` (then empty pages). */
export async function randomuserServer(users: readonly User[]): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  let next = 0
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('results') ?? 1)
    const page = users.slice(next, next + n)
    next += page.length
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ results: page, info: { seed: 'test', results: page.length, page: 1, version: '1.4' } }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/api/`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  }
}
