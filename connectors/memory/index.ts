/** The embedded backend: in-process topics, staging tables, tables and DLQs (no services). */
export { MemoryBackend, type MemoryBackendOptions, type DeadLetter, type MemoryRun } from './memory-backend.js'
export { MemoryTopic, codecOf, type TopicMessage, type ValueCodec } from './memory-topic.js'
export { MemoryStagingTable, type StagingRow } from './memory-staging.js'
export { MemoryTable } from './memory-table.js'
export type { FaultHook, WriteFault } from './memory-faults.js'
export { partitionOf, murmur2 } from './murmur2.js'
