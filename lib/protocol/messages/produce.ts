/**
 * Produce (api key 0): append record batches to partition leaders. Fields follow Kafka 2.8's
 * ProduceRequest/ProduceResponse (v8/v9 field set).
 *
 * ProduceRequest => transactionalId? acks timeoutMs topicData[name partitionData[index records]]
 * ProduceResponse => responses[name partitionResponses[index errorCode baseOffset logAppendTimeMs logStartOffset
 *     recordErrors[batchIndex batchIndexErrorMessage?] errorMessage?]] throttleTimeMs
 *
 * - transactionalId: null unless the producer is transactional.
 * - acks: 0 (no response: the broker sends nothing), 1 (leader wrote it), -1 (all ISR have it). Other values
 *   are answered per partition with INVALID_REQUIRED_ACKS, as Kafka does.
 * - records: one or more Kafka v2 record batches, opaque bytes; never walked by the validator.
 * - baseOffset: offset of the first record appended, or -1 on error; logAppendTimeMs is -1 unless the topic uses
 *   LogAppendTime; recordErrors name the batches rejected by validation.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bytes, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const ProduceRequestSchema = struct({
  transactionalId: nullable(string()),
  acks: int16(),
  timeoutMs: int32({ min: 0 }),
  topicData: array(
    struct({
      name: string(),
      partitionData: array(
        struct({
          index: int32({ min: 0 }),
          records: bytes(),
        }),
      ),
    }),
  ),
});

const ProduceResponseSchema = struct({
  responses: array(
    struct({
      name: string(),
      partitionResponses: array(
        struct({
          index: int32(),
          errorCode: int16(),
          baseOffset: int64(),
          logAppendTimeMs: int64(),
          logStartOffset: int64(),
          recordErrors: array(
            struct({
              batchIndex: int32(),
              batchIndexErrorMessage: nullable(string()),
            }),
          ),
          errorMessage: nullable(string()),
        }),
      ),
    }),
  ),
  throttleTimeMs: int32(),
});

export type ProduceRequest = Infer<typeof ProduceRequestSchema>;
export type ProduceResponse = Infer<typeof ProduceResponseSchema>;

export const PRODUCE_API = defineApi({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  requestSchema: ProduceRequestSchema,
  responseSchema: ProduceResponseSchema,
});

export const validateProduceRequest = PRODUCE_API.validateRequest;
