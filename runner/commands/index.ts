/**
 * Every rtds command, registered explicitly (oclif "explicit" strategy: no manifest, no directory scan).
 * Add one line per command.
 */
import Graph from './graph.js'
import Plan from './plan.js'
import Apply from './apply.js'
import Validate from './validate.js'
import Test from './test.js'
import Run from './run.js'
import Dlq from './dlq.js'
import Status from './status.js'

export const COMMANDS = {
  validate: Validate,
  graph: Graph,
  plan: Plan,
  apply: Apply,
  test: Test,
  run: Run,
  dlq: Dlq,
  status: Status,
}
