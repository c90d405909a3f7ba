/**
 * The Kafka topic source (a consuming stage's input): consumer group, `autoCommit: false`,
 * `eachBatch` with manual `resolveOffset` + explicit commits.
 *
 * Per fetched batch of one partition: messages are decoded through the registry and emitted in
 * chunks of `batchSize`; an undecodable message goes to `onUndecodable` (→ DLQ) on its own. Units
 * settle in any order; the partition's offset is resolved and committed only over the contiguous
 * prefix of settled units (see `PartitionProgress`), so an offset moves only after the engine
 * acknowledged every record before it. A nack (or a dead-letter failure) stops the batch: the
 * partition is paused for a backoff and the unsettled part is fetched again (kafkajs fetches from
 * the last resolved offset). Heartbeats are sent while the batch waits; a heartbeat refused for a
 * rebalance stops emitting the rest of the batch (in-flight work is finished, then kafkajs rejoins).
 * Back-pressure: `emit` is awaited, so a slow engine blocks that partition's `eachBatch` — its next
 * fetch waits — and memory stays bounded by one fetched batch per partition. `once`: stop when every
 * partition's committed offset (of the whole group) reached the end offset seen at start.
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

/** A Kafka topic as a source; see the module comment. */
export class KafkaTopicSource implements Source {
  readonly name: string
  private consumer: Consumer | undefined
  private admin: Admin | undefined
  private stopping = false
  private readonly active = new Set<Promise<void>>()
  private readonly endOffsets = new Map<number, bigint>()
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

  private async eachBatch(payload: EachBatchPayload, emit: (batch: SourceBatch) => Promise<void>): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause } = payload
    const { topic, partition } = batch
    const end = this.endOffsets.get(partition)
    const progress = new PartitionProgress()
    const settled: Promise<void>[] = []
    let chain = Promise.resolve()
    // a heartbeat refused because the group rebalances: stop emitting (the partition may move), finish what is in flight
    let rebalancing = false
    const hb = setInterval(() => heartbeat().catch((err: { type?: string; message?: string }) => {
      if (err?.type === 'REBALANCE_IN_PROGRESS' || /rebalanc/i.test(err?.message ?? '')) rebalancing = true
    }), 1000)
    const settle = (index: number, ok: boolean): Promise<void> => {
      const moved = progress.settle(index, ok)
      if (moved === undefined) return chain
      chain = chain.then(async () => {
        if (this.isClosed) return // the consumer is gone: whoever owns the partition now re-reads from the last commit
        resolveOffset(moved)
        const offset = (BigInt(moved) + 1n).toString()
        // a commit refused during a rebalance is harmless: the new owner re-reads from the last commit
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] }).catch(() => {})
      })
      return chain
    }
    let blocked = false // the registry is unreachable: retry this batch after a pause
    let pastEnd = false // once: this partition reached the end offset seen at start
    try {
      let chunk: { records: StreamRecord[]; last: string } = { records: [], last: '' }
      const flush = async (): Promise<void> => {
        if (chunk.records.length === 0) return
        const index = progress.add(chunk.last)
        const records = chunk.records
        chunk = { records: [], last: '' }
        let done!: () => void
        settled.push(new Promise<void>((r) => (done = r)))
        await emit({
          records,
          ack: async () => { await settle(index, true); done() },
          nack: async () => { await settle(index, false); done() },
        })
      }
      for (const message of batch.messages) {
        if (this.stopping || rebalancing || !isRunning() || isStale() || progress.failed) break
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
          const index = progress.add(message.offset)
          settled.push(
            this.opts.onUndecodable(this.raw(message, origin), err).then(
              () => settle(index, true),
              () => settle(index, false),
            ),
          )
          continue
        }
        chunk.records.push({ key: message.key?.toString('utf8') ?? null, value, origin, headers: headersToStrings(message.headers) })
        chunk.last = message.offset
        if (chunk.records.length >= this.opts.batchSize) await flush()
      }
      if (!progress.failed && !this.stopping && !rebalancing && isRunning() && !isStale()) await flush()
      await Promise.race([Promise.all(settled).then(() => chain), this.closed])
      if (progress.failed && this.opts.once) {
        // once: a nacked batch is left for the next run; this partition stops here
        this.gaveUp ??= new ConnectionError(`a batch of ${topic}/${partition} was handed back (nack)`)
        pause()
      } else if (progress.failed || blocked) {
        const resume = pause()
        const wait = this.pauseMs
        this.pauseMs = Math.min(this.pauseMs * 2, 30000)
        setTimeout(resume, wait + Math.random() * wait * 0.2).unref()
      } else {
        this.pauseMs = this.opts.retryPauseMs ?? 1000
        if (pastEnd) pause()
      }
    } finally {
      clearInterval(hb)
    }
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
