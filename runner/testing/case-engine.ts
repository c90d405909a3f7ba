import type { Diagnostic } from '../../dsl/diagnostic.js'
import type { TaskGraph } from '../../dsl/graph-types.js'
import type { ActualOutput } from './expect-matcher.js'
import type { ExpectTarget, TestInput } from './test-file-types.js'

/** What a case run produced: every stage, topic, table and dead-letter topic can be read. */
export interface CaseOutputs {
  /** The actual output of one target (an empty output when nothing reached it). */
  read(target: ExpectTarget): ActualOutput
}

/**
 * Runs one case: feeds its inputs into a fresh in-process backend, drives the pipeline graph with
 * the same engine and transforms as `rtds run` until everything settled, and returns the outputs.
 * The default is `memoryCaseEngine` (runner/testing/memory-case-engine.ts); tests may inject another.
 */
export interface CaseEngine {
  execute(graph: TaskGraph, inputs: readonly TestInput[]): Promise<CaseOutputs>
}

/** Loads a pipeline for a case (with the case's env and vars): the graph, or why it is invalid. */
export type PipelineLoader = (
  file: string,
  opts: { readonly env: Readonly<Record<string, string | undefined>>; readonly vars: Readonly<Record<string, unknown>> },
) => Promise<{ readonly graph?: TaskGraph; readonly diagnostics: readonly Diagnostic[] }>
