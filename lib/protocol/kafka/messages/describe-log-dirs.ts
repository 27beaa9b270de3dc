/** DescribeLogDirs (35) on a Kafka listener: v0-2 (v1 only changed throttling), flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_LOG_DIRS = defineKafkaApi<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [field('topics', [field('topic', 'string'), field('partitionIndex', arrayOf('int32'))], { nullable: '0+' })],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('errorCode', 'int16'),
      field('logDir', 'string'),
      field('topics', [
        field('name', 'string'),
        field('partitions', [
          field('partitionIndex', 'int32'),
          field('partitionSize', 'int64'),
          field('offsetLag', 'int64'),
          field('isFutureKey', 'bool'),
        ]),
      ]),
    ]),
  ],
});
