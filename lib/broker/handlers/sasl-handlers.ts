/**
 * SaslHandshake and SaslAuthenticate as handlers: on a SASL listener the connection's authenticator answers them
 * (lib/network/security/sasl-server.ts) and only those it lets through get here, which is when the exchange is not
 * expected: a listener without SASL, or a connection already authenticated without re-authentication
 * (connections.max.reauth.ms). Both are answered ILLEGAL_SASL_STATE, as Kafka's KafkaApis answers them.
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { RequestContext } from '../../network/request-context.js';
import type {
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
} from '../../protocol/messages/index.js';

export async function handleSaslHandshake(
  _ctx: RequestContext,
  _req: SaslHandshakeRequest,
): Promise<SaslHandshakeResponse> {
  return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
}

export async function handleSaslAuthenticate(
  ctx: RequestContext,
  _req: SaslAuthenticateRequest,
): Promise<SaslAuthenticateResponse> {
  const sasl = ctx.listener.securityProtocol === 'SASL_PLAINTEXT' || ctx.listener.securityProtocol === 'SASL_SSL';
  return {
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: sasl
      ? 'SaslAuthenticate request received after successful authentication'
      : `Listener ${ctx.listener.name} is ${ctx.listener.securityProtocol}: it does not authenticate with SASL.`,
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  };
}
