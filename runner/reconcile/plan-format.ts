/**
 * The human-readable plan, Terraform-like: one block per resource in dependency order,
 * `+` create, `~` update, `-/+` replace (destroy and re-create), `-` destroy, `!` impossible,
 * `!!` breaking, `=` unchanged (only with `verbose`), then the summary line and the plan hash.
 * Pure; secrets never reach it (plans hold no credentials).
 */
import type { Change, ChangeDetail, Plan } from '../../connectors/resource-model.js'

/** Options of {@link formatPlan}. */
export interface FormatOptions {
  /** List unchanged resources too. */
  readonly verbose?: boolean
}

const SYMBOL: Record<Change['action'], string> = {
  create: '+',
  update: '~',
  unchanged: '=',
  replace: '-/+',
  destroy: '-',
  impossible: '!',
}

/** The symbol of a change (`!!` for a breaking update). */
export const changeSymbol = (c: Change): string => (c.breaking ? '!!' : SYMBOL[c.action])

function title(c: Change): string {
  const notes: string[] = []
  if (c.action === 'replace') notes.push('destroy and re-create: needs --allow-destroy')
  else if (c.destructive) notes.push('destructive: needs --allow-destroy')
  if (c.action === 'impossible') notes.push('impossible')
  if (c.breaking) notes.push('BREAKING: needs --allow-breaking')
  return `${changeSymbol(c).padStart(3)} ${c.kind} ${c.name}${notes.length ? `  (${notes.join('; ')})` : ''}`
}

function detail(d: ChangeDetail, create: boolean): string {
  const sym = d.mark ?? (d.from === undefined ? '+' : d.to === undefined ? '-' : '~')
  let value: string
  if (d.from !== undefined && d.to !== undefined) value = `${d.from} → ${d.to}`
  else value = d.to ?? d.from ?? ''
  const line = create ? `${d.attr} = ${value}` : `${d.attr}: ${value}`
  return `     ${sym.padStart(2)} ${line}${d.note ? `  (${d.note})` : ''}`
}

/** The plan as text, ending with a newline. */
export function formatPlan(plan: Plan, opts: FormatOptions = {}): string {
  const lines: string[] = []
  const shown = plan.changes.filter((c) => opts.verbose || c.action !== 'unchanged')
  for (const c of shown) {
    lines.push(title(c))
    if (c.action !== 'unchanged') for (const d of c.details) lines.push(detail(d, c.action === 'create'))
  }
  const s = plan.summary
  if (!shown.some((c) => c.action !== 'unchanged')) {
    if (shown.length) lines.push('')
    lines.push(`No changes. The live systems match the files (${s.unchanged} resources).`)
  } else {
    lines.push('')
    if (s.unchanged && !opts.verbose) lines.push(`${s.unchanged} unchanged (--verbose lists them).`)
    if (s.breaking) lines.push(`${s.breaking} breaking schema change${s.breaking > 1 ? 's' : ''} (!!): consumers of the old schema may fail.`)
    lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.destroy} to destroy, ${s.impossible} impossible.`)
  }
  lines.push(`Plan hash: ${plan.hash}`)
  return lines.join('\n') + '\n'
}

/** The plan as the `--json` document (stable field order). */
export function planJson(plan: Plan): unknown {
  return {
    hash: plan.hash,
    summary: plan.summary,
    changes: plan.changes.map((c) => ({
      kind: c.kind,
      name: c.name,
      action: c.action,
      symbol: changeSymbol(c),
      destructive: c.destructive,
      breaking: c.breaking,
      ...(c.verdict ? { verdict: c.verdict } : {}),
      details: c.details,
      steps: c.steps,
      files: c.files,
    })),
  }
}
