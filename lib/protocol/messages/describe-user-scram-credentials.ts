/**
 * DescribeUserScramCredentials (api key 50, KIP-554): which SCRAM mechanisms each user has a credential for, and
 * with how many iterations (never the credential). Needs Describe on the Cluster. Fields follow Kafka 2.8's
 * DescribeUserScramCredentialsRequest/Response (v0).
 *
 * DescribeUserScramCredentialsRequest => users[name]?   (null or empty: every user with a credential)
 * DescribeUserScramCredentialsResponse => throttleTimeMs errorCode errorMessage? results[user errorCode
 *     errorMessage? credentialInfos[mechanism iterations]]
 *
 * - mechanism: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512. RESOURCE_NOT_FOUND for a named user without credentials.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const DescribeUserScramCredentialsRequestSchema = struct({
  users: nullable(array(struct({ name: string() }))),
});

const DescribeUserScramCredentialsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  results: array(
    struct({
      user: string(),
      errorCode: int16(),
      errorMessage: nullable(string()),
      credentialInfos: array(struct({ mechanism: int8(), iterations: int32() })),
    }),
  ),
});

export type DescribeUserScramCredentialsRequest = Infer<typeof DescribeUserScramCredentialsRequestSchema>;
export type DescribeUserScramCredentialsResponse = Infer<typeof DescribeUserScramCredentialsResponseSchema>;

export const DESCRIBE_USER_SCRAM_CREDENTIALS_API = defineApi({
  apiKey: ApiKey.DescribeUserScramCredentials,
  name: 'DescribeUserScramCredentials',
  requestSchema: DescribeUserScramCredentialsRequestSchema,
  responseSchema: DescribeUserScramCredentialsResponseSchema,
});
