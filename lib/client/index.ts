/**
 * The client library: `Producer`, `Consumer` and `Admin`, each configured with Kafka's option names and bracketed
 * by `connect()` and `close()`:
 *
 *   const producer = new Producer({ 'bootstrap.servers': 'localhost:9092', 'linger.ms': 5 });
 *   await producer.connect();
 *   await producer.send({ topic: 'orders', key: 'o-1', value: JSON.stringify(order) });
 *   await producer.close();
 *
 * Errors: wire errors are `ApiError` (Kafka's `errorCode`, `errorName`, `retriable`); local ones are `MqError`
 * subclasses with a stable `code` (match on it across package copies).
 */
export { Producer } from './producer/producer.js';
export type { ProducerRecord } from './producer/producer-record.js';
export type { RecordMetadata, PartitionResult, SendCallback } from './producer/producer-batch.js';
export {
  DEFAULT_PRODUCER_OPTIONS,
  type ProducerOptions,
  type Acks,
  type CompressionName,
} from './producer/producer-options.js';
export { DefaultPartitioner, murmur2, partitionForKey, toPositive, type Partitioner } from './producer/partitioner.js';
export {
  Consumer,
  type AutoCommitListener,
  type ConsumerRecord,
  type EachBatchPayload,
  type EachMessagePayload,
  type OffsetAndTimestamp,
  type RebalanceListener,
  type RunOptions,
} from './consumer/consumer.js';
export { ConsumerBatch } from './consumer/consumer-batch.js';
export {
  DEFAULT_CONSUMER_OPTIONS,
  type ConsumerOptions,
  type IsolationLevelName,
  type OffsetResetStrategy,
} from './consumer/consumer-options.js';
export type { TopicPartitionRef } from './consumer/subscription-state.js';
export type { CommittedOffset, ConsumerGroupMetadata, OffsetToCommit } from './consumer/group-offsets.js';
export {
  Admin,
  type AdminCallOptions,
  type AlterConfigOperation,
  type BrokerApiVersions,
  type BrokerLogDirs,
  type ClusterDescription,
  type ConsumerGroupDescription,
  type ConsumerGroupListing,
  type ConfigEntry,
  type ConfigResource,
  type ConfigResourceDescription,
  type CreatedTopic,
  type DeletedRecords,
  type ListedOffset,
  type NewPartitions,
  type NewTopic,
  type OngoingPartitionReassignment,
  type OffsetSpec,
  type PartitionDescription,
  type RecordsToDelete,
  type TopicDescription,
} from './admin/admin.js';
export { DEFAULT_ADMIN_OPTIONS, type AdminOptions } from './admin/admin-options.js';
export { delayedTargets, type DelayedTarget, type DelayPartitionState } from './admin/delayed-records.js';
export type { OffsetCommitEntry, PartitionLagTime } from './admin/group-lag.js';
export { DELAYED_TOPIC, DELIVER_AT_HEADER } from '../record/delayed-record.js';
export type {
  ClientQuotaAlteration,
  ClientQuotaEntry,
  ClientQuotaFilter,
  QuotaEntity,
  ScramCredentialAlteration,
  UserScramCredentials,
} from './admin/security-admin.js';
export * from '../common/acl.js';
export type {
  AbortTransactionSpec,
  PartitionProducerState,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from './admin/transactions-admin.js';
export { DEFAULT_COMMON_CLIENT_OPTIONS, type CommonClientOptions } from './client-options.js';
export * from './errors.js';
export { CompressionType } from '../record/record-batch.js';
export type { RecordHeader } from '../record/record-batch-builder.js';
export type { Record as FetchedRecord, RecordHeaderView } from '../record/record.js';
export type { LazyRecord } from '../record/lazy-record.js';
