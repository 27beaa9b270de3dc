/**
 * DescribeProducers (api key 61, KIP-664): what a partition leader knows of the producers writing to it — for
 * `mq-admin transactions describe-producers` and `find-hanging`. Fields follow Kafka's DescribeProducersRequest/
 * Response (v0).
 *
 * DescribeProducersRequest => topics[name partitionIndexes[]]
 * DescribeProducersResponse => throttleTimeMs topics[name partitions[partitionIndex errorCode errorMessage?
 *     activeProducers[producerId producerEpoch lastSequence lastTimestamp coordinatorEpoch currentTxnStartOffset]]]
 *
 * - currentTxnStartOffset: first offset of the producer's open transaction here, -1 when none.
 * - A partition not led here answers NOT_LEADER_OR_FOLLOWER.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const DescribeProducersRequestSchema = struct({
  topics: array(struct({ name: string(), partitionIndexes: array(int32({ min: 0 })) })),
});

const DescribeProducersResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          errorCode: int16(),
          errorMessage: nullable(string()),
          activeProducers: array(
            struct({
              producerId: int64(),
              producerEpoch: int32(),
              lastSequence: int32(),
              lastTimestamp: int64(),
              coordinatorEpoch: int32(),
              currentTxnStartOffset: int64(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export type DescribeProducersRequest = Infer<typeof DescribeProducersRequestSchema>;
export type DescribeProducersResponse = Infer<typeof DescribeProducersResponseSchema>;

export const DESCRIBE_PRODUCERS_API = defineApi({
  apiKey: ApiKey.DescribeProducers,
  name: 'DescribeProducers',
  requestSchema: DescribeProducersRequestSchema,
  responseSchema: DescribeProducersResponseSchema,
});
