/**
 * Every API a Kafka-protocol listener can serve, one table per module. A listener serves those whose api key also
 * has a broker handler (the broker passes its msgpack definitions, which carry the validators): adding an API to
 * the Kafka listener is adding its module here once its handler exists.
 */
import type { KafkaApi } from '../kafka-api.js';
import { KAFKA_ADD_OFFSETS_TO_TXN } from './add-offsets-to-txn.js';
import { KAFKA_ADD_PARTITIONS_TO_TXN } from './add-partitions-to-txn.js';
import { KAFKA_ALTER_CONFIGS } from './alter-configs.js';
import { KAFKA_ALTER_PARTITION_REASSIGNMENTS } from './alter-partition-reassignments.js';
import { KAFKA_API_VERSIONS } from './api-versions.js';
import { KAFKA_CREATE_PARTITIONS } from './create-partitions.js';
import { KAFKA_CREATE_TOPICS } from './create-topics.js';
import { KAFKA_DELETE_GROUPS } from './delete-groups.js';
import { KAFKA_DELETE_RECORDS } from './delete-records.js';
import { KAFKA_DELETE_TOPICS } from './delete-topics.js';
import { KAFKA_DESCRIBE_CLUSTER } from './describe-cluster.js';
import { KAFKA_DESCRIBE_CONFIGS } from './describe-configs.js';
import { KAFKA_DESCRIBE_GROUPS } from './describe-groups.js';
import { KAFKA_DESCRIBE_LOG_DIRS } from './describe-log-dirs.js';
import { KAFKA_ALTER_REPLICA_LOG_DIRS } from './alter-replica-log-dirs.js';
import { KAFKA_ELECT_LEADERS } from './elect-leaders.js';
import { KAFKA_END_TXN } from './end-txn.js';
import { KAFKA_FETCH } from './fetch.js';
import { KAFKA_FIND_COORDINATOR } from './find-coordinator.js';
import { KAFKA_HEARTBEAT } from './heartbeat.js';
import { KAFKA_INCREMENTAL_ALTER_CONFIGS } from './incremental-alter-configs.js';
import { KAFKA_INIT_PRODUCER_ID } from './init-producer-id.js';
import { KAFKA_JOIN_GROUP } from './join-group.js';
import { KAFKA_LEAVE_GROUP } from './leave-group.js';
import { KAFKA_LIST_GROUPS } from './list-groups.js';
import { KAFKA_LIST_OFFSETS } from './list-offsets.js';
import { KAFKA_LIST_PARTITION_REASSIGNMENTS } from './list-partition-reassignments.js';
import { KAFKA_METADATA } from './metadata.js';
import { KAFKA_OFFSET_COMMIT } from './offset-commit.js';
import { KAFKA_OFFSET_DELETE } from './offset-delete.js';
import { KAFKA_OFFSET_FETCH } from './offset-fetch.js';
import { KAFKA_OFFSET_FOR_LEADER_EPOCH } from './offset-for-leader-epoch.js';
import { KAFKA_PRODUCE } from './produce.js';
import { KAFKA_SYNC_GROUP } from './sync-group.js';
import { KAFKA_SASL_HANDSHAKE } from './sasl-handshake.js';
import { KAFKA_SASL_AUTHENTICATE } from './sasl-authenticate.js';
import { KAFKA_DESCRIBE_ACLS } from './describe-acls.js';
import { KAFKA_CREATE_ACLS } from './create-acls.js';
import { KAFKA_DELETE_ACLS } from './delete-acls.js';
import { KAFKA_DESCRIBE_CLIENT_QUOTAS } from './describe-client-quotas.js';
import { KAFKA_ALTER_CLIENT_QUOTAS } from './alter-client-quotas.js';
import { KAFKA_DESCRIBE_USER_SCRAM_CREDENTIALS } from './describe-user-scram-credentials.js';
import { KAFKA_ALTER_USER_SCRAM_CREDENTIALS } from './alter-user-scram-credentials.js';
import { KAFKA_TXN_OFFSET_COMMIT } from './txn-offset-commit.js';

export const KAFKA_APIS: readonly KafkaApi[] = [
  KAFKA_PRODUCE,
  KAFKA_FETCH,
  KAFKA_LIST_OFFSETS,
  KAFKA_METADATA,
  KAFKA_OFFSET_COMMIT,
  KAFKA_OFFSET_FETCH,
  KAFKA_FIND_COORDINATOR,
  KAFKA_JOIN_GROUP,
  KAFKA_HEARTBEAT,
  KAFKA_LEAVE_GROUP,
  KAFKA_SYNC_GROUP,
  KAFKA_DESCRIBE_GROUPS,
  KAFKA_LIST_GROUPS,
  KAFKA_API_VERSIONS,
  KAFKA_CREATE_TOPICS,
  KAFKA_DELETE_TOPICS,
  KAFKA_DELETE_RECORDS,
  KAFKA_INIT_PRODUCER_ID,
  KAFKA_OFFSET_FOR_LEADER_EPOCH,
  KAFKA_ADD_PARTITIONS_TO_TXN,
  KAFKA_ADD_OFFSETS_TO_TXN,
  KAFKA_END_TXN,
  KAFKA_TXN_OFFSET_COMMIT,
  KAFKA_DESCRIBE_CONFIGS,
  KAFKA_ALTER_CONFIGS,
  KAFKA_DESCRIBE_LOG_DIRS,
  KAFKA_ALTER_REPLICA_LOG_DIRS,
  KAFKA_CREATE_PARTITIONS,
  KAFKA_DELETE_GROUPS,
  KAFKA_ELECT_LEADERS,
  KAFKA_INCREMENTAL_ALTER_CONFIGS,
  KAFKA_ALTER_PARTITION_REASSIGNMENTS,
  KAFKA_LIST_PARTITION_REASSIGNMENTS,
  KAFKA_OFFSET_DELETE,
  KAFKA_DESCRIBE_CLUSTER,
  KAFKA_SASL_HANDSHAKE,
  KAFKA_SASL_AUTHENTICATE,
  KAFKA_DESCRIBE_ACLS,
  KAFKA_CREATE_ACLS,
  KAFKA_DELETE_ACLS,
  KAFKA_DESCRIBE_CLIENT_QUOTAS,
  KAFKA_ALTER_CLIENT_QUOTAS,
  KAFKA_DESCRIBE_USER_SCRAM_CREDENTIALS,
  KAFKA_ALTER_USER_SCRAM_CREDENTIALS,
];
