/**
 * Offline randomuser.me-shaped users from a seed. User `i` of seed `s` is always the same value
 * (its own PRNG stream is seeded by a SHA-256 of `(s, i)`), whatever the page size; its
 * `login.uuid` comes straight from that digest, so it is unique per `(s, i)`. Realistic: numeric AND
 * string postcodes (as randomuser sends them per country), non-ASCII names, a v4-format
 * `login.uuid`, ISO dates for dob/registered, picture URLs.
 */
import { createHash } from 'node:crypto'
import { mulberry32 } from '../../core/prng.js'

interface Nat {
  readonly nat: string
  readonly country: string
  readonly male: readonly string[]
  readonly female: readonly string[]
  readonly last: readonly string[]
  readonly streets: readonly string[]
  readonly cities: readonly [string, string][] // city, state
  /** Postcode: a number or a string, as randomuser sends it for that country. */
  postcode(r: () => number): number | string
  readonly phone: string // pattern, # = digit
}

const digits = (r: () => number, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('')
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
const letter = (r: () => number): string => String.fromCharCode(65 + Math.floor(r() * 26))

const NATS: readonly Nat[] = [
  { nat: 'US', country: 'United States', male: ['James', 'Brandon', 'Terry'], female: ['Emma', 'Olivia', 'Kelly'], last: ['Smith', 'Johnson', 'Walker'],
    streets: ['Oak Lawn Ave', 'Mill Road', 'Pecan Acres Ln'], cities: [['Seattle', 'Washington'], ['Austin', 'Texas']], postcode: (r) => int(r, 10000, 99999), phone: '(###) ###-####' },
  { nat: 'DE', country: 'Germany', male: ['Jürgen', 'Lukas', 'Björn'], female: ['Jördis', 'Hannelore', 'Käthe'], last: ['Müller', 'Schäfer', 'Groß'],
    streets: ['Schloßstraße', 'Bahnhofstraße', 'Mühlenweg'], cities: [['Köln', 'Nordrhein-Westfalen'], ['Lüneburg', 'Niedersachsen']], postcode: (r) => int(r, 10000, 99999), phone: '0###-#######' },
  { nat: 'FR', country: 'France', male: ['Gérard', 'Loïc', 'Noé'], female: ['Léa', 'Anaïs', 'Maëlys'], last: ['Lefèvre', 'Bézier', 'Rousseau'],
    streets: ['Rue de la Mairie', "Place de l'Église", 'Rue Pasteur'], cities: [['Besançon', 'Doubs'], ['Orléans', 'Loiret']], postcode: (r) => int(r, 10000, 95999), phone: '0#-##-##-##-##' },
  { nat: 'NO', country: 'Norway', male: ['Øyvind', 'Bjørn', 'Håkon'], female: ['Åse', 'Ingrid', 'Sølvi'], last: ['Ødegård', 'Haugen', 'Bråthen'],
    streets: ['Søndre gate', 'Kirkeveien', 'Ørnaveien'], cities: [['Tromsø', 'Troms'], ['Bærum', 'Akershus']], postcode: (r) => digits(r, 4), phone: '########' },
  { nat: 'GB', country: 'United Kingdom', male: ['Oliver', 'Harry', 'Callum'], female: ['Amelia', 'Isla', 'Niamh'], last: ["O'Brien", 'Taylor', 'Davies'],
    streets: ['Church Lane', 'High Street', 'Victoria Road'], cities: [['Leeds', 'West Yorkshire'], ['Bath', 'Somerset']],
    postcode: (r) => `${letter(r)}${letter(r)}${int(r, 1, 9)} ${int(r, 1, 9)}${letter(r)}${letter(r)}`, phone: '0##### ######' },
  { nat: 'CA', country: 'Canada', male: ['Liam', 'Félix', 'Noah'], female: ['Chloé', 'Zoé', 'Madison'], last: ['Tremblay', 'Gagnon', 'Côté'],
    streets: ['Parliament St', 'Dufferin St', 'Rue Saint-Denis'], cities: [['Montréal', 'Québec'], ['Toronto', 'Ontario']],
    postcode: (r) => `${letter(r)}${int(r, 0, 9)}${letter(r)} ${int(r, 0, 9)}${letter(r)}${int(r, 0, 9)}`, phone: '###-###-####' },
  { nat: 'ES', country: 'Spain', male: ['José', 'Álvaro', 'Iñigo'], female: ['María', 'Begoña', 'Inés'], last: ['Muñoz', 'Peña', 'Ibáñez'],
    streets: ['Calle de Segovia', 'Avenida de Andalucía', 'Calle Mayor'], cities: [['Málaga', 'Andalucía'], ['Córdoba', 'Andalucía']], postcode: (r) => int(r, 10000, 52999), phone: '9##-###-###' },
  { nat: 'TR', country: 'Turkey', male: ['Çağlar', 'Ömer', 'Doğan'], female: ['Gülşen', 'Şebnem', 'İpek'], last: ['Öztürk', 'Yıldız', 'Çelik'],
    streets: ['Atatürk Sk', 'Bağdat Cd', 'Talak Göktepe Cd'], cities: [['İstanbul', 'İstanbul'], ['Eskişehir', 'Eskişehir']], postcode: (r) => int(r, 10000, 99999), phone: '(###)-###-####' },
  { nat: 'UA', country: 'Ukraine', male: ['Олексій', 'Богдан', 'Ярослав'], female: ['Оксана', 'Вікторія', 'Ганна'], last: ['Шевченко', 'Коваленко', 'Бондар'],
    streets: ['Хрещатик', 'вулиця Франка', 'Садова'], cities: [['Київ', 'Київська'], ['Львів', 'Львівська']], postcode: (r) => int(r, 10000, 99999), phone: '(0##) ###-####' },
  { nat: 'NL', country: 'Netherlands', male: ['Daan', 'Sjoerd', 'Thijs'], female: ['Fenna', 'Lotte', 'Noëlle'], last: ['van der Berg', 'de Vries', 'Jansen'],
    streets: ['Kerkstraat', 'Dorpsstraat', 'Molenweg'], cities: [['Utrecht', 'Utrecht'], ["'s-Hertogenbosch", 'Noord-Brabant']],
    postcode: (r) => `${int(r, 1000, 9999)} ${letter(r)}${letter(r)}`, phone: '(0###) ######' },
]

function fmt(pattern: string, r: () => number): string {
  return pattern.replace(/#/g, () => String(Math.floor(r() * 10)))
}

/** A v4-format uuid from 16 bytes of the user's own digest: unique per (seed, index), unlike the 32-bit PRNG state. */
function uuidV4(digest: Buffer): string {
  const b = [...digest.subarray(16, 32)]
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** ASCII-only lower-case handle from a possibly non-ASCII name (`Jürgen` → `jurgen`). */
function ascii(s: string): string {
  return s.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/[^a-zA-Z]/g, '').toLowerCase()
}

const WORDS = ['happy', 'silver', 'lazy', 'brown', 'purple', 'tiny', 'heavy', 'crazy', 'organic', 'red']
const ANIMALS = ['tiger', 'koala', 'swan', 'lion', 'duck', 'rabbit', 'frog', 'bear', 'wolf', 'goose']
/** Reference "now" for ages: fixed so the output does not depend on the clock. */
const NOW = Date.UTC(2026, 0, 1)
const YEAR_MS = 365.25 * 24 * 3600 * 1000

/** User number `index` of `seed`: a randomuser.me-shaped object. */
export function generateUser(seed: number, index: number): Record<string, unknown> {
  const h = createHash('sha256').update(`${seed}:${index}`).digest()
  const r = mulberry32(h.readUInt32LE(0))
  const nat = pick(r, NATS)
  const gender = r() < 0.5 ? 'male' : 'female'
  const first = pick(r, gender === 'male' ? nat.male : nat.female)
  const last = pick(r, nat.last)
  const [city, state] = pick(r, nat.cities)
  const dob = new Date(NOW - (18 + r() * 60) * YEAR_MS)
  const registered = new Date(NOW - (0.5 + r() * 20) * YEAR_MS)
  const username = `${pick(r, WORDS)}${pick(r, ANIMALS)}${int(r, 100, 999)}`
  const pictureId = int(r, 0, 99)
  const folder = gender === 'male' ? 'men' : 'women'
  return {
    gender,
    name: { title: gender === 'male' ? 'Mr' : pick(r, ['Ms', 'Mrs', 'Miss']), first, last },
    location: {
      street: { number: int(r, 1, 9999), name: pick(r, nat.streets) },
      city,
      state,
      country: nat.country,
      postcode: nat.postcode(r),
      coordinates: { latitude: (r() * 180 - 90).toFixed(4), longitude: (r() * 360 - 180).toFixed(4) },
      timezone: { offset: pick(r, ['-5:00', '+1:00', '+2:00', '0:00']), description: 'Generated' },
    },
    email: ascii(first) && ascii(last) ? `${ascii(first)}.${ascii(last)}@example.com` : `${username}@example.com`,
    login: { uuid: uuidV4(h), username, password: pick(r, WORDS), salt: digits(r, 8), md5: digits(r, 32), sha1: digits(r, 40), sha256: digits(r, 64) },
    dob: { date: dob.toISOString(), age: Math.floor((NOW - dob.getTime()) / YEAR_MS) },
    registered: { date: registered.toISOString(), age: Math.floor((NOW - registered.getTime()) / YEAR_MS) },
    phone: fmt(nat.phone, r),
    cell: fmt(nat.phone, r),
    id: { name: nat.nat === 'US' ? 'SSN' : '', value: nat.nat === 'US' ? fmt('###-##-####', r) : null },
    picture: {
      large: `https://randomuser.me/api/portraits/${folder}/${pictureId}.jpg`,
      medium: `https://randomuser.me/api/portraits/med/${folder}/${pictureId}.jpg`,
      thumbnail: `https://randomuser.me/api/portraits/thumb/${folder}/${pictureId}.jpg`,
    },
    nat: nat.nat,
  }
}

/** Users `start .. start+count-1` of `seed`. */
export function generateUsers(seed: number, count: number, start = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => generateUser(seed, start + i))
}
