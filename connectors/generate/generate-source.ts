/**
 * The `generate` source: offline randomuser-shaped users (see `randomuser-generate.ts`). Each pull
 * emits the next `count` users of the seed, so successive pulls (scheduled ticks) never repeat a
 * user and a rerun of the same seed reproduces the same users (and the same keys).
 */
import type { GenerateSourceSpec } from './spec.js'
import type { PullSource } from '../../core/pull-source.js'
import type { StreamRecord } from '../../core/stream.js'
import { generateUser } from './randomuser-generate.js'

export interface GenerateSourceOptions {
  /** Source name in the pipeline. */
  readonly name: string
  readonly seed: number
  /** Users per pull. */
  readonly count: number
  /** Index of the first user (default 0). */
  readonly start?: number
}

/** See the module comment. */
export class GenerateSource implements PullSource {
  readonly name: string
  readonly describe: string
  private next: number

  constructor(private readonly opts: GenerateSourceOptions) {
    this.name = opts.name
    this.next = opts.start ?? 0
    this.describe = `generate randomuser seed=${opts.seed} count=${opts.count}`
  }

  /** A generate source for a pipeline's `generate:` spec. */
  static fromSpec(spec: GenerateSourceSpec): GenerateSource {
    return new GenerateSource({ name: spec.name, seed: spec.generate.seed, count: spec.generate.count })
  }

  async pull(): Promise<readonly StreamRecord[]> {
    const out: StreamRecord[] = []
    for (let i = 0; i < this.opts.count; i++) {
      const index = this.next++
      out.push({ key: null, value: generateUser(this.opts.seed, index), origin: `generate:${this.name} seed=${this.opts.seed} index=${index}` })
    }
    return out
  }

  async close(): Promise<void> {}
}
