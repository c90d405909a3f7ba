/**
 * Runs `rtds plan` / `rtds apply` from the TypeScript sources (no build needed) with the exit code
 * the CLI would give: `node --import tsx test/integration/plan-apply-cli.ts apply <files> [flags]`.
 */
import Plan from '../../runner/commands/plan.js'
import Apply from '../../runner/commands/apply.js'
import { REPO_ROOT } from '../helpers/golden.js'

const [cmd, ...argv] = process.argv.slice(2)
const Command = cmd === 'plan' ? Plan : cmd === 'apply' ? Apply : undefined
if (!Command) {
  process.stderr.write('usage: plan-apply-cli.ts plan|apply [args]\n')
  process.exit(2)
}
try {
  await Command.run(argv, REPO_ROOT)
} catch (err) {
  const exit = (err as { oclif?: { exit?: number } }).oclif?.exit
  if (exit === undefined) throw err
  process.exitCode = exit
}
