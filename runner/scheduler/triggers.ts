/**
 * "Run now" for scheduled sources of a running process (the console's button): each scheduled
 * source registers a trigger while its schedule loop runs; `trigger(source)` wakes it for one run
 * (trigger `manual`) at once, or right after the run in progress. Triggers of one pipeline.
 */
export class ScheduleTriggers {
  private readonly fns = new Map<string, () => void>()

  /** Called by a scheduled source; returns the unregister function. */
  register(source: string, fn: () => void): () => void {
    this.fns.set(source, fn)
    return () => {
      if (this.fns.get(source) === fn) this.fns.delete(source)
    }
  }

  /** The sources that can be triggered now. */
  sources(): string[] {
    return [...this.fns.keys()]
  }

  /** Triggers a run of `source`; false when it has no running schedule. */
  trigger(source: string): boolean {
    const fn = this.fns.get(source)
    fn?.()
    return fn !== undefined
  }
}
