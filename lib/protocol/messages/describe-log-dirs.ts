/**
 * DescribeLogDirs (api key 35): the log directories of the broker asked, with the size of every partition replica in
 * them and how far each is behind its high watermark, behind kafka-log-dirs. Fields follow Kafka 2.8's
 * DescribeLogDirsRequest/Response (v1 field set).
 *
 * DescribeLogDirsRequest => topics[topic partitionIndex[]]? (null: every replica the broker hosts)
 * DescribeLogDirsResponse => throttleTimeMs results[errorCode logDir topics[name partitions[partitionIndex
 *   partitionSize offsetLag isFutureKey]]]
 *
 * - offsetLag is max(0, high watermark - log end offset) for a current replica, as Kafka reports it; for a future
 *   replica (isFutureKey: one moving into this dir, AlterReplicaLogDirs) it is how far its log end trails the current
 *   replica's, which is listed in its own dir.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const DescribeLogDirsRequestSchema = struct({
  topics: nullable(
    array(
      struct({
        topic: string(),
        partitionIndex: array(int32()),
      }),
    ),
  ),
});

const DescribeLogDirsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      errorCode: int16(),
      logDir: string(),
      topics: array(
        struct({
          name: string(),
          partitions: array(
            struct({
              partitionIndex: int32(),
              partitionSize: int64(),
              offsetLag: int64(),
              isFutureKey: bool(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export type DescribeLogDirsRequest = Infer<typeof DescribeLogDirsRequestSchema>;
export type DescribeLogDirsResponse = Infer<typeof DescribeLogDirsResponseSchema>;

export const DESCRIBE_LOG_DIRS_API = defineApi({
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  requestSchema: DescribeLogDirsRequestSchema,
  responseSchema: DescribeLogDirsResponseSchema,
});
