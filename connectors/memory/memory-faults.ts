/**
 * Fault injection for the embedded backend (tests): a hook run at the start of every sink write,
 * before anything is stored. Throwing makes the write fail (throw a retriable `ConnectionError` to
 * simulate a server that is down); awaiting a delay makes the write (and its "commit") slow.
 */
export interface WriteFault {
  readonly kind: 'topic' | 'staging' | 'table' | 'dlq'
  /** The topic or table name. */
  readonly name: string
  readonly records: number
}

export type FaultHook = (write: WriteFault) => void | Promise<void>
