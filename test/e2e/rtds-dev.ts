// The rtds CLI straight from the TypeScript sources (no `npm run build`): the e2e tests spawn
// `node --import tsx test/e2e/rtds-dev.ts <command> ...` so they always run the code under test.
import { flush, handle } from '@oclif/core'
import { COMMANDS } from '../../runner/commands/index.js'

const [id, ...argv] = process.argv.slice(2)
const Command = (COMMANDS as Record<string, { run(argv: string[], opts?: unknown): Promise<unknown> }>)[id]
if (!Command) {
  process.stderr.write(`unknown command ${id}\n`)
  process.exit(2)
}
try {
  await Command.run(argv, new URL('../../package.json', import.meta.url).pathname)
  await flush()
} catch (err) {
  await handle(err as Error)
}
