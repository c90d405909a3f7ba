/**
 * `npm run bench:transform`: the jsonata interpreter vs the compiled fast path, in one process, on the
 * reference mapping (pipelines/transforms/created_user.jsonata) over 100,000 randomuser-shaped records
 * and on a few other typical pipeline expressions. Prints records/s per path and the ratio.
 * Records are generated deterministically (seeded), so runs are comparable.
 */
import { readFileSync } from 'node:fs'
import jsonata from 'jsonata'
import { compileTransform } from '../runner/transform/index.js'

const RECORDS = Number(process.env.BENCH_RECORDS || 100_000)
const PASSES = Number(process.env.BENCH_PASSES || 5)
/** BENCH_ONLY=fast skips the interpreter (for profiling the fast path). */
const ONLY_FAST = process.env.BENCH_ONLY === 'fast'

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIRST = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Mateo', 'Zoë', 'Jürgen', 'Aiko', 'Léa']
const LAST = ['Smith', 'García', 'Müller', 'Rossi', 'Dubois', 'Kowalski', 'Nguyen', 'Silva', 'Jensen', 'Novak']
const CITIES = ['Lyon', 'Leeds', 'Bergen', 'Porto', 'Graz', 'Tampere', 'Cork', 'Ghent']
const COUNTRIES = ['France', 'United Kingdom', 'Norway', 'Portugal', 'Austria', 'Finland', 'Ireland', 'Belgium']

function hex(r: () => number, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16)
  return s
}

/** One randomuser.me-shaped user. */
function user(r: () => number, i: number): Record<string, unknown> {
  const first = FIRST[Math.floor(r() * FIRST.length)]
  const last = LAST[Math.floor(r() * LAST.length)]
  const c = Math.floor(r() * CITIES.length)
  return {
    gender: r() < 0.5 ? 'female' : 'male',
    name: { title: r() < 0.5 ? 'Ms' : 'Mr', first, last },
    location: {
      street: { number: Math.floor(r() * 9999), name: `${LAST[Math.floor(r() * LAST.length)]} Street` },
      city: CITIES[c],
      state: CITIES[(c + 3) % CITIES.length],
      country: COUNTRIES[c],
      postcode: r() < 0.5 ? Math.floor(r() * 90000) + 10000 : `${hex(r, 3).toUpperCase()} ${Math.floor(r() * 9)}`,
      coordinates: { latitude: (r() * 180 - 90).toFixed(4), longitude: (r() * 360 - 180).toFixed(4) },
      timezone: { offset: '+1:00', description: 'Brussels, Copenhagen, Madrid, Paris' },
    },
    email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
    login: { uuid: `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`, username: `${first.toLowerCase()}${i}`, password: hex(r, 8), salt: hex(r, 8), md5: hex(r, 32) },
    dob: { date: new Date(Date.UTC(1950, 0, 1) + Math.floor(r() * 1.5e12)).toISOString(), age: 20 + Math.floor(r() * 60) },
    registered: { date: new Date(Date.UTC(2005, 0, 1) + Math.floor(r() * 5e11)).toISOString(), age: Math.floor(r() * 20) },
    phone: `0${Math.floor(r() * 9)}-${hex(r, 4)}-${hex(r, 4)}`,
    cell: `0${Math.floor(r() * 9)}-${hex(r, 4)}`,
    id: { name: 'INSEE', value: hex(r, 13) },
    picture: { large: `https://randomuser.me/api/portraits/women/${i % 100}.jpg`, medium: `https://randomuser.me/api/portraits/med/women/${i % 100}.jpg`, thumbnail: 'x' },
    nat: 'FR',
    orders: Array.from({ length: Math.floor(r() * 6) }, (_, k) => ({ sku: `SKU-${k}`, qty: 1 + Math.floor(r() * 4), price: Math.round(r() * 10000) / 100, status: r() < 0.7 ? 'paid' : 'open' })),
  }
}

const CASES: { name: string; expr: string }[] = [
  { name: 'reference mapping (created_user.jsonata)', expr: readFileSync(new URL('../pipelines/transforms/created_user.jsonata', import.meta.url), 'utf8') },
  { name: 'filter + map over an array', expr: 'orders[status = "paid" and qty > 1].{"sku": sku, "total": qty * price}' },
  { name: 'conditional with defaults', expr: '{"id": login.uuid, "tier": dob.age >= 65 ? "senior" : dob.age < 30 ? "young" : "adult", "nick": nickname ?? login.username, "cell": cell ?: "none", "country": location.country ? location.country : "unknown"}' },
  { name: 'string functions', expr: '{"name": $uppercase($substring(name.first, 0, 1)) & ". " & $trim(name.last), "domain": $substringAfter(email, "@"), "user": $lowercase($replace(login.username, "0", "o")), "zip": $pad($string(location.postcode), 8, "0"), "parts": $join($split(phone, "-"), "")}' },
  { name: 'aggregation ($sum/$map/$sort)', expr: '{"spent": $round($sum(orders.(qty * price)), 2), "skus": $sort(orders.sku), "n": $count(orders), "max": $max(orders.price)}' },
]

/** The reference mapping written by hand in JavaScript (the ceiling the fast path aims at). */
function handWritten(u: any): Record<string, unknown> {
  const l = u.location
  return {
    id: u.login.uuid, first_name: u.name.first, last_name: u.name.last, gender: u.gender,
    address: String(l.street.number) + ' ' + l.street.name + ', ' + l.city + ', ' + l.state + ', ' + l.country,
    post_code: String(l.postcode), email: u.email, username: u.login.username, dob: u.dob.date,
    registered_date: u.registered.date, phone: u.phone, picture: u.picture.medium,
  }
}

function timeHand(records: unknown[]): number {
  let best = Infinity
  for (let pass = 0; pass < PASSES; pass++) {
    const t0 = performance.now()
    for (const r of records) handWritten(r)
    best = Math.min(best, performance.now() - t0)
  }
  return best
}

/** Best of two passes (the first one also warms the interpreter up). */
async function timeInterpreter(expr: string, records: unknown[]): Promise<number> {
  const e = jsonata(expr)
  let best = Infinity
  for (let pass = 0; pass < 2; pass++) {
    const t0 = performance.now()
    for (const r of records) await e.evaluate(r)
    best = Math.min(best, performance.now() - t0)
  }
  return best
}

/** Best of several passes over all records (the machine is shared: the best pass is the least disturbed). */
function timeFast(expr: string, records: unknown[]): number {
  const t = compileTransform(expr)
  if (!t.fast) throw new Error(`not on the fast path: ${expr}`)
  for (let i = 0; i < Math.min(records.length, 20_000); i++) t.evaluate(records[i]) // warm-up
  let best = Infinity
  for (let pass = 0; pass < PASSES; pass++) {
    const t0 = performance.now()
    for (const r of records) t.evaluate(r)
    best = Math.min(best, performance.now() - t0)
  }
  return best
}

const rnd = prng(42)
const records = Array.from({ length: RECORDS }, (_, i) => user(rnd, i))
console.log(`bench:transform — ${RECORDS} randomuser-shaped records, node ${process.version}\n`)
const rate = (ms: number) => Math.round((RECORDS / ms) * 1000)
const fmt = (n: number) => n.toLocaleString('en-US').padStart(11)
console.log(`interpreter: best of 2 passes; fast path: best of ${PASSES} passes (after a warm-up)\n`)
console.log(`${'expression'.padEnd(42)} ${'interpreter rec/s'.padStart(17)} ${'fast path rec/s'.padStart(16)}   ratio`)
for (const c of CASES) {
  // both paths must agree on this data before we time them
  const t = compileTransform(c.expr)
  for (let i = 0; i < 200; i++) {
    const a = JSON.stringify(t.evaluate(records[i]))
    const b = JSON.stringify(await jsonata(c.expr).evaluate(records[i]))
    if (a !== b) throw new Error(`fast path and interpreter disagree on record ${i} for ${c.name}: ${a} vs ${b}`)
  }
  const slow = ONLY_FAST ? NaN : await timeInterpreter(c.expr, records)
  const fast = timeFast(c.expr, records)
  console.log(`${c.name.padEnd(42)} ${fmt(rate(slow)).padStart(17)} ${fmt(rate(fast)).padStart(16)}   ${(slow / fast).toFixed(1)}×`)
}
console.log(`\nreference mapping written by hand in JavaScript: ${fmt(rate(timeHand(records))).trim()} rec/s (best of ${PASSES})`)
