/**
 * A bounded FIFO between a stage's inputs and its workers: `push` waits while the queue is full,
 * which is how a slow sink slows the sources down (back-pressure) without buffering without bound.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = []
  private readonly popWaiters: ((item: T | undefined) => void)[] = []
  private readonly pushWaiters: (() => void)[] = []
  private closed = false
  /** Largest length ever reached (tests assert the bound). */
  highWater = 0

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1')
  }

  get size(): number {
    return this.items.length
  }

  /** Adds `item`, waiting while the queue is full. Resolves false (item dropped) if the queue was closed. */
  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => this.pushWaiters.push(r))
    if (this.closed) return false
    const waiter = this.popWaiters.shift()
    if (waiter) waiter(item)
    else {
      this.items.push(item)
      if (this.items.length > this.highWater) this.highWater = this.items.length
    }
    return true
  }

  /** Takes the next item, waiting for one; undefined once the queue is closed and empty. */
  pop(): Promise<T | undefined> {
    return this.popWithin(Infinity)
  }

  /** Like `pop` but gives up after `ms` (resolves undefined). */
  popWithin(ms: number): Promise<T | undefined> {
    if (this.items.length > 0) {
      const item = this.items.shift() as T
      this.pushWaiters.shift()?.()
      return Promise.resolve(item)
    }
    if (this.closed || ms <= 0) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const waiter = (item: T | undefined): void => {
        if (timer) clearTimeout(timer)
        resolve(item)
      }
      this.popWaiters.push(waiter)
      if (ms !== Infinity)
        timer = setTimeout(() => {
          const i = this.popWaiters.indexOf(waiter)
          if (i >= 0) this.popWaiters.splice(i, 1)
          resolve(undefined)
        }, ms)
    })
  }

  /** No more pushes: waiting pops get undefined once the remaining items are taken. */
  close(): void {
    this.closed = true
    for (const w of this.popWaiters.splice(0)) w(undefined)
    for (const w of this.pushWaiters.splice(0)) w()
  }

  /** Removes and returns every queued item (shutdown: they are nacked). */
  drain(): T[] {
    const out = this.items.splice(0)
    for (const w of this.pushWaiters.splice(0)) w()
    return out
  }
}
