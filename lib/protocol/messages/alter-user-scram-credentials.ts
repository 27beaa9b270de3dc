/**
 * AlterUserScramCredentials (api key 51, KIP-554): creates, changes and deletes SCRAM credentials. The client sends
 * a random salt and the salted password (Hi(password, salt, iterations)), never the password; the broker derives
 * the stored and server keys and writes Kafka's credential string under /config/users/<user>, with a config change
 * notification so that every broker's credential cache follows. Needs Alter on the Cluster. Fields follow Kafka
 * 2.8's AlterUserScramCredentialsRequest/Response (v0).
 *
 * AlterUserScramCredentialsRequest => deletions[name mechanism] upsertions[name mechanism iterations salt
 *     saltedPassword]
 * AlterUserScramCredentialsResponse => throttleTimeMs results[user errorCode errorMessage?]   (one per user)
 *
 * - UNSUPPORTED_SASL_MECHANISM: an unknown mechanism code; UNACCEPTABLE_CREDENTIAL: iterations out of range, an
 *   empty user or salt; RESOURCE_NOT_FOUND: deleting a credential that does not exist; DUPLICATE_RESOURCE: the same
 *   user and mechanism twice in one request.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bytes, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const AlterUserScramCredentialsRequestSchema = struct({
  deletions: array(struct({ name: string(), mechanism: int8() })),
  upsertions: array(
    struct({ name: string(), mechanism: int8(), iterations: int32(), salt: bytes(), saltedPassword: bytes() }),
  ),
});

const AlterUserScramCredentialsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(struct({ user: string(), errorCode: int16(), errorMessage: nullable(string()) })),
});

export type AlterUserScramCredentialsRequest = Infer<typeof AlterUserScramCredentialsRequestSchema>;
export type AlterUserScramCredentialsResponse = Infer<typeof AlterUserScramCredentialsResponseSchema>;

export const ALTER_USER_SCRAM_CREDENTIALS_API = defineApi({
  apiKey: ApiKey.AlterUserScramCredentials,
  name: 'AlterUserScramCredentials',
  requestSchema: AlterUserScramCredentialsRequestSchema,
  responseSchema: AlterUserScramCredentialsResponseSchema,
});
