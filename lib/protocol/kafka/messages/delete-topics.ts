/**
 * DeleteTopics (20) on a Kafka listener: v0-5, flexible from v4; error messages from v5. v6 names topics by id
 * (KIP-516), which this broker does not take, so it is not served.
 */
import { ApiKey } from '../../api-keys.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_DELETE_TOPICS = defineKafkaApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  versions: '0-5',
  flexibleVersions: '4+',
  request: [field('topicNames', arrayOf('string')), field('timeoutMs', 'int32')],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('responses', [
      field('name', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { versions: '5+', nullable: '5+' }),
    ]),
  ],
});
