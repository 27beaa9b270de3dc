/**
 * The client's side of a SASL exchange (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), as the bytes each SaslAuthenticate
 * request carries: `initial()` is the first message, `evaluate(challenge)` the answer to each server message until
 * it reports done. SCRAM checks the server's signature before it reports done, so a client never talks to a broker
 * that does not know its credential (mutual authentication).
 *
 * Errors: ApiError SASL_AUTHENTICATION_FAILED when the server's messages do not verify. Ownership: one exchange per
 * authentication (and per re-authentication) of one connection.
 */
import { ApiError, InvalidArgumentError } from '../../common/errors.js';
import {
  clientFinal,
  clientFirstBytes,
  formatClientFirst,
  parseServerFinal,
  parseServerFirst,
  randomNonce,
  scramMechanism,
  secretsEqual,
  type ClientFirstMessage,
  type ScramMechanism,
} from './scram.js';
import { PLAIN, SUPPORTED_SASL_MECHANISMS } from './sasl-server.js';

/** What a client authenticates with. */
export interface SaslClientCredentials {
  readonly mechanism: string;
  readonly username: string;
  readonly password: string;
}

export type SaslClientStep = { done: false; response: Buffer } | { done: true };

export interface SaslClientExchange {
  initial(): Buffer;
  /** The response to a server message, or done when the exchange is complete and verified. */
  evaluate(challenge: Buffer): SaslClientStep;
}

export function saslClientExchange(c: SaslClientCredentials): SaslClientExchange {
  if (c.mechanism === PLAIN) return new PlainClient(c);
  const scram = scramMechanism(c.mechanism);
  if (scram === undefined) {
    throw new InvalidArgumentError(
      `SASL mechanism '${c.mechanism}' is not supported by this client; use one of ${SUPPORTED_SASL_MECHANISMS.join(', ')}.`,
    );
  }
  return new ScramClient(scram, c);
}

class PlainClient implements SaslClientExchange {
  constructor(private readonly c: SaslClientCredentials) {}

  initial(): Buffer {
    return Buffer.from(`\u0000${this.c.username}\u0000${this.c.password}`, 'utf8');
  }

  evaluate(): SaslClientStep {
    return { done: true };
  }
}

class ScramClient implements SaslClientExchange {
  private first: ClientFirstMessage;
  private expectedSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly c: SaslClientCredentials,
  ) {
    this.first = formatClientFirst(c.username, randomNonce());
  }

  initial(): Buffer {
    return clientFirstBytes(this.first);
  }

  evaluate(challenge: Buffer): SaslClientStep {
    if (this.expectedSignature === null) {
      const serverFirst = parseServerFirst(challenge);
      if (serverFirst === undefined || !serverFirst.nonce.startsWith(this.first.nonce)) {
        throw this.failed('the server-first message is malformed or does not extend the client nonce');
      }
      if (serverFirst.iterations < this.mechanism.minIterations) {
        throw this.failed(
          `the server asks for ${serverFirst.iterations} iterations, fewer than ${this.mechanism.minIterations}`,
        );
      }
      const { message, expectedServerSignature } = clientFinal(
        this.mechanism,
        this.c.password,
        this.first,
        serverFirst,
      );
      this.expectedSignature = expectedServerSignature;
      return { done: false, response: message };
    }
    const final = parseServerFinal(challenge);
    if (final === undefined) throw this.failed('the server-final message is malformed');
    if ('error' in final) throw this.failed(`the server answered '${final.error}'`);
    if (!secretsEqual(final.signature, this.expectedSignature)) {
      throw this.failed("the server signature does not match: the broker does not hold this user's credential");
    }
    return { done: true };
  }

  private failed(why: string): ApiError {
    return new ApiError('SASL_AUTHENTICATION_FAILED', `${this.mechanism.name} authentication failed: ${why}.`);
  }
}
