/**
 * In-order offset progress of one partition, across fetches. Work is split into units (a chunk of
 * decoded records emitted to the engine, or one undecodable record handed to the dead-letter
 * path); units settle in any order, but the partition's committed position may only move over the
 * contiguous prefix of units that settled successfully (the low watermark). A failed unit freezes
 * the position in front of it: it and everything after it must be delivered again, from
 * `resumeAt`. Settled units at the front are dropped, so a long-lived progress stays small.
 */
export type UnitState = 'pending' | 'ok' | 'failed'

/** A unit of work; the handle `add` returns. */
export interface Unit {
  /** First and last Kafka offset covered by the unit (decimal strings, kafkajs style). */
  readonly first: string
  readonly last: string
  state: UnitState
}

/** See the module comment. */
export class PartitionProgress {
  /** Units not yet passed by the position, in offset order (the front one is pending or failed). */
  private readonly units: Unit[] = []
  private head = 0
  private frozen = false

  /** Adds a unit covering offsets `first`…`last`; units are added in offset order. */
  add(first: string, last: string = first): Unit {
    const unit: Unit = { first, last, state: 'pending' }
    this.units.push(unit)
    return unit
  }

  /**
   * Settles `unit`. Returns the last offset of the contiguous successful prefix when it grew (the
   * position to commit is that + 1), otherwise undefined. Settling twice is a no-op.
   */
  settle(unit: Unit, ok: boolean): string | undefined {
    if (unit.state !== 'pending') return undefined
    unit.state = ok ? 'ok' : 'failed'
    let moved: string | undefined
    while (!this.frozen && this.head < this.units.length) {
      const u = this.units[this.head]
      if (u.state === 'ok') {
        moved = u.last
        this.head++
      } else {
        if (u.state === 'failed') this.frozen = true
        break
      }
    }
    if (this.head > 64 && this.head * 2 > this.units.length) this.units.splice(0, this.head), (this.head = 0)
    return moved
  }

  /** True when a unit failed: the position stays in front of it, everything from `resumeAt` is delivered again. */
  get failed(): boolean {
    return this.frozen || this.units.some((u) => u.state === 'failed')
  }

  /** The first offset not covered by the successful prefix (undefined: every unit added so far succeeded). */
  get resumeAt(): string | undefined {
    return this.units[this.head]?.first
  }

  /** Units not settled yet. */
  get pending(): number {
    let n = 0
    for (let i = this.head; i < this.units.length; i++) if (this.units[i].state === 'pending') n++
    return n
  }
}
