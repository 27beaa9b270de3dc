/**
 * Kafka's API keys (2.8 `ApiKeys.java`), the first field of every request header. Numbers are Kafka's and are
 * never reused; an API is listed here before it is implemented, and `ApiVersions` says which ones a broker
 * actually serves. mq's own APIs (delayed delivery, lag in time) are numbered from 10000 and served on the native
 * protocol only.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  AlterReplicaLogDirs: 34,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  CreateDelegationToken: 38,
  RenewDelegationToken: 39,
  ExpireDelegationToken: 40,
  DescribeDelegationToken: 41,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  AlterIsr: 56,
  UpdateFeatures: 57,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  // mq's own APIs, for what Kafka has no API for; numbered far above Kafka's so that none is ever taken.
  DescribeDelayedRecords: 10000,
  ListOffsetTimestamps: 10001,
  DescribeGroupLag: 10002,
} as const;

export type ApiKeyName = keyof typeof ApiKey;
export type ApiKey = (typeof ApiKey)[ApiKeyName];

const NAMES = new Map<number, ApiKeyName>(
  (Object.entries(ApiKey) as [ApiKeyName, number][]).map(([name, key]) => [key, name]),
);

/** Kafka's name for an API key (`'Produce'`), or `'Unknown(99)'` for a number this build does not know. */
export function apiKeyName(apiKey: number): string {
  return NAMES.get(apiKey) ?? `Unknown(${apiKey})`;
}
