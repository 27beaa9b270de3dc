/**
 * DeleteTopics (api key 20): delete topics by name. Sent to the controller. Fields follow Kafka 2.8's
 * DeleteTopicsRequest/DeleteTopicsResponse (v5 field set: names, not topic ids).
 *
 * DeleteTopicsRequest => topicNames[] timeoutMs
 * DeleteTopicsResponse => throttleTimeMs responses[name errorCode errorMessage?]
 *
 * - timeoutMs: how long to wait for the deletion to complete on the brokers (0: return once it is queued).
 * - Per topic: UNKNOWN_TOPIC_OR_PARTITION, TOPIC_DELETION_DISABLED, REQUEST_TIMED_OUT, NOT_CONTROLLER.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const DeleteTopicsRequestSchema = struct({
  topicNames: array(string()),
  timeoutMs: int32(),
});

const DeleteTopicsResponseSchema = struct({
  throttleTimeMs: int32(),
  responses: array(
    struct({
      name: string(),
      errorCode: int16(),
      errorMessage: nullable(string()),
    }),
  ),
});

export type DeleteTopicsRequest = Infer<typeof DeleteTopicsRequestSchema>;
export type DeleteTopicsResponse = Infer<typeof DeleteTopicsResponseSchema>;

export const DELETE_TOPICS_API = defineApi({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  requestSchema: DeleteTopicsRequestSchema,
  responseSchema: DeleteTopicsResponseSchema,
});

export const validateDeleteTopicsRequest = DELETE_TOPICS_API.validateRequest;
