#!/usr/bin/env node
// The rtds CLI. `npm ci` builds dist/ through the `prepare` script; run `npm run build` after editing sources.
import { execute } from '@oclif/core'

await execute({ dir: import.meta.url })
