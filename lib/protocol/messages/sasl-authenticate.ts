/**
 * SaslAuthenticate (api key 36): one step of the SASL exchange chosen by SaslHandshake; the bytes are the
 * mechanism's (PLAIN's single message, SCRAM's client-first and client-final). Fields follow Kafka 2.8's
 * SaslAuthenticateRequest/Response (v2).
 *
 * SaslAuthenticateRequest => authBytes
 * SaslAuthenticateResponse => errorCode errorMessage? authBytes sessionLifetimeMs
 *
 * - SASL_AUTHENTICATION_FAILED with a message: wrong credentials (answered after
 *   connection.failed.authentication.delay.ms, then the connection is closed).
 * - sessionLifetimeMs: with connections.max.reauth.ms set, the client must re-authenticate within this long or the
 *   broker closes the connection at its next request (KIP-368); 0 when sessions do not expire.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { bytes, int16, int64, nullable, string, struct, type Infer } from '../schema.js';

const SaslAuthenticateRequestSchema = struct({
  authBytes: bytes(),
});

const SaslAuthenticateResponseSchema = struct({
  errorCode: int16(),
  errorMessage: nullable(string()),
  authBytes: bytes(),
  sessionLifetimeMs: int64(),
});

export type SaslAuthenticateRequest = Infer<typeof SaslAuthenticateRequestSchema>;
export type SaslAuthenticateResponse = Infer<typeof SaslAuthenticateResponseSchema>;

export const SASL_AUTHENTICATE_API = defineApi({
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  requestSchema: SaslAuthenticateRequestSchema,
  responseSchema: SaslAuthenticateResponseSchema,
});
