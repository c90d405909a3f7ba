/** Redaction of the secret fields declared by connector config specs (never printed). */
import { REDACTED } from '../core/redact.js'
import type { ConnectorConfigSpec } from './connector-config.js'

/** The mask printed instead of a secret. */
export const SECRET_MASK = REDACTED

/** Whether `path` (dotted, relative to the block of `connector`) is a secret field. */
export function isSecretPath(spec: ConnectorConfigSpec, path: string): boolean {
  const parts = path.split('.')
  return spec.secrets.some((s) => { const sp = s.split('.'); return sp.length === parts.length && sp.every((x, i) => x === '*' || x === parts[i]) })
}

/** A deep copy of a connector block with its secret fields replaced by `***`. */
export function redactConfig(connector: ConnectorConfigSpec, config: unknown, prefix = ''): unknown {
  if (Array.isArray(config)) return config.map((v, i) => redactConfig(connector, v, prefix ? `${prefix}.${i}` : String(i)))
  if (config && typeof config === 'object') {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k
      return [k, isSecretPath(connector, p) ? SECRET_MASK : redactConfig(connector, v, p)]
    }))
  }
  return config
}
