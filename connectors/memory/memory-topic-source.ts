/**
 * A consumer of a {@link MemoryTopic} in a consumer group, with the delivery contract of the live
 * Kafka source: batches come from one partition each, starting at the group's committed offsets;
 * the committed offset of a partition moves only over the contiguous prefix of settled offsets
 * (acked batches, undecodable records already dead-lettered), even when batches are acked out of
 * order. A nacked batch is read again after a pause (in `once` mode it is left for the next run
 * and `run` fails at the end, like the live source).
 */
import type { Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { TopicSourceOptions } from '../backend.js'
import { ConnectionError } from '../../core/errors.js'
import { sleep } from '../../core/retry.js'
import type { MemoryTopic, TopicMessage } from './memory-topic.js'

/** Pause before re-reading a nacked batch. */
const NACK_PAUSE_MS = 200

export class MemoryTopicSource implements Source {
  readonly name: string
  /** Per partition: next offset to read. */
  private readonly next: number[]
  /** Per partition: settled offsets at or above the committed offset. */
  private readonly settled: Set<number>[]
  private readonly inFlight = new Set<Promise<void>>()
  private nacked = 0
  private lastNack: Error | undefined
  private closed = false

  constructor(private readonly topic: MemoryTopic, private readonly opts: TopicSourceOptions) {
    this.name = topic.name
    this.next = [...topic.committedOffsets(opts.group)]
    this.settled = topic.logs.map(() => new Set<number>())
  }

  async run(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    const end = this.opts.once ? this.topic.endOffsets() : undefined
    let p = 0
    while (!signal.aborted && !this.closed) {
      const parts = this.topic.logs.length
      let emitted = false
      for (let i = 0; i < parts && !signal.aborted; i++) {
        const partition = (p + i) % parts
        const limit = end ? end[partition] : this.topic.logs[partition].length
        if (this.next[partition] >= limit) continue
        const upto = Math.min(limit, this.next[partition] + this.opts.batchSize)
        const messages = this.topic.logs[partition].slice(this.next[partition], upto)
        this.next[partition] = upto
        const batch = await this.decode(messages)
        if (batch) await emit(batch)
        emitted = true
        p = partition + 1
        break
      }
      if (emitted) continue
      if (end) {
        if (this.inFlight.size === 0 && this.next.every((n, i) => n >= end[i])) break
        await Promise.race(this.inFlight)
        continue
      }
      await this.topic.waitForAppend(signal)
    }
    while (this.inFlight.size > 0) await Promise.race(this.inFlight)
    if (this.opts.once && this.nacked > 0 && !signal.aborted)
      throw new ConnectionError(`${this.nacked} batch(es) of ${this.name} could not be processed: ${this.lastNack?.message ?? 'nacked'}`, {
        cause: this.lastNack,
        hint: 'their offsets were not committed: the next run reads them again',
      })
  }

  /** Decodes messages; undecodable ones go to `onUndecodable` and count as settled once it resolved. */
  private async decode(messages: TopicMessage[]): Promise<SourceBatch | undefined> {
    const records: StreamRecord[] = []
    const offsets: [number, number][] = []
    for (const m of messages) {
      const origin = `kafka:${this.name}/${m.partition}@${m.offset}`
      let value: unknown
      try {
        if (m.value === null) throw new Error('tombstone (null value)')
        value = this.topic.codec.decode(m.value)
      } catch (err) {
        try {
          await this.opts.onUndecodable({ key: m.key, value: m.value, origin, headers: m.headers }, err as Error)
          this.settle(m.partition, m.offset)
        } catch {
          this.rewind(m.partition, m.offset) // not dead-lettered: read it again
          return records.length ? this.batch(records, offsets) : undefined
        }
        continue
      }
      records.push({ key: m.key, value, origin, headers: m.headers })
      offsets.push([m.partition, m.offset])
    }
    return records.length ? this.batch(records, offsets) : undefined
  }

  private batch(records: StreamRecord[], offsets: [number, number][]): SourceBatch {
    let done!: () => void
    const tracker = new Promise<void>((r) => (done = r))
    this.inFlight.add(tracker)
    let settled = false
    const finish = (): void => {
      settled = true
      this.inFlight.delete(tracker)
      done()
    }
    return {
      records,
      ack: async () => {
        if (settled) return
        for (const [p, o] of offsets) this.settle(p, o)
        finish()
      },
      nack: async (error: Error) => {
        if (settled) return
        this.nacked++
        this.lastNack = error
        if (!this.opts.once) {
          await sleep(NACK_PAUSE_MS)
          for (const [p, o] of offsets) this.rewind(p, o)
          this.topic.poke()
        }
        finish()
      },
    }
  }

  private settle(partition: number, offset: number): void {
    const set = this.settled[partition]
    set.add(offset)
    let c = this.topic.committedOffsets(this.opts.group)[partition]
    while (set.has(c)) set.delete(c++)
    this.topic.commit(this.opts.group, partition, c)
  }

  private rewind(partition: number, offset: number): void {
    if (offset < this.next[partition]) this.next[partition] = offset
  }

  async close(): Promise<void> {
    this.closed = true
  }
}
