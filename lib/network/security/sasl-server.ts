/**
 * The broker's side of SASL on one connection (Kafka's `SaslServerAuthenticator` with its PLAIN and SCRAM servers):
 * decides, for every request a SASL listener receives, whether it is part of the authentication exchange (and what
 * to answer), may go to the handlers, or breaks the protocol.
 *
 * States: Handshake (ApiVersions or SaslHandshake expected) → Authenticate (SaslAuthenticate steps of the chosen
 * mechanism) → Authenticated; any protocol or credential failure → Failed (nothing more is read; the connection
 * closes). With `connections.max.reauth.ms` set, a session expires that long after it began (KIP-368): an
 * authenticated client re-authenticates in-band with SaslHandshake + SaslAuthenticate using the same mechanism and
 * the same principal; a request after expiry closes the connection.
 *
 * What each request gets, as Kafka answers it:
 * - before authentication: ApiVersions goes to the handler; SaslHandshake with an enabled mechanism → Authenticate,
 *   else UNSUPPORTED_SASL_MECHANISM and close; anything else → `reject` ("unexpected request during SASL
 *   handshake": the connection closes).
 * - SaslAuthenticate: the mechanism's next step; wrong credentials → SASL_AUTHENTICATION_FAILED, answered after
 *   `connection.failed.authentication.delay.ms`, then close. The messages are Kafka's, and an unknown SCRAM user goes
 *   through the same exchange as a known one (a salt derived from a per-process secret), so a client learns nothing
 *   about which users exist.
 * - SaslHandshake v0 on Kafka's protocol (clients before Kafka 1.0): the exchange that follows is raw tokens, each a
 *   length-prefixed frame outside Kafka's request framing, answered in kind (`expectsRawToken`, `onRawToken`); a
 *   failure there can only close the connection.
 * Synchronous: credential lookups are in-memory (the broker's caches), so the state moves in request order.
 * Ownership: one per connection of a SASL listener.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { SaslAuthenticateResponse, SaslHandshakeResponse } from '../../protocol/messages/index.js';
import { principalString, userPrincipal, type KafkaPrincipal } from './kafka-principal.js';
import {
  formatServerFinal,
  formatServerFirst,
  parseClientFinal,
  parseClientFirst,
  randomNonce,
  scramMechanism,
  verifyClientFinal,
  type ClientFirstMessage,
  type ScramCredential,
  type ScramMechanism,
  type ServerFirstMessage,
} from './scram.js';

export const PLAIN = 'PLAIN';
/** The mechanisms this build implements. */
export const SUPPORTED_SASL_MECHANISMS: readonly string[] = [PLAIN, 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Where a listener's SASL mechanisms find their credentials (the broker's in-memory caches). */
export interface SaslCredentials {
  /** PLAIN: whether the password is the user's (JAAS `user_<name>` entries). */
  plainAuthenticate(username: string, password: string): boolean;
  /** SCRAM: the user's stored credential for the mechanism, if any. */
  scramCredential(mechanism: string, username: string): ScramCredential | undefined;
}

export interface SaslServerOptions {
  /** `sasl.enabled.mechanisms` of the listener. */
  enabledMechanisms: readonly string[];
  credentials: SaslCredentials;
  /** connections.max.reauth.ms; 0: sessions never expire. */
  maxReauthMs: number;
  /** Wall-clock milliseconds. */
  now: () => number;
}

/** What the connection does with one request. */
export type SaslDecision =
  /** Hand it to the request handler. */
  | { readonly kind: 'dispatch' }
  /** Answer with this body, handlers not involved. */
  | { readonly kind: 'respond'; readonly body: object }
  /** Answer with these bytes as a raw frame (the SaslHandshake v0 exchange). */
  | { readonly kind: 'raw'; readonly bytes: Buffer }
  /** Answer with this body (nothing when null) after the failed-authentication delay, then close. */
  | { readonly kind: 'fail'; readonly body: object | null; readonly reason: string }
  /**
   * Answer with this body (if any) and close: the exchange cannot go on. `expired`: the session ended without
   * re-authentication (rather than a client that never authenticated).
   */
  | {
      readonly kind: 'reject';
      readonly body: SaslHandshakeResponse | null;
      readonly reason: string;
      readonly expired?: boolean;
    };

type State = 'Handshake' | 'Authenticate' | 'Authenticated' | 'Failed';

/** One step of a mechanism's exchange. */
type Step =
  | { kind: 'challenge'; bytes: Buffer }
  | { kind: 'complete'; bytes: Buffer; username: string }
  | { kind: 'failed'; message: string };

interface MechanismServer {
  evaluate(bytes: Buffer): Step;
}

/** A per-process secret from which unknown SCRAM users get stable fake salts. */
const FAKE_SALT_SECRET = randomBytes(32);
const EMPTY = Buffer.alloc(0);

export class SaslServerAuthenticator {
  private state: State = 'Handshake';
  private mechanism = '';
  private exchange: MechanismServer | null = null;
  private authenticated: KafkaPrincipal | null = null;
  private sessionExpiresAtMs = Infinity;
  /** The exchange after a SaslHandshake v0 is raw tokens. */
  private rawTokens = false;

  constructor(private readonly options: SaslServerOptions) {}

  /** The authenticated principal, or null before authentication completes. */
  get principal(): KafkaPrincipal | null {
    return this.authenticated;
  }

  /** Whether requests other than the authentication exchange may be served. */
  get isAuthenticated(): boolean {
    return this.state === 'Authenticated';
  }

  /** Whether the connection must read nothing more (it failed and is being closed). */
  get isFailed(): boolean {
    return this.state === 'Failed';
  }

  /** Whether the next frame is a raw SASL token (after SaslHandshake v0), not a request. */
  get expectsRawToken(): boolean {
    return this.state === 'Authenticate' && this.rawTokens;
  }

  /** The mechanism of the current or last exchange. */
  get mechanismName(): string {
    return this.mechanism;
  }

  /**
   * Decides what one decoded request gets (see the header). `legacyHandshake`: a SaslHandshake v0 on Kafka's
   * protocol, after which tokens come raw.
   */
  onRequest(apiKey: number, body: unknown, legacyHandshake = false): SaslDecision {
    switch (this.state) {
      case 'Failed':
        return this.reject(null, 'the connection already failed authentication');
      case 'Handshake':
        if (apiKey === ApiKey.ApiVersions && this.authenticated === null) return { kind: 'dispatch' };
        if (apiKey === ApiKey.SaslHandshake) {
          this.rawTokens = legacyHandshake;
          return this.handshake((body as { mechanism: string }).mechanism);
        }
        return this.reject(null, `unexpected request of type ${apiKey} during SASL handshake`);
      case 'Authenticate':
        if (apiKey === ApiKey.SaslAuthenticate && !this.rawTokens)
          return this.authenticate((body as { authBytes: Buffer }).authBytes);
        return this.reject(null, `unexpected request of type ${apiKey} during SASL authentication`);
      case 'Authenticated':
        if (this.options.now() >= this.sessionExpiresAtMs && apiKey !== ApiKey.SaslHandshake) {
          this.state = 'Failed';
          return {
            kind: 'reject',
            body: null,
            reason: 'the SASL session expired (connections.max.reauth.ms) without re-authentication',
            expired: true,
          };
        }
        if (apiKey === ApiKey.SaslHandshake && this.options.maxReauthMs > 0) {
          this.state = 'Handshake';
          return this.handshake((body as { mechanism: string }).mechanism);
        }
        return { kind: 'dispatch' };
    }
  }

  private handshake(mechanism: string): SaslDecision {
    const enabled = this.options.enabledMechanisms;
    if (this.authenticated !== null && mechanism !== this.mechanism) {
      return this.reject(
        { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [this.mechanism] },
        `re-authentication must use the original mechanism ${this.mechanism}, not ${mechanism}`,
      );
    }
    const server = enabled.includes(mechanism) ? this.mechanismServer(mechanism) : undefined;
    if (server === undefined) {
      return this.reject(
        { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [...enabled] },
        `unsupported SASL mechanism ${mechanism}`,
      );
    }
    this.mechanism = mechanism;
    this.exchange = server;
    this.state = 'Authenticate';
    const response: SaslHandshakeResponse = { errorCode: ErrorCode.NONE, mechanisms: [...enabled] };
    return { kind: 'respond', body: response };
  }

  /** One raw token of the exchange after SaslHandshake v0. */
  onRawToken(bytes: Buffer): SaslDecision {
    const outcome = this.step(bytes);
    if (outcome.kind === 'failed') return { kind: 'fail', body: null, reason: outcome.message };
    return { kind: 'raw', bytes: outcome.bytes };
  }

  private authenticate(bytes: Buffer): SaslDecision {
    const outcome = this.step(bytes);
    if (outcome.kind === 'failed') {
      const body: SaslAuthenticateResponse = {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: outcome.message,
        authBytes: EMPTY,
        sessionLifetimeMs: 0,
      };
      return { kind: 'fail', body, reason: outcome.message };
    }
    const body: SaslAuthenticateResponse = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: outcome.bytes,
      sessionLifetimeMs: outcome.kind === 'complete' ? this.options.maxReauthMs : 0,
    };
    return { kind: 'respond', body };
  }

  /** Runs one step of the mechanism; on completion checks the principal and moves to Authenticated. */
  private step(bytes: Buffer): Step {
    const step = this.exchange!.evaluate(bytes);
    if (step.kind === 'challenge') return step;
    this.exchange = null;
    if (step.kind === 'failed') {
      this.state = 'Failed';
      return step;
    }
    const principal = userPrincipal(step.username);
    if (this.authenticated !== null && principalString(this.authenticated) !== principalString(principal)) {
      this.state = 'Failed';
      return {
        kind: 'failed',
        message:
          `Cannot change principals during re-authentication from ${principalString(this.authenticated)} to ` +
          `${principalString(principal)}.`,
      };
    }
    this.authenticated = principal;
    this.state = 'Authenticated';
    const lifetime = this.options.maxReauthMs;
    this.sessionExpiresAtMs = lifetime > 0 ? this.options.now() + lifetime : Infinity;
    return step;
  }

  private reject(body: SaslHandshakeResponse | null, reason: string): SaslDecision {
    this.state = 'Failed';
    return { kind: 'reject', body, reason };
  }

  private mechanismServer(mechanism: string): MechanismServer | undefined {
    if (mechanism === PLAIN) return new PlainServer(this.options.credentials);
    const scram = scramMechanism(mechanism);
    return scram === undefined ? undefined : new ScramServer(scram, this.options.credentials);
  }
}

/** RFC 4616: `[authzid] NUL authcid NUL passwd`, one message, no challenge. */
class PlainServer implements MechanismServer {
  constructor(private readonly credentials: SaslCredentials) {}

  evaluate(bytes: Buffer): Step {
    const tokens = bytes.toString('utf8').split('\u0000');
    if (tokens.length !== 3) return { kind: 'failed', message: 'Invalid SASL/PLAIN response: expected 3 tokens.' };
    const [authorizationId, username, password] = tokens as [string, string, string];
    if (username === '') return { kind: 'failed', message: 'Authentication failed: username not specified' };
    if (password === '') return { kind: 'failed', message: 'Authentication failed: password not specified' };
    if (!this.credentials.plainAuthenticate(username, password))
      return { kind: 'failed', message: 'Authentication failed: Invalid username or password' };
    if (authorizationId !== '' && authorizationId !== username) {
      return {
        kind: 'failed',
        message: 'Authentication failed: Client requested an authorization id that is different from username',
      };
    }
    return { kind: 'complete', bytes: EMPTY, username };
  }
}

/** RFC 5802 server: client-first → server-first, client-final → server-final. */
class ScramServer implements MechanismServer {
  private first: ClientFirstMessage | null = null;
  private serverFirst: ServerFirstMessage | null = null;
  private credential: ScramCredential | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly credentials: SaslCredentials,
  ) {}

  private failure(): Step {
    return {
      kind: 'failed',
      message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism.name}`,
    };
  }

  evaluate(bytes: Buffer): Step {
    if (this.first === null) {
      const first = parseClientFirst(bytes);
      if (first === undefined) return this.failure();
      if (first.authorizationId !== '' && first.authorizationId !== first.username) {
        return {
          kind: 'failed',
          message: 'Authentication failed: Client requested an authorization id that is different from username',
        };
      }
      const stored = this.credentials.scramCredential(this.mechanism.name, first.username);
      if (stored !== undefined && stored.iterations < this.mechanism.minIterations) return this.failure();
      this.credential = stored ?? fakeCredential(this.mechanism, first.username);
      this.first = first;
      this.serverFirst = formatServerFirst(
        first.nonce + randomNonce(),
        this.credential.salt,
        this.credential.iterations,
      );
      return { kind: 'challenge', bytes: Buffer.from(this.serverFirst.text, 'utf8') };
    }
    const final = parseClientFinal(bytes);
    if (final === undefined || this.serverFirst === null) return this.failure();
    const signature = verifyClientFinal(this.mechanism, this.credential!, this.first, this.serverFirst, final);
    this.serverFirst = null;
    this.credential = null;
    if (signature === undefined) return this.failure();
    return { kind: 'complete', bytes: formatServerFinal(signature), username: this.first.username };
  }
}

/**
 * A credential no password matches, with a salt that is the same every time for the same unknown user (so that
 * probing two connections does not tell unknown users from known ones).
 */
function fakeCredential(m: ScramMechanism, username: string): ScramCredential {
  const salt = createHmac('sha256', FAKE_SALT_SECRET).update(`${m.name}:${username}`).digest();
  return {
    salt,
    storedKey: randomBytes(m.keyLength),
    serverKey: randomBytes(m.keyLength),
    iterations: m.minIterations,
  };
}

/** Constant-time password check for PLAIN (hashing first makes the lengths equal). */
export function passwordsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
