import type { Diagnostic } from '../../dsl/diagnostic.js'
import type { PipelineSpec } from '../../dsl/spec.js'
import { TEST_CODES } from './test-codes.js'
import type { ExpectTarget, InputTarget, TestCase, TestPos } from './test-file-types.js'

const listOf = (names: readonly string[]): string => (names.length ? names.join(', ') : '(none)')

/** The name a `dlq:` expectation reads: `users_created` and `users_created.dlq` both mean topic `users_created.dlq`. */
export function dlqTopicOf(name: string): string {
  return name.endsWith('.dlq') ? name : `${name}.dlq`
}

function names(spec: PipelineSpec, kind: InputTarget['kind'] | ExpectTarget['kind']): string[] {
  switch (kind) {
    case 'source': return Object.keys(spec.sources)
    case 'topic': return Object.keys(spec.topics)
    case 'table': return Object.keys(spec.tables)
    case 'stage': return Object.keys(spec.stages)
    case 'dlq': return Object.keys(spec.topics)
  }
}

/**
 * Checks that every input and expectation of a case names something the pipeline declares; a
 * dangling name lists the names that exist.
 */
export function checkTargets(c: TestCase, spec: PipelineSpec): Diagnostic[] {
  const out: Diagnostic[] = []
  const report = (code: string, pos: TestPos, kind: string, name: string, existing: string[]): void => {
    out.push({
      code, severity: 'error', file: pos.file, line: pos.line, col: pos.col,
      message: `${kind} "${name}" is not declared by pipeline ${spec.pipeline} (case "${c.name}")`,
      hint: `${kind === 'dlq' ? 'topics' : `${kind}s`} of ${spec.file}: ${listOf(existing)}`,
    })
  }
  for (const i of c.inputs) {
    const existing = names(spec, i.target.kind)
    if (!existing.includes(i.target.name)) report(TEST_CODES.unknownInput, i.pos, i.target.kind, i.target.name, existing)
  }
  for (const e of c.expect) {
    const existing = names(spec, e.target.kind)
    const name = e.target.kind === 'dlq' ? e.target.name.replace(/\.dlq$/, '') : e.target.name
    if (!existing.includes(name)) report(TEST_CODES.unknownExpect, e.pos, e.target.kind, e.target.name, existing)
  }
  return out
}
