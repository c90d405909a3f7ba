/**
 * Registry subjects as resources of `rtds plan` / `rtds apply`, over the Confluent-compatible HTTP
 * API (Confluent Schema Registry, Apicurio's `/apis/ccompat/v7`): the latest version is compared
 * with the declared schema in normal form; a different schema is a new version whose verdict comes
 * from the registry's compatibility endpoint, and whose breaking fields rtds names itself.
 */
import { retry } from '../../core/retry.js'
import type { ConnectionSettings } from '../../core/settings.js'
import { redactUrl } from '../../core/settings.js'
import { ConnectionError, RtdsError } from '../../core/errors.js'
import type { Change, ChangeDetail, CompatibilityLevel, DesiredSubject, SchemaVerdict, Step } from '../resource-model.js'
import { avroFieldBreaks, breaksForLevel, canonicalSchemaText, formatBreak } from './schema-compat.js'
import { classifyRegistryError } from './client.js'
import type { ResourceType } from '../connector.js'
import type { DeclaredResource } from '../resource-model.js'

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/** The latest version of a subject. */
export interface LiveSubject {
  readonly version: number
  readonly id: number
  readonly schemaType: 'AVRO' | 'JSON' | string
  /** The schema document (parsed). */
  readonly schema: unknown
  /** Compatibility level in force for the subject (subject-level, else global). */
  readonly level: string
}

/** A small client of the Confluent-compatible registry API (credentials in the URL become basic auth, never printed). */
export class RegistryHttp {
  private readonly base: string
  private readonly auth?: string
  private readonly settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>
  private readonly attempts: number

  constructor(settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>, opts: { attempts?: number } = {}) {
    this.settings = settings
    this.attempts = opts.attempts ?? 3
    const u = new URL(settings.schemaRegistryUrl)
    if (u.username) this.auth = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')
    u.username = ''
    u.password = ''
    this.base = u.toString().replace(/\/$/, '')
  }

  /** One request; `undefined` on 404. Unreachable registries are retried with backoff, then a `ConnectionError`. */
  async request<T>(method: string, path: string, body?: unknown, what = 'schema registry request'): Promise<T | undefined> {
    const unavailable = (err: unknown): ConnectionError => {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      return new ConnectionError(`${what} failed: schema registry at ${redactUrl(this.settings.schemaRegistryUrl)} is unavailable (${cause?.code ?? cause?.message ?? (err as Error).message})`, {
        cause: err,
        hint: 'start the services with `npm run services:up`, or set SCHEMA_REGISTRY_URL',
      })
    }
    // unreachable, or a 5xx: retried with backoff; any other answer is final
    const res = await retry(async () => {
      let r: Response
      try {
        r = await fetch(this.base + path, {
          method,
          headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }), ...(this.auth ? { authorization: this.auth } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        })
      } catch (err) {
        throw unavailable(err)
      }
      if (r.status >= 500) throw new ServerAnswer(r.status, await r.text())
      return r
    }, { maxAttempts: this.attempts, initialDelayMs: 600, retriable: (e) => e instanceof ConnectionError || e instanceof ServerAnswer }).catch((e) => {
      if (e instanceof ServerAnswer) return e
      throw e
    })
    const status = res.status
    const text = res instanceof ServerAnswer ? res.text : await res.text()
    if (status === 404) return undefined
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : {}) as T
    let message = text
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text
    } catch {
      /* not JSON */
    }
    throw classifyRegistryError(Object.assign(new Error(message.slice(0, 500)), { status }), this.settings, what)
  }

  /** The latest version of `subject`, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<LiveSubject | undefined> {
    const s = encodeURIComponent(subject)
    const v = await this.request<{ version: number; id: number; schema: string; schemaType?: string }>('GET', `/subjects/${s}/versions/latest`, undefined, `reading subject ${subject}`)
    if (!v) return undefined
    return { version: v.version, id: v.id, schemaType: v.schemaType ?? 'AVRO', schema: JSON.parse(v.schema), level: await this.level(subject) }
  }

  /** Compatibility level in force for `subject` (its own, else the global one, else `BACKWARD`). */
  async level(subject: string): Promise<string> {
    const own = await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', `/config/${encodeURIComponent(subject)}`, undefined, `reading the compatibility of ${subject}`)
    const global = own ? undefined : await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', '/config', undefined, 'reading the global compatibility')
    const c = own ?? global
    return c?.compatibilityLevel ?? c?.compatibility ?? 'BACKWARD'
  }

  /** The registry's verdict on `schema` as the next version of `subject`. */
  async compatible(subject: string, schemaType: string, schema: string): Promise<{ compatible: boolean; messages: string[] }> {
    const r = await this.request<{ is_compatible: boolean; messages?: unknown }>(
      'POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`,
      { schema, schemaType }, `checking compatibility of ${subject}`,
    )
    if (!r) return { compatible: true, messages: [] }
    const messages = Array.isArray(r.messages) ? r.messages.map(String) : []
    return { compatible: r.is_compatible !== false, messages }
  }

  /** Sets the subject's compatibility level. */
  async setLevel(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level }, `setting the compatibility of ${subject}`)
  }

  /** Registers `schema` under `subject`; returns the schema id. */
  async register(subject: string, schemaType: string, schema: string): Promise<number> {
    const r = await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema, schemaType }, `registering a schema under ${subject}`)
    if (!r) throw new RtdsError(`registering a schema under ${subject} failed: the registry answered 404`)
    return r.id
  }
}

/**
 * Plans one subject: create (compatibility level + version 1), a compatibility-level change, and a
 * new version when the declared schema differs in normal form; a version the registry rejects is
 * `breaking`, with the fields that break it.
 */
export async function planSubject(d: DesiredSubject, reg: RegistryHttp, files: readonly string[]): Promise<Change> {
  const base = { kind: d.kind, name: d.name, destructive: false, files }
  const text = canonicalSchemaText(d.schema, d.schemaType)
  const live = await reg.latest(d.name)
  // registered as the runtime's codec sends it (compact JSON in file order), compared in normal form
  const register: Step = { op: 'registry.register', subject: d.name, schemaType: d.schemaType, schema: JSON.stringify(d.schema) }
  if (!live) {
    return {
      ...base, action: 'create', breaking: false, live: null,
      details: [{ attr: 'schema', to: d.path }, { attr: 'compatibility', to: d.compatibility }],
      steps: [{ op: 'registry.setCompatibility', subject: d.name, level: d.compatibility }, register],
    }
  }
  const liveText = canonicalSchemaText(live.schema, d.schemaType)
  const fingerprint = { version: live.version, schema: liveText, level: live.level }
  const details: ChangeDetail[] = []
  const steps: Step[] = []
  if (live.level !== d.compatibility) {
    details.push({ attr: 'compatibility', from: live.level, to: d.compatibility })
    steps.push({ op: 'registry.setCompatibility', subject: d.name, level: d.compatibility })
  }
  let verdict: SchemaVerdict | undefined
  if (liveText !== text) {
    const answer = await reg.compatible(d.name, d.schemaType, register.schema)
    const all = d.schemaType === 'AVRO' ? avroFieldBreaks(live.schema, d.schema) : []
    const relevant = breaksForLevel(all, live.level)
    const breakingFields = (answer.compatible ? [] : relevant.length ? relevant : all).map(formatBreak)
    verdict = { compatible: answer.compatible, level: live.level, messages: answer.messages, breakingFields }
    const version = `version ${live.version + 1} from ${d.path}`
    if (answer.compatible) {
      details.push({ attr: 'schema', from: `version ${live.version}`, to: version, note: `compatible (${live.level})` })
      steps.push(register)
    } else {
      details.push({ attr: 'schema', from: `version ${live.version}`, to: version, mark: '!!', note: `INCOMPATIBLE under ${live.level}` })
      for (const f of breakingFields) details.push({ attr: 'breaks', to: f, mark: '!!' })
      if (!breakingFields.length) for (const m of answer.messages.slice(0, 3)) details.push({ attr: 'registry', to: m, mark: '!!' })
      // registering an incompatible version needs the check off for that one registration
      const restore = d.compatibility
      steps.push({ op: 'registry.setCompatibility', subject: d.name, level: 'NONE' }, { ...register, breaking: true }, { op: 'registry.setCompatibility', subject: d.name, level: restore })
    }
  }
  const breaking = verdict ? !verdict.compatible : false
  return { ...base, action: steps.length ? 'update' : 'unchanged', breaking, details, steps, verdict, live: fingerprint }
}

/** Runs one registry step. */
export async function applySubjectStep(step: Step, reg: RegistryHttp): Promise<void> {
  if (step.op === 'registry.setCompatibility') await reg.setLevel(step.subject, step.level)
  else if (step.op === 'registry.register') await reg.register(step.subject, step.schemaType, step.schema)
  else throw new RtdsError(`not a registry step: ${step.op}`)
}

/** Registry subjects in `plan`/`apply` (a topic's value schema). */
export const registryResourceType: ResourceType = {
  kinds: ['registry_subject'],
  ops: ['registry.setCompatibility', 'registry.register'],
  async plan(declared, clients) {
    const out = new Map<DeclaredResource, Change>()
    for (const d of declared) if (d.resource.kind === 'registry_subject') out.set(d, await planSubject(d.resource, clients.registry(), d.files))
    return out
  },
  apply: (step, clients) => applySubjectStep(step, clients.registry()),
}

/** A 5xx answer of the registry (retried; the last one is reported like any other answer). */
class ServerAnswer extends Error {
  constructor(readonly status: number, readonly text: string) {
    super(`HTTP ${status}`)
  }
}
