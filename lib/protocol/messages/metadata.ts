/**
 * Metadata (api key 3): the brokers, the controller and the partitions (leader, replicas, ISR) of some or all
 * topics. Fields follow Kafka 2.8's MetadataRequest/MetadataResponse without topic ids and authorized
 * operations.
 *
 * MetadataRequest => topics[name]? allowAutoTopicCreation
 * MetadataResponse => throttleTimeMs brokers[nodeId host port rack?] clusterId? controllerId topics[errorCode name
 *     isInternal partitions[errorCode partitionIndex leaderId leaderEpoch replicaNodes[] isrNodes[]
 *     offlineReplicas[]]]
 *
 * - topics: null asks for all topics; an empty array for none (brokers and controller only).
 * - allowAutoTopicCreation: create missing topics when the broker has auto.create.topics.enable.
 * - controllerId / leaderId: -1 when unknown; rack and clusterId may be null.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const MetadataRequestSchema = struct({
  topics: nullable(
    array(
      struct({
        name: string(),
      }),
    ),
  ),
  allowAutoTopicCreation: bool(),
});

const MetadataResponseSchema = struct({
  throttleTimeMs: int32(),
  brokers: array(
    struct({
      nodeId: int32(),
      host: string(),
      port: int32(),
      rack: nullable(string()),
    }),
  ),
  clusterId: nullable(string()),
  controllerId: int32(),
  topics: array(
    struct({
      errorCode: int16(),
      name: string(),
      isInternal: bool(),
      partitions: array(
        struct({
          errorCode: int16(),
          partitionIndex: int32(),
          leaderId: int32(),
          leaderEpoch: int32(),
          replicaNodes: array(int32()),
          isrNodes: array(int32()),
          offlineReplicas: array(int32()),
        }),
      ),
    }),
  ),
});

export type MetadataRequest = Infer<typeof MetadataRequestSchema>;
export type MetadataResponse = Infer<typeof MetadataResponseSchema>;

export const METADATA_API = defineApi({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  requestSchema: MetadataRequestSchema,
  responseSchema: MetadataResponseSchema,
});

export const validateMetadataRequest = METADATA_API.validateRequest;
