import { formatTestDiagnostic } from './text-reporter.js'
import { formatFailures } from '../diff-printer.js'
import { summarize, type CaseResult, type TestRunResult } from '../test-results.js'

/** Escapes text for an XML attribute or element, dropping characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

const secs = (ms: number): string => (ms / 1000).toFixed(3)

function testcase(c: CaseResult, classname: string): string {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(classname)}" file="${xmlEscape(c.pos.file)}" line="${c.pos.line}" time="${secs(c.durationMs)}"`
  if (c.status === 'pass') return `${open}/>`
  if (c.status === 'error') {
    const msg = c.error ?? 'error'
    return `${open}>\n      <error message="${xmlEscape(msg)}" type="error">${xmlEscape(`${c.pos.file}:${c.pos.line}:${c.pos.col} ${msg}`)}</error>\n    </testcase>`
  }
  const lines = formatFailures(c.failures, '')
  const first = lines[1]?.trim() ?? 'expectation failed'
  const body = [`${c.pos.file}:${c.pos.line}:${c.pos.col} ${c.name}`, ...lines].join('\n')
  return `${open}>\n      <failure message="${xmlEscape(first)}" type="mismatch">${xmlEscape(body)}</failure>\n    </testcase>`
}

/**
 * A JUnit XML report (the de-facto schema GitLab, Jenkins, GitHub actions and CircleCI read): one
 * `<testsuite>` per test file, one `<testcase>` per case; a failed expectation is a `<failure>`
 * holding the per-field diff, a case that could not run an `<error>`, and a file that could not be
 * loaded one `<testcase name="(load)">` with an `<error>` per diagnostic.
 */
export function junitReport(run: TestRunResult): string {
  const s = summarize(run)
  const out = ['<?xml version="1.0" encoding="UTF-8"?>']
  const total = s.passed + s.failed + s.errors
  out.push(`<testsuites name="rtds test" tests="${total}" failures="${s.failed}" errors="${s.errors}" time="${secs(run.durationMs)}">`)
  for (const p of run.missing) {
    out.push(`  <testsuite name="${xmlEscape(p)}" tests="1" failures="0" errors="1" time="0.000">`)
    out.push(`    <testcase name="(load)" classname="${xmlEscape(p)}" time="0.000">\n      <error message="no such file or directory" type="missing">${xmlEscape(p)}</error>\n    </testcase>`)
    out.push('  </testsuite>')
  }
  for (const f of run.files) {
    const failures = f.cases.filter((c) => c.status === 'fail').length
    const loadError = f.diagnostics.some((d) => d.severity === 'error') ? 1 : 0
    const errors = f.cases.filter((c) => c.status === 'error').length + loadError
    out.push(`  <testsuite name="${xmlEscape(f.file)}" tests="${f.cases.length + loadError}" failures="${failures}" errors="${errors}" time="${secs(f.durationMs)}" file="${xmlEscape(f.file)}">`)
    if (loadError) {
      const text = f.diagnostics.flatMap(formatTestDiagnostic).join('\n')
      const first = f.diagnostics[0]
      out.push(`    <testcase name="(load)" classname="${xmlEscape(f.file)}" file="${xmlEscape(f.file)}" line="${first?.line ?? 1}" time="0.000">`)
      out.push(`      <error message="${xmlEscape(first ? `${first.code} ${first.message}` : 'invalid test file')}" type="invalid">${xmlEscape(text)}</error>`)
      out.push('    </testcase>')
    }
    for (const c of f.cases) out.push(testcase(c, f.file))
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return `${out.join('\n')}\n`
}
