/**
 * Every API message module, gathered: the definitions a broker serves by default (`API_DEFINITIONS`) and the
 * type map from api key to request/response body (`ApiMessages`), which types `NetworkClient.send` and the
 * broker's dispatcher. A new API adds its module here, in both places.
 */
import { ApiKey } from '../api-keys.js';
import type { ApiDefinition } from '../api-definition.js';
import { ALTER_CONFIGS_API, type AlterConfigsRequest, type AlterConfigsResponse } from './alter-configs.js';
import { API_VERSIONS_API, type ApiVersionsRequest, type ApiVersionsResponse } from './api-versions.js';
import {
  CREATE_PARTITIONS_API,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
} from './create-partitions.js';
import { CREATE_TOPICS_API, type CreateTopicsRequest, type CreateTopicsResponse } from './create-topics.js';
import { DELETE_RECORDS_API, type DeleteRecordsRequest, type DeleteRecordsResponse } from './delete-records.js';
import {
  INCREMENTAL_ALTER_CONFIGS_API,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from './incremental-alter-configs.js';
import { ELECT_LEADERS_API, type ElectLeadersRequest, type ElectLeadersResponse } from './elect-leaders.js';
import {
  ALTER_PARTITION_REASSIGNMENTS_API,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
} from './alter-partition-reassignments.js';
import {
  LIST_PARTITION_REASSIGNMENTS_API,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from './list-partition-reassignments.js';
import { DELETE_TOPICS_API, type DeleteTopicsRequest, type DeleteTopicsResponse } from './delete-topics.js';
import { DESCRIBE_CLUSTER_API, type DescribeClusterRequest, type DescribeClusterResponse } from './describe-cluster.js';
import { DESCRIBE_CONFIGS_API, type DescribeConfigsRequest, type DescribeConfigsResponse } from './describe-configs.js';
import { FETCH_API, type FetchRequest, type FetchResponse } from './fetch.js';
import { LIST_OFFSETS_API, type ListOffsetsRequest, type ListOffsetsResponse } from './list-offsets.js';
import { METADATA_API, type MetadataRequest, type MetadataResponse } from './metadata.js';
import {
  OFFSET_FOR_LEADER_EPOCH_API,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from './offset-for-leader-epoch.js';
import {
  CONTROLLED_SHUTDOWN_API,
  type ControlledShutdownRequest,
  type ControlledShutdownResponse,
} from './controlled-shutdown.js';
import { OFFSET_COMMIT_API, type OffsetCommitRequest, type OffsetCommitResponse } from './offset-commit.js';
import { OFFSET_FETCH_API, type OffsetFetchRequest, type OffsetFetchResponse } from './offset-fetch.js';
import { FIND_COORDINATOR_API, type FindCoordinatorRequest, type FindCoordinatorResponse } from './find-coordinator.js';
import { JOIN_GROUP_API, type JoinGroupRequest, type JoinGroupResponse } from './join-group.js';
import { HEARTBEAT_API, type HeartbeatRequest, type HeartbeatResponse } from './heartbeat.js';
import { LEAVE_GROUP_API, type LeaveGroupRequest, type LeaveGroupResponse } from './leave-group.js';
import { SYNC_GROUP_API, type SyncGroupRequest, type SyncGroupResponse } from './sync-group.js';
import { DESCRIBE_GROUPS_API, type DescribeGroupsRequest, type DescribeGroupsResponse } from './describe-groups.js';
import { LIST_GROUPS_API, type ListGroupsRequest, type ListGroupsResponse } from './list-groups.js';
import { DELETE_GROUPS_API, type DeleteGroupsRequest, type DeleteGroupsResponse } from './delete-groups.js';
import { OFFSET_DELETE_API, type OffsetDeleteRequest, type OffsetDeleteResponse } from './offset-delete.js';
import {
  ALTER_REPLICA_LOG_DIRS_API,
  type AlterReplicaLogDirsRequest,
  type AlterReplicaLogDirsResponse,
} from './alter-replica-log-dirs.js';
import {
  DESCRIBE_LOG_DIRS_API,
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponse,
} from './describe-log-dirs.js';
import { PRODUCE_API, type ProduceRequest, type ProduceResponse } from './produce.js';
import {
  DESCRIBE_DELAYED_RECORDS_API,
  type DescribeDelayedRecordsRequest,
  type DescribeDelayedRecordsResponse,
} from './describe-delayed-records.js';
import {
  LIST_OFFSET_TIMESTAMPS_API,
  type ListOffsetTimestampsRequest,
  type ListOffsetTimestampsResponse,
} from './list-offset-timestamps.js';
import {
  DESCRIBE_GROUP_LAG_API,
  type DescribeGroupLagRequest,
  type DescribeGroupLagResponse,
} from './describe-group-lag.js';
import { SASL_HANDSHAKE_API, type SaslHandshakeRequest, type SaslHandshakeResponse } from './sasl-handshake.js';
import {
  SASL_AUTHENTICATE_API,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from './sasl-authenticate.js';
import { DESCRIBE_ACLS_API, type DescribeAclsRequest, type DescribeAclsResponse } from './describe-acls.js';
import { CREATE_ACLS_API, type CreateAclsRequest, type CreateAclsResponse } from './create-acls.js';
import { DELETE_ACLS_API, type DeleteAclsRequest, type DeleteAclsResponse } from './delete-acls.js';
import {
  DESCRIBE_CLIENT_QUOTAS_API,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponse,
} from './describe-client-quotas.js';
import {
  ALTER_CLIENT_QUOTAS_API,
  type AlterClientQuotasRequest,
  type AlterClientQuotasResponse,
} from './alter-client-quotas.js';
import {
  DESCRIBE_USER_SCRAM_CREDENTIALS_API,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
} from './describe-user-scram-credentials.js';
import {
  ALTER_USER_SCRAM_CREDENTIALS_API,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
} from './alter-user-scram-credentials.js';
import { INIT_PRODUCER_ID_API, type InitProducerIdRequest, type InitProducerIdResponse } from './init-producer-id.js';
import {
  ADD_PARTITIONS_TO_TXN_API,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
} from './add-partitions-to-txn.js';
import {
  ADD_OFFSETS_TO_TXN_API,
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponse,
} from './add-offsets-to-txn.js';
import { END_TXN_API, type EndTxnRequest, type EndTxnResponse } from './end-txn.js';
import {
  WRITE_TXN_MARKERS_API,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponse,
} from './write-txn-markers.js';
import {
  TXN_OFFSET_COMMIT_API,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponse,
} from './txn-offset-commit.js';
import {
  DESCRIBE_PRODUCERS_API,
  type DescribeProducersRequest,
  type DescribeProducersResponse,
} from './describe-producers.js';
import {
  DESCRIBE_TRANSACTIONS_API,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponse,
} from './describe-transactions.js';
import {
  LIST_TRANSACTIONS_API,
  type ListTransactionsRequest,
  type ListTransactionsResponse,
} from './list-transactions.js';

export interface ApiMessages {
  [ApiKey.Produce]: { request: ProduceRequest; response: ProduceResponse };
  [ApiKey.Fetch]: { request: FetchRequest; response: FetchResponse };
  [ApiKey.ListOffsets]: { request: ListOffsetsRequest; response: ListOffsetsResponse };
  [ApiKey.Metadata]: { request: MetadataRequest; response: MetadataResponse };
  [ApiKey.ApiVersions]: { request: ApiVersionsRequest; response: ApiVersionsResponse };
  [ApiKey.CreateTopics]: { request: CreateTopicsRequest; response: CreateTopicsResponse };
  [ApiKey.DeleteTopics]: { request: DeleteTopicsRequest; response: DeleteTopicsResponse };
  [ApiKey.DeleteRecords]: { request: DeleteRecordsRequest; response: DeleteRecordsResponse };
  [ApiKey.ElectLeaders]: { request: ElectLeadersRequest; response: ElectLeadersResponse };
  [ApiKey.AlterPartitionReassignments]: {
    request: AlterPartitionReassignmentsRequest;
    response: AlterPartitionReassignmentsResponse;
  };
  [ApiKey.ListPartitionReassignments]: {
    request: ListPartitionReassignmentsRequest;
    response: ListPartitionReassignmentsResponse;
  };
  [ApiKey.OffsetForLeaderEpoch]: { request: OffsetForLeaderEpochRequest; response: OffsetForLeaderEpochResponse };
  [ApiKey.DescribeConfigs]: { request: DescribeConfigsRequest; response: DescribeConfigsResponse };
  [ApiKey.AlterConfigs]: { request: AlterConfigsRequest; response: AlterConfigsResponse };
  [ApiKey.IncrementalAlterConfigs]: {
    request: IncrementalAlterConfigsRequest;
    response: IncrementalAlterConfigsResponse;
  };
  [ApiKey.CreatePartitions]: { request: CreatePartitionsRequest; response: CreatePartitionsResponse };
  [ApiKey.ControlledShutdown]: { request: ControlledShutdownRequest; response: ControlledShutdownResponse };
  [ApiKey.OffsetCommit]: { request: OffsetCommitRequest; response: OffsetCommitResponse };
  [ApiKey.OffsetFetch]: { request: OffsetFetchRequest; response: OffsetFetchResponse };
  [ApiKey.FindCoordinator]: { request: FindCoordinatorRequest; response: FindCoordinatorResponse };
  [ApiKey.JoinGroup]: { request: JoinGroupRequest; response: JoinGroupResponse };
  [ApiKey.Heartbeat]: { request: HeartbeatRequest; response: HeartbeatResponse };
  [ApiKey.LeaveGroup]: { request: LeaveGroupRequest; response: LeaveGroupResponse };
  [ApiKey.SyncGroup]: { request: SyncGroupRequest; response: SyncGroupResponse };
  [ApiKey.DescribeGroups]: { request: DescribeGroupsRequest; response: DescribeGroupsResponse };
  [ApiKey.ListGroups]: { request: ListGroupsRequest; response: ListGroupsResponse };
  [ApiKey.DeleteGroups]: { request: DeleteGroupsRequest; response: DeleteGroupsResponse };
  [ApiKey.OffsetDelete]: { request: OffsetDeleteRequest; response: OffsetDeleteResponse };
  [ApiKey.AlterReplicaLogDirs]: { request: AlterReplicaLogDirsRequest; response: AlterReplicaLogDirsResponse };
  [ApiKey.DescribeLogDirs]: { request: DescribeLogDirsRequest; response: DescribeLogDirsResponse };
  [ApiKey.DescribeCluster]: { request: DescribeClusterRequest; response: DescribeClusterResponse };
  [ApiKey.DescribeDelayedRecords]: { request: DescribeDelayedRecordsRequest; response: DescribeDelayedRecordsResponse };
  [ApiKey.ListOffsetTimestamps]: { request: ListOffsetTimestampsRequest; response: ListOffsetTimestampsResponse };
  [ApiKey.DescribeGroupLag]: { request: DescribeGroupLagRequest; response: DescribeGroupLagResponse };
  [ApiKey.SaslHandshake]: { request: SaslHandshakeRequest; response: SaslHandshakeResponse };
  [ApiKey.SaslAuthenticate]: { request: SaslAuthenticateRequest; response: SaslAuthenticateResponse };
  [ApiKey.DescribeAcls]: { request: DescribeAclsRequest; response: DescribeAclsResponse };
  [ApiKey.CreateAcls]: { request: CreateAclsRequest; response: CreateAclsResponse };
  [ApiKey.DeleteAcls]: { request: DeleteAclsRequest; response: DeleteAclsResponse };
  [ApiKey.DescribeClientQuotas]: { request: DescribeClientQuotasRequest; response: DescribeClientQuotasResponse };
  [ApiKey.AlterClientQuotas]: { request: AlterClientQuotasRequest; response: AlterClientQuotasResponse };
  [ApiKey.DescribeUserScramCredentials]: {
    request: DescribeUserScramCredentialsRequest;
    response: DescribeUserScramCredentialsResponse;
  };
  [ApiKey.AlterUserScramCredentials]: {
    request: AlterUserScramCredentialsRequest;
    response: AlterUserScramCredentialsResponse;
  };
  [ApiKey.InitProducerId]: { request: InitProducerIdRequest; response: InitProducerIdResponse };
  [ApiKey.AddPartitionsToTxn]: { request: AddPartitionsToTxnRequest; response: AddPartitionsToTxnResponse };
  [ApiKey.AddOffsetsToTxn]: { request: AddOffsetsToTxnRequest; response: AddOffsetsToTxnResponse };
  [ApiKey.EndTxn]: { request: EndTxnRequest; response: EndTxnResponse };
  [ApiKey.WriteTxnMarkers]: { request: WriteTxnMarkersRequest; response: WriteTxnMarkersResponse };
  [ApiKey.TxnOffsetCommit]: { request: TxnOffsetCommitRequest; response: TxnOffsetCommitResponse };
  [ApiKey.DescribeProducers]: { request: DescribeProducersRequest; response: DescribeProducersResponse };
  [ApiKey.DescribeTransactions]: { request: DescribeTransactionsRequest; response: DescribeTransactionsResponse };
  [ApiKey.ListTransactions]: { request: ListTransactionsRequest; response: ListTransactionsResponse };
}

/** The request body type of an api key; a plain map for keys without a module. */
export type RequestOf<K extends number> = K extends keyof ApiMessages
  ? ApiMessages[K]['request']
  : Record<string, unknown>;
/** The response body type of an api key; a plain map for keys without a module. */
export type ResponseOf<K extends number> = K extends keyof ApiMessages
  ? ApiMessages[K]['response']
  : Record<string, unknown>;

export const API_DEFINITIONS: readonly ApiDefinition[] = [
  PRODUCE_API,
  FETCH_API,
  LIST_OFFSETS_API,
  METADATA_API,
  API_VERSIONS_API,
  CREATE_TOPICS_API,
  DELETE_TOPICS_API,
  DELETE_RECORDS_API,
  ELECT_LEADERS_API,
  ALTER_PARTITION_REASSIGNMENTS_API,
  LIST_PARTITION_REASSIGNMENTS_API,
  OFFSET_FOR_LEADER_EPOCH_API,
  DESCRIBE_CONFIGS_API,
  ALTER_CONFIGS_API,
  INCREMENTAL_ALTER_CONFIGS_API,
  CREATE_PARTITIONS_API,
  DESCRIBE_CLUSTER_API,
  CONTROLLED_SHUTDOWN_API,
  OFFSET_COMMIT_API,
  OFFSET_FETCH_API,
  FIND_COORDINATOR_API,
  JOIN_GROUP_API,
  HEARTBEAT_API,
  LEAVE_GROUP_API,
  SYNC_GROUP_API,
  DESCRIBE_GROUPS_API,
  LIST_GROUPS_API,
  DELETE_GROUPS_API,
  OFFSET_DELETE_API,
  ALTER_REPLICA_LOG_DIRS_API,
  DESCRIBE_LOG_DIRS_API,
  DESCRIBE_DELAYED_RECORDS_API,
  LIST_OFFSET_TIMESTAMPS_API,
  DESCRIBE_GROUP_LAG_API,
  SASL_HANDSHAKE_API,
  SASL_AUTHENTICATE_API,
  DESCRIBE_ACLS_API,
  CREATE_ACLS_API,
  DELETE_ACLS_API,
  DESCRIBE_CLIENT_QUOTAS_API,
  ALTER_CLIENT_QUOTAS_API,
  DESCRIBE_USER_SCRAM_CREDENTIALS_API,
  ALTER_USER_SCRAM_CREDENTIALS_API,
  INIT_PRODUCER_ID_API,
  ADD_PARTITIONS_TO_TXN_API,
  ADD_OFFSETS_TO_TXN_API,
  END_TXN_API,
  WRITE_TXN_MARKERS_API,
  TXN_OFFSET_COMMIT_API,
  DESCRIBE_PRODUCERS_API,
  DESCRIBE_TRANSACTIONS_API,
  LIST_TRANSACTIONS_API,
];

export * from './alter-configs.js';
export * from './incremental-alter-configs.js';
export * from './api-versions.js';
export * from './create-partitions.js';
export * from './create-topics.js';
export * from './delete-topics.js';
export * from './delete-records.js';
export * from './alter-replica-log-dirs.js';
export * from './elect-leaders.js';
export * from './alter-partition-reassignments.js';
export * from './list-partition-reassignments.js';
export * from './describe-cluster.js';
export * from './describe-configs.js';
export * from './fetch.js';
export * from './list-offsets.js';
export * from './metadata.js';
export * from './offset-for-leader-epoch.js';
export * from './produce.js';
export * from './controlled-shutdown.js';
export * from './offset-commit.js';
export * from './offset-fetch.js';
export * from './find-coordinator.js';
export * from './join-group.js';
export * from './heartbeat.js';
export * from './leave-group.js';
export * from './sync-group.js';
export * from './describe-groups.js';
export * from './list-groups.js';
export * from './delete-groups.js';
export * from './offset-delete.js';
export * from './describe-log-dirs.js';
export * from './describe-delayed-records.js';
export * from './list-offset-timestamps.js';
export * from './describe-group-lag.js';
export * from './sasl-handshake.js';
export * from './sasl-authenticate.js';
export * from './describe-acls.js';
export * from './create-acls.js';
export * from './delete-acls.js';
export * from './describe-client-quotas.js';
export * from './alter-client-quotas.js';
export * from './describe-user-scram-credentials.js';
export * from './alter-user-scram-credentials.js';
export * from './init-producer-id.js';
export * from './add-partitions-to-txn.js';
export * from './add-offsets-to-txn.js';
export * from './end-txn.js';
export * from './write-txn-markers.js';
export * from './txn-offset-commit.js';
export * from './describe-producers.js';
export * from './describe-transactions.js';
export * from './list-transactions.js';
