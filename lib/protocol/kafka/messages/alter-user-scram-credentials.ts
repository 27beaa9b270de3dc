/** AlterUserScramCredentials (51) on a Kafka listener: v0, flexible. */
import { ApiKey } from '../../api-keys.js';
import type { AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_ALTER_USER_SCRAM_CREDENTIALS = defineKafkaApi<
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse
>({
  apiKey: ApiKey.AlterUserScramCredentials,
  name: 'AlterUserScramCredentials',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    field('deletions', [field('name', 'string'), field('mechanism', 'int8')]),
    field('upsertions', [
      field('name', 'string'),
      field('mechanism', 'int8'),
      field('iterations', 'int32'),
      field('salt', 'bytes'),
      field('saltedPassword', 'bytes'),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('user', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
    ]),
  ],
});
