/** DescribeUserScramCredentials (50) on a Kafka listener: v0, flexible. */
import { ApiKey } from '../../api-keys.js';
import type {
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_USER_SCRAM_CREDENTIALS = defineKafkaApi<
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse
>({
  apiKey: ApiKey.DescribeUserScramCredentials,
  name: 'DescribeUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [field('users', [field('name', 'string')], { nullable: '0+' })],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('results', [
      field('user', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
      field('credentialInfos', [field('mechanism', 'int8'), field('iterations', 'int32')]),
    ]),
  ],
});
