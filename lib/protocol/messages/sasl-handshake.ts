/**
 * SaslHandshake (api key 17): the first request on a SASL listener after an optional ApiVersions; the client names
 * its mechanism and the broker answers with the mechanisms it has enabled. Fields follow Kafka 2.8's
 * SaslHandshakeRequest/Response (v1: the exchange that follows is carried by SaslAuthenticate requests).
 *
 * SaslHandshakeRequest => mechanism
 * SaslHandshakeResponse => errorCode mechanisms[]
 *
 * - UNSUPPORTED_SASL_MECHANISM: the mechanism is not enabled on this listener (the connection is then closed).
 * - ILLEGAL_SASL_STATE: a handshake on a listener without SASL, or after authentication without re-authentication.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, string, struct, type Infer } from '../schema.js';

const SaslHandshakeRequestSchema = struct({
  mechanism: string(),
});

const SaslHandshakeResponseSchema = struct({
  errorCode: int16(),
  mechanisms: array(string()),
});

export type SaslHandshakeRequest = Infer<typeof SaslHandshakeRequestSchema>;
export type SaslHandshakeResponse = Infer<typeof SaslHandshakeResponseSchema>;

export const SASL_HANDSHAKE_API = defineApi({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  requestSchema: SaslHandshakeRequestSchema,
  responseSchema: SaslHandshakeResponseSchema,
});
