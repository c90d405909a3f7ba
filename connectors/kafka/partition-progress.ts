/**
 * In-order offset progress of one fetched batch of one partition. Work is split into units (a
 * batch of decoded records emitted to the engine, or one undecodable record handed to the
 * dead-letter path); units settle in any order, but the partition's position may only move over
 * the contiguous prefix of units that settled successfully. A failed unit freezes the position
 * in front of it (it and everything after it is redelivered).
 */
export type UnitState = 'pending' | 'ok' | 'failed'

interface Unit {
  /** Last Kafka offset covered by the unit (decimal string, kafkajs style). */
  readonly last: string
  state: UnitState
}

/** See the module comment. */
export class PartitionProgress {
  private readonly units: Unit[] = []
  private next = 0
  private frozen = false

  /** Adds a unit covering offsets up to `lastOffset`; returns its index. Units are added in offset order. */
  add(lastOffset: string): number {
    this.units.push({ last: lastOffset, state: 'pending' })
    return this.units.length - 1
  }

  /**
   * Settles unit `index`. Returns the last offset of the contiguous successful prefix when it grew
   * (the position to commit is that + 1), otherwise undefined.
   */
  settle(index: number, ok: boolean): string | undefined {
    const unit = this.units[index]
    if (!unit || unit.state !== 'pending') return undefined
    unit.state = ok ? 'ok' : 'failed'
    let moved: string | undefined
    while (!this.frozen && this.next < this.units.length) {
      const u = this.units[this.next]
      if (u.state === 'ok') {
        moved = u.last
        this.next++
      } else {
        if (u.state === 'failed') this.frozen = true
        break
      }
    }
    return moved
  }

  /** True when a unit failed: the rest of the batch must be redelivered. */
  get failed(): boolean {
    return this.frozen || this.units.some((u) => u.state === 'failed')
  }

  /** Units not settled yet. */
  get pending(): number {
    return this.units.filter((u) => u.state === 'pending').length
  }
}
