/** The registry's health for probes: `GET /subjects` answers 200 (credentials in the URL stay out of messages). */
import type { ConnectionSettings } from '../../core/settings.js'
import type { ServerHealth } from '../connector.js'
import { probe } from '../observe.js'
import { RegistryHttp } from './subject-resource.js'

export async function probeRegistry(settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>): Promise<ServerHealth> {
  const reg = new RegistryHttp(settings, { attempts: 1 })
  return (await probe('registry', () => reg.request('GET', '/subjects', undefined, 'list registry subjects'))).health
}

/** The latest version of `subject` (undefined when it has none, or the registry does not answer). */
export async function subjectVersion(settings: Pick<ConnectionSettings, 'schemaRegistryUrl'>, subject: string): Promise<number | undefined> {
  const reg = new RegistryHttp(settings, { attempts: 1 })
  const r = await probe('registry', () => reg.request<{ version: number }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`, undefined, `read subject ${subject}`))
  return r.value?.version
}
