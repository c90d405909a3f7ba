/**
 * The Kafka topic source (a consuming stage's input): consumer group, `autoCommit: false`,
 * `eachBatch` with manual `resolveOffset` + explicit commits.
 *
 * Per fetched batch of one partition: messages are decoded through the registry and emitted in
 * chunks of `batchSize` (units); an undecodable message goes to `onUndecodable` (→ DLQ) as a unit of
 * its own. `eachBatch` returns once the engine TOOK every unit, not once they settled: the next
 * fetch of the partition overlaps the writes of the previous one (no barrier per fetch). Units
 * settle in any order; the partition's offset is committed only over the contiguous prefix of
 * settled units (the low watermark, `PartitionProgress`, kept per partition across fetches), so an
 * offset moves only after the engine acknowledged every record before it. A nack (or a dead-letter
 * failure) pauses the partition for a backoff and seeks it back to the low watermark: everything
 * not acknowledged is delivered again (upserts downstream make that harmless). A rejoin of the group
 * starts over from the committed offsets. Heartbeats are sent while `emit` waits; a heartbeat refused
 * for a rebalance stops emitting. Back-pressure: `emit` is awaited, so a slow engine blocks the
 * partition's `eachBatch` — memory stays bounded by the engine's queue and window plus one fetched
 * batch per partition. `once`: stop when every partition's committed offset (of the whole group)
 * reached the end offsets (read at start, or when the upstream stages ended).
 */
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs'
import type { ConnectionSettings } from '../../core/settings.js'
import { ConnectionError, RecordError } from '../../core/errors.js'
import type { Source, SourceBatch, StreamRecord } from '../../core/stream.js'
import type { CodecSchema, RegistryValueCodec } from '../registry/value-codec.js'
import { classifyKafkaError } from './client.js'
import { PartitionProgress } from './partition-progress.js'

export interface KafkaTopicSourceOptions {
  readonly name: string
  readonly topic: string
  readonly group: string
  readonly stage: string
  readonly once: boolean
  /** `once` while the stages producing the topic still run: the end offsets are read when this resolves. */
  readonly upstreamDone?: Promise<void>
  readonly batchSize: number
  readonly kafka: Kafka
  readonly codec: RegistryValueCodec
  /** The topic's value schema; absent → plain JSON values. */
  readonly value?: CodecSchema
  readonly settings: Pick<ConnectionSettings, 'kafkaBrokers'>
  onUndecodable(raw: StreamRecord, error: Error): Promise<void>
  /** Partitions processed at the same time, default 3. */
  readonly partitionsConsumedConcurrently?: number
  /** First pause after a nack, doubled up to 30 s; default 1000 ms. */
  readonly retryPauseMs?: number
  /** How long a stop waits for in-flight batches to settle, default 30 s. */
  readonly drainTimeoutMs?: number
  /** Consumer session timeout, default 30 s (heartbeats keep a member alive while batches wait for acks). */
  readonly sessionTimeoutMs?: number
}

/** Kafka headers as strings. */
export function headersToStrings(h: IHeaders | undefined): Record<string, string> | undefined {
  if (!h) return undefined
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    const first = Array.isArray(v) ? v[0] : v
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first)
  }
  return out
}

/** One partition's state in the current generation. */
interface PartitionState {
  readonly progress: PartitionProgress
  /** Commits of the low watermark, one after another (so the committed offset only grows). */
  commits: Promise<void>
  /** A unit failed: nothing more is emitted; the partition is paused and seeks back to `progress.resumeAt`. */
  redelivering: boolean
}

/** A Kafka topic as a source; see the module comment. */
export class KafkaTopicSource implements Source {
  readonly name: string
  private consumer: Consumer | undefined
  private admin: Admin | undefined
  private stopping = false
  private readonly active = new Set<Promise<void>>()
  private readonly endOffsets = new Map<number, bigint>()
  /** Per partition of the current generation: progress of the units in flight and the chain of commits. */
  private readonly partitions = new Map<number, PartitionState>()
  /** once: the end offsets were read (at start, or when upstream ended). */
  private endsKnown = false
  private gaveUp: Error | undefined
  private isClosed = false
  /** Resolved by close(): batches waiting for acks stop waiting (their offsets stay uncommitted). */
  private closing!: () => void
  private closed = new Promise<void>((r) => (this.closing = r))
  private pauseMs: number

  constructor(private readonly opts: KafkaTopicSourceOptions) {
    this.name = opts.name
    this.pauseMs = opts.retryPauseMs ?? 1000
  }

  async run(emit: (batch: SourceBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { topic, group, settings } = this.opts
    if (signal.aborted) return
    this.reset()
    try {
      if (this.opts.once) {
        this.admin = this.opts.kafka.admin()
        await this.admin.connect()
        if (!this.opts.upstreamDone) {
          await this.readEnds()
          if (await this.reachedEnd()) return
        }
      }
      this.consumer = this.opts.kafka.consumer({
        groupId: group, allowAutoTopicCreation: false, sessionTimeout: this.opts.sessionTimeoutMs ?? 30000, heartbeatInterval: Math.min(3000, Math.floor((this.opts.sessionTimeoutMs ?? 30000) / 3)), maxBytesPerPartition: 1048576,
        maxWaitTimeInMs: 1000, // an idle fetch returns within 1 s, so a stop (and a once run) ends promptly
      })
      await this.consumer.connect()
      await this.consumer.subscribe({ topics: [topic], fromBeginning: true })
    } catch (err) {
      await this.close()
      throw classifyKafkaError(err, settings, `start consuming topic ${topic} (group ${group})`)
    }
    let finish!: (err?: Error) => void
    const finished = new Promise<Error | undefined>((resolve) => (finish = resolve))
    const onAbort = (): void => finish()
    signal.addEventListener('abort', onAbort, { once: true })
    // a (re)join starts a new generation: kafkajs fetches every assigned partition again from its
    // committed offset, so units still in flight from before are delivered again and no longer count
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.partitions.clear())
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart) finish(classifyKafkaError(e.payload.error, settings, `consume topic ${topic}`))
    })
    let poll: NodeJS.Timeout | undefined
    if (this.opts.once) {
      let upstreamEnded = !this.opts.upstreamDone
      void this.opts.upstreamDone?.then(() => (upstreamEnded = true))
      const check = async (): Promise<void> => {
        if (this.gaveUp) return finish()
        if (upstreamEnded && !this.endsKnown) await this.readEnds().catch(() => {})
        if (this.endsKnown && (await this.reachedEnd().catch(() => false))) return finish()
        poll = setTimeout(check, 500)
      }
      poll = setTimeout(check, 500)
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.track(this.eachBatch(payload, emit)),
    })
    const error = await finished
    clearTimeout(poll)
    signal.removeEventListener('abort', onAbort)
    await this.stop()
    if (error) throw error
    if (this.gaveUp && !signal.aborted) {
      throw new ConnectionError(`consuming ${topic} stopped before the end offsets: ${this.gaveUp.message}`, {
        cause: this.gaveUp, hint: 'the unprocessed records stay in the topic (offsets not committed) for the next run',
      })
    }
  }

  /**
   * The engine runs a source again after a retriable failure (a broker still starting): every run
   * starts from a clean state, whatever the previous one left (close() marks the source stopped).
   */
  private reset(): void {
    this.stopping = false
    this.isClosed = false
    this.gaveUp = undefined
    this.endOffsets.clear()
    this.partitions.clear()
    this.endsKnown = false
    this.closed = new Promise<void>((r) => (this.closing = r))
  }

  private track(p: Promise<void>): Promise<void> {
    this.active.add(p)
    return p.finally(() => this.active.delete(p))
  }

  /** Reads the end offsets a `once` run consumes up to. */
  private async readEnds(): Promise<void> {
    if (!this.admin) return
    for (const p of await this.admin.fetchTopicOffsets(this.opts.topic)) this.endOffsets.set(p.partition, BigInt(p.high))
    this.endsKnown = true
  }

  /** Whether the group's committed offset of every partition reached the end offsets (read at start or when upstream ended). */
  private async reachedEnd(): Promise<boolean> {
    if (!this.admin) return false
    const [committed] = await this.admin.fetchOffsets({ groupId: this.opts.group, topics: [this.opts.topic] })
    const low = new Map((await this.admin.fetchTopicOffsets(this.opts.topic)).map((p) => [p.partition, BigInt(p.low)]))
    for (const [partition, end] of this.endOffsets) {
      const c = committed?.partitions.find((p) => p.partition === partition)
      const at = c && c.offset !== '-1' ? BigInt(c.offset) : (low.get(partition) ?? 0n)
      if (at < end) return false
    }
    return true
  }

  /** The progress of `partition` in the current generation (a new one after a rebalance or a redelivery). */
  private partitionState(partition: number): PartitionState {
    let state = this.partitions.get(partition)
    if (!state) {
      state = { progress: new PartitionProgress(), commits: Promise.resolve(), redelivering: false }
      this.partitions.set(partition, state)
    }
    return state
  }

  /**
   * Emits one fetched batch of one partition and returns as soon as the engine took every chunk
   * (the engine's queue bounds what is in flight), so the next fetch of this partition starts while
   * the chunks are still being written: the partition's units settle in the background and its
   * offset is committed at their low watermark. A failed unit makes the partition deliver again
   * from the low watermark after a backoff (see `redeliver`).
   */
  private async eachBatch(payload: EachBatchPayload, emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload
    const { topic, partition } = batch
    const end = this.endOffsets.get(partition)
    const state = this.partitionState(partition)
    if (state.redelivering) return // a unit failed: the partition was paused and seeks back to its low watermark
    // a heartbeat refused because the group rebalances: stop emitting (the partition may move), finish what is in flight
    let rebalancing = false
    const hb = setInterval(() => heartbeat().catch((err: { type?: string; message?: string }) => {
      if (err?.type === 'REBALANCE_IN_PROGRESS' || /rebalanc/i.test(err?.message ?? '')) rebalancing = true
    }), 1000)
    const alive = (): boolean => !this.stopping && !rebalancing && !state.redelivering && this.partitions.get(partition) === state && isRunning() && !isStale()
    /** A unit of `state`: settles it and commits the new low watermark (chained per partition, so commits only grow). */
    const unit = (first: string, last: string): { ok(): Promise<void>; fail(error: Error): Promise<void> } => {
      const u = state.progress.add(first, last)
      let done!: () => void
      this.track(new Promise<void>((r) => (done = r)))
      const settle = (ok: boolean, error?: Error): Promise<void> => {
        const moved = state.progress.settle(u, ok)
        if (!ok) this.redeliver(state, partition, error)
        if (moved !== undefined && this.partitions.get(partition) === state) {
          state.commits = state.commits.then(async () => {
            if (this.isClosed || !this.consumer) return // whoever owns the partition now re-reads from the last commit
            // a commit refused during a rebalance is harmless: the new owner re-reads from the last commit
            await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(moved) + 1n).toString() }]).catch(() => {})
          })
        }
        return state.commits.finally(done)
      }
      return { ok: () => settle(true), fail: (error) => settle(false, error) }
    }
    let blocked = false // the registry is unreachable: retry from here after a pause
    let pastEnd = false // once: this partition reached the end offset
    let emittedUpTo: string | undefined
    try {
      let chunk: { records: StreamRecord[]; first: string; last: string; bytes: number } = { records: [], first: '', last: '', bytes: 0 }
      const flush = async (): Promise<void> => {
        if (chunk.records.length === 0) return
        const { records, first, last, bytes } = chunk
        chunk = { records: [], first: '', last: '', bytes: 0 }
        const u = unit(first, last)
        await emit({ records, bytes, ack: u.ok, nack: u.fail })
        emittedUpTo = last
      }
      for (const message of batch.messages) {
        if (!alive()) break
        if (end !== undefined && BigInt(message.offset) >= end) {
          pastEnd = true
          break
        }
        const origin = `kafka:${topic}/${partition}@${message.offset}`
        let value: unknown
        try {
          value = await this.opts.codec.decode(message.value, this.opts.value !== undefined)
        } catch (err) {
          if (!(err instanceof RecordError)) {
            blocked = true
            break // the rest is fetched again after the pause
          }
          await flush()
          if (!alive()) break
          const u = unit(message.offset, message.offset)
          this.opts.onUndecodable(this.raw(message, origin), err).then(u.ok, u.fail)
          emittedUpTo = message.offset
          continue
        }
        if (chunk.records.length === 0) chunk.first = message.offset
        chunk.records.push({ key: message.key?.toString('utf8') ?? null, value, origin, headers: headersToStrings(message.headers) })
        chunk.last = message.offset
        chunk.bytes += message.value?.length ?? 0
        if (chunk.records.length >= this.opts.batchSize) await flush()
      }
      if (alive()) await flush()
      // the next fetch of this partition starts after what was handed to the engine
      if (emittedUpTo !== undefined && alive()) resolveOffset(emittedUpTo)
      if (blocked && alive()) this.pauseFor(partition)
      else if (!blocked && !state.redelivering) this.pauseMs = this.opts.retryPauseMs ?? 1000
      if (pastEnd) this.consumer?.pause([{ topic, partitions: [partition] }])
    } finally {
      clearInterval(hb)
    }
  }

  /**
   * A unit of `state` failed (nack, or a dead letter that could not be sent): stop emitting this
   * partition and deliver it again from its low watermark (`resumeAt`) after a backoff, with a new
   * progress (units of the old one still in flight are delivered again, so their outcome no longer
   * matters). `once`: the partition stops there and the run reports it.
   */
  private redeliver(state: PartitionState, partition: number, error: Error | undefined): void {
    if (state.redelivering || this.partitions.get(partition) !== state) return
    state.redelivering = true
    const topic = this.opts.topic
    const from = state.progress.resumeAt
    this.consumer?.pause([{ topic, partitions: [partition] }])
    if (this.opts.once) {
      this.gaveUp ??= new ConnectionError(`a batch of ${topic}/${partition} was handed back (nack)${error ? `: ${error.message}` : ''}`)
      return
    }
    void state.commits.then(() => {
      this.partitions.delete(partition)
      if (this.isClosed || !this.consumer) return
      if (from !== undefined) this.consumer.seek({ topic, partition, offset: from })
      this.pauseFor(partition, true)
    })
  }

  /** Pauses `partition` for the current backoff (doubled up to 30 s) and resumes it. */
  private pauseFor(partition: number, alreadyPaused = false): void {
    const tp = [{ topic: this.opts.topic, partitions: [partition] }]
    if (!alreadyPaused) this.consumer?.pause(tp)
    const wait = this.pauseMs
    this.pauseMs = Math.min(this.pauseMs * 2, 30000)
    setTimeout(() => {
      if (!this.isClosed) this.consumer?.resume(tp)
    }, wait + Math.random() * wait * 0.2).unref()
  }

  private raw(message: KafkaMessage, origin: string): StreamRecord {
    return { key: message.key?.toString('utf8') ?? null, value: message.value, origin, headers: headersToStrings(message.headers) }
  }

  /** Stops taking input, waits (bounded) for in-flight batches to settle and commit, then disconnects. */
  private async stop(): Promise<void> {
    this.stopping = true
    const grace = new Promise<void>((r) => setTimeout(r, this.opts.drainTimeoutMs ?? 30000).unref())
    await Promise.race([Promise.allSettled([...this.active]), grace])
    await this.close()
  }

  /** Disconnects the consumer and admin client. Idempotent. */
  async close(): Promise<void> {
    this.stopping = true
    this.isClosed = true
    this.closing()
    const consumer = this.consumer, admin = this.admin
    this.consumer = undefined
    this.admin = undefined
    await consumer?.disconnect().catch(() => {})
    await admin?.disconnect().catch(() => {})
  }
}
