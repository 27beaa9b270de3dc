/**
 * ElectLeaders (api key 43, KIP-460): elect the preferred replica, or any live replica (unclean), as the leader of
 * partitions. Sent to the controller. Fields follow Kafka 2.8's ElectLeadersRequest/ElectLeadersResponse (v2 field
 * set).
 *
 * ElectLeadersRequest => electionType topicPartitions[topic partitions[]]? timeoutMs
 * ElectLeadersResponse => throttleTimeMs errorCode replicaElectionResults[topic partitionResult[partitionId errorCode
 *     errorMessage?]]
 *
 * - electionType: `ElectionType` (0 preferred, 1 unclean). topicPartitions: null for every partition of the cluster
 *   (the response then leaves out those that needed no election).
 * - timeoutMs: how long the controller's broker waits for the new leaders to show in its metadata.
 * - Per partition: ELECTION_NOT_NEEDED (the preferred replica leads already / the leader is alive),
 *   PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION,
 *   INVALID_TOPIC_EXCEPTION (being deleted), NOT_CONTROLLER (retry at the controller Metadata names),
 *   REQUEST_TIMED_OUT.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

/** Kafka's `ElectionType` ids. */
export const ElectionType = { Preferred: 0, Unclean: 1 } as const;

const ElectLeadersRequestSchema = struct({
  electionType: int8({ min: 0, max: 1 }),
  topicPartitions: nullable(
    array(
      struct({
        topic: string(),
        partitions: array(int32({ min: 0 })),
      }),
    ),
  ),
  timeoutMs: int32(),
});

const ElectLeadersResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  replicaElectionResults: array(
    struct({
      topic: string(),
      partitionResult: array(
        struct({
          partitionId: int32(),
          errorCode: int16(),
          errorMessage: nullable(string()),
        }),
      ),
    }),
  ),
});

export type ElectLeadersRequest = Infer<typeof ElectLeadersRequestSchema>;
export type ElectLeadersResponse = Infer<typeof ElectLeadersResponseSchema>;

export const ELECT_LEADERS_API = defineApi({
  apiKey: ApiKey.ElectLeaders,
  name: 'ElectLeaders',
  requestSchema: ElectLeadersRequestSchema,
  responseSchema: ElectLeadersResponseSchema,
});

export const validateElectLeadersRequest = ELECT_LEADERS_API.validateRequest;
