/**
 * ControlledShutdown (api key 7): a broker about to stop asks the active controller to move the leadership of
 * every partition it leads to another in-sync replica and to take it out of the ISRs, so that clients see only
 * retriable errors during a rolling restart. Fields follow Kafka 2.8's ControlledShutdownRequest/Response (v3).
 *
 * ControlledShutdownRequest => brokerId brokerEpoch
 * ControlledShutdownResponse => errorCode remainingPartitions[topicName partitionIndex]
 *
 * - brokerEpoch: the czxid of the broker's /brokers/ids znode; a request from an older incarnation gets
 *   STALE_BROKER_EPOCH. Sent to a broker that is not the controller, it gets NOT_CONTROLLER.
 * - remainingPartitions: partitions the broker still leads (no other live in-sync replica); the broker retries
 *   up to controlled.shutdown.max.retries times and then stops anyway.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const ControlledShutdownRequestSchema = struct({
  brokerId: int32({ min: 0 }),
  brokerEpoch: int64(),
});

const ControlledShutdownResponseSchema = struct({
  errorCode: int16(),
  remainingPartitions: array(
    struct({
      topicName: string(),
      partitionIndex: int32(),
    }),
  ),
});

export type ControlledShutdownRequest = Infer<typeof ControlledShutdownRequestSchema>;
export type ControlledShutdownResponse = Infer<typeof ControlledShutdownResponseSchema>;

export const CONTROLLED_SHUTDOWN_API = defineApi({
  apiKey: ApiKey.ControlledShutdown,
  name: 'ControlledShutdown',
  requestSchema: ControlledShutdownRequestSchema,
  responseSchema: ControlledShutdownResponseSchema,
});
