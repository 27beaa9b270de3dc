/**
 * One connection to one broker, shared by the client library and the broker's own outbound traffic (follower
 * fetchers): sends requests with correlation ids, many in flight, and settles each with its response.
 *
 * Layout of the state: `inFlight` holds the requests written and awaiting a response, oldest first (the
 * broker answers in request order, so a response always belongs to the oldest); `waiting` holds requests not
 * yet written because `maxInFlightRequests` are in flight; `drainWaiters` holds fire-and-forget requests
 * (`expectResponse: false`, acks=0) written while the socket asked to wait for 'drain'.
 *
 * Invariants:
 * - A response whose correlation id is not the oldest in-flight request's breaks the connection (as Kafka's
 *   NetworkClient does): everything pending is rejected with ConnectionError.
 * - Timeouts (`timeoutMs`, default `requestTimeoutMs`, counted from `send()`): a request that times out before it
 *   was written rejects with TimeoutError and the connection lives on. One that times out IN FLIGHT rejects
 *   with TimeoutError AND closes the connection, rejecting the others with ConnectionError (whose `cause` is that
 *   TimeoutError, so that `onDisconnect` can tell an unresponsive broker from a lost one): responses come in
 *   order, so every later response is stuck behind it (Kafka's NetworkClient also disconnects on a request
 *   timeout). Callers reconnect; both errors are local (`MqError`), not wire codes.
 * - A top-level errorCode in a response body is returned to the caller, who decides. Two exceptions reject
 *   with ApiError: UNSUPPORTED_VERSION, and an errorCode in the response of an API whose response has no
 *   top-level errorCode field (an ErrorResponse: the broker failed the whole request, e.g. INVALID_REQUEST).
 * - Record batches in request bodies are written as their own chunks (FrameEncoder), never copied. Requests sent
 *   in the same tick go out in one corked writev.
 *
 * - Security (`security`, see security/client-security.ts): SSL and SASL_SSL connect with TLS; SASL_PLAINTEXT and
 *   SASL_SSL authenticate (SaslHandshake, then SaslAuthenticate steps) before `connect()` resolves, so a returned
 *   client is ready. A TLS handshake that fails rejects with SslAuthenticationError, wrong credentials with ApiError
 *   SASL_AUTHENTICATION_FAILED; neither is retriable. When the broker gives the session a lifetime
 *   (connections.max.reauth.ms), the client re-authenticates on the same connection before it ends (at 85-95% of
 *   it, as Kafka's client), holding new requests back meanwhile.
 * - Quotas: a response with `throttleTimeMs` > 0 holds back further requests to that broker for that long (KIP-219:
 *   the broker has muted the connection for as long anyway).
 *
 * Concurrency: all on the event loop; any number of callers may `send()` concurrently. One timer (re-armed to
 * the earliest deadline) serves every request; no per-request timers or closures beyond the promise.
 * Lifecycle: `NetworkClient.connect()` → Connected → `close()`, a timeout in flight, a protocol error or the
 * peer closing → Closed (`onDisconnect` is called once with the cause). A closed client is not reopened: make a
 * new one.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ErrorCode } from '../common/error-codes.js';
import {
  ApiError,
  apiErrorFromCode,
  ConnectionError,
  InvalidArgumentError,
  SslAuthenticationError,
  TimeoutError,
} from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { ApiKey, apiKeyName } from '../protocol/api-keys.js';
import { ApiVersions } from '../protocol/api-versions.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { FrameEncoder } from '../protocol/frame-encoder.js';
import type { RequestOf, ResponseOf } from '../protocol/messages/index.js';
import { decodeFrameValue } from '../protocol/msgpack.js';
import { readResponseEnvelope } from '../protocol/response-header.js';
import { PLAINTEXT, type ClientSecurity } from './security/client-security.js';
import { saslClientExchange } from './security/sasl-client.js';

export interface NetworkClientOptions {
  host: string;
  port: number;
  /** Sent in every request header; shows in broker logs. @default null */
  clientId?: string | null;
  /** Give up connecting after this long (socket.connection.setup.timeout.ms). @default 10000 */
  connectTimeoutMs?: number;
  /** Default per-request timeout, from send() to response (request.timeout.ms). @default 30000 */
  requestTimeoutMs?: number;
  /** Requests written and awaiting a response at most; more wait their turn (max.in.flight.requests.per.connection). @default 5 */
  maxInFlightRequests?: number;
  /** Largest response frame accepted. @default 2147483647 */
  maxResponseBytes?: number;
  /** Which APIs have a top-level errorCode in their response (see header). @default ApiVersions.defaults() */
  apiVersions?: ApiVersions;
  /** TLS and SASL (security.protocol and the rest). @default PLAINTEXT */
  security?: ClientSecurity;
  logger?: Logger;
  /** Called once when the connection closes for any reason, with the cause. */
  onDisconnect?: (cause: ConnectionError) => void;
}

export interface SendOptions {
  /** false for requests the broker does not answer (acks=0 produce): resolves with null once written. @default true */
  expectResponse?: boolean;
  /** @default the client's requestTimeoutMs */
  timeoutMs?: number;
}

type ResolvedOptions = Required<Omit<NetworkClientOptions, 'onDisconnect'>> &
  Pick<NetworkClientOptions, 'onDisconnect'>;

const DEFAULT_API_VERSIONS = ApiVersions.defaults();
/** The msgpack protocol's version of every API (its v0 carries Kafka 2.8's newest fields). */
const API_VERSION = 0;
/** How long close() lets queued writes leave before destroying the socket. */
const GRACEFUL_CLOSE_TIMEOUT_MS = 5000;
/** Encoding is synchronous, so one encoder serves every client of the process. */
const encoder = new FrameEncoder();

class PendingRequest {
  correlationId = -1;
  constructor(
    readonly apiKey: number,
    readonly apiVersion: number,
    public body: unknown,
    readonly expectResponse: boolean,
    readonly deadlineMs: number,
    readonly resolve: (body: unknown) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

export class NetworkClient {
  readonly host: string;
  readonly port: number;
  private readonly options: ResolvedOptions;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly logger: Logger;
  private readonly inFlight: PendingRequest[] = [];
  private readonly waiting: PendingRequest[] = [];
  private readonly drainWaiters: PendingRequest[] = [];
  private nextCorrelationId = 0;
  private corked = false;
  private closedBy: ConnectionError | null = null;
  private readonly closed: Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  private timerDeadlineMs = Infinity;
  /** Whether any response arrived: a close before the first one may mean the wrong security.protocol. */
  private answered = false;
  /** Requests wait in `waiting` until then (a quota's throttle time, monotonic ms). */
  private throttledUntilMs = 0;
  private throttleTimer: NodeJS.Timeout | null = null;
  /** While true, only the re-authentication exchange is written; other requests wait. */
  private reauthenticating = false;
  private reauthTimer: NodeJS.Timeout | null = null;
  /** Set once connect() resolved: before that, a failed authentication is connect()'s rejection, not a disconnect. */
  private handedOut = false;
  private readonly onTimer = (): void => this.expireRequests();
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  /**
   * Connects (and authenticates, see the header); rejects with ConnectionError when the broker cannot be reached
   * within connectTimeoutMs, SslAuthenticationError or ApiError SASL_AUTHENTICATION_FAILED when it refuses us.
   */
  static async connect(options: NetworkClientOptions): Promise<NetworkClient> {
    const resolved = resolveOptions(options);
    const startedMs = performance.now();
    const socket = await openSocket(resolved);
    const client = new NetworkClient(socket, resolved);
    if (resolved.security.sasl !== undefined) {
      const remainingMs = Math.max(1, resolved.connectTimeoutMs - (performance.now() - startedMs));
      try {
        await client.authenticate(remainingMs);
      } catch (e) {
        await client.close();
        throw e;
      }
    }
    client.handedOut = true;
    return client;
  }

  private constructor(socket: Socket, options: ResolvedOptions) {
    this.socket = socket;
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.logger = options.logger.child({ component: 'NetworkClient', broker: `${options.host}:${options.port}` });
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), { maxFrameBytes: options.maxResponseBytes });
    let socketError: Error | null = null;
    socket.on('error', (err) => {
      socketError = err;
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.disconnect(
          new ConnectionError(
            `Connection to ${this.host}:${this.port} was closed` +
              (socketError !== null ? `: ${socketError.message}` : ' by the broker') +
              (this.answered ? '' : this.securityHint()),
            { cause: socketError ?? undefined },
          ),
        );
        resolve();
      }),
    );
    socket.on('drain', () => this.onDrain());
    socket.on('data', (chunk: Buffer) => {
      if (!this.answered && options.security.tls === undefined && isTlsRecord(chunk)) {
        this.disconnect(
          new ConnectionError(
            `${this.host}:${this.port} answered with a TLS record: it is an SSL listener. Set security.protocol to ` +
              'SSL or SASL_SSL, with ssl.truststore.location.',
          ),
        );
        return;
      }
      try {
        this.decoder.push(chunk);
      } catch (e) {
        this.disconnect(
          new ConnectionError(`Bad response from ${this.host}:${this.port}: ${(e as Error).message}`, { cause: e }),
        );
      }
    });
    this.logger.debug('Connected');
  }

  get connected(): boolean {
    return this.closedBy === null;
  }

  /** Requests sent and not yet settled (written or waiting their turn). */
  get pendingRequests(): number {
    return this.inFlight.length + this.waiting.length + this.drainWaiters.length;
  }

  /**
   * Sends a request. Resolves with the response body when it arrives (see the header for the errors that
   * reject instead), or with null once written when `expectResponse` is false. Rejects with TimeoutError after
   * `timeoutMs`, ConnectionError when the connection is or gets closed, InvalidArgumentError when the body
   * cannot be encoded.
   */
  send<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestOf<K>,
    options?: SendOptions & { expectResponse?: true },
  ): Promise<ResponseOf<K>>;
  send<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestOf<K>,
    options: SendOptions & { expectResponse: false },
  ): Promise<null>;
  send<K extends number>(
    apiKey: K,
    apiVersion: number,
    body: RequestOf<K>,
    options: SendOptions = {},
  ): Promise<ResponseOf<K> | null> {
    if (this.closedBy !== null) return Promise.reject(this.closedBy);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const deadlineMs = performance.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const request = new PendingRequest(
        apiKey,
        apiVersion,
        body,
        options.expectResponse ?? true,
        deadlineMs,
        resolve as (body: unknown) => void,
        reject,
      );
      if (this.mayTransmit()) {
        this.transmit(request);
      } else {
        this.waiting.push(request);
      }
      if (deadlineMs < this.timerDeadlineMs && this.pendingRequests > 0) this.armTimer(deadlineMs);
    });
  }

  /** Closes the connection at once; pending requests reject with ConnectionError. Resolves once closed. */
  close(): Promise<void> {
    this.disconnect(new ConnectionError(`Connection to ${this.host}:${this.port} was closed by the client.`), true);
    return this.closed;
  }

  private transmit(request: PendingRequest): void {
    request.correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    let chunks: Buffer[];
    try {
      chunks = encoder.encode({
        apiKey: request.apiKey,
        apiVersion: request.apiVersion,
        correlationId: request.correlationId,
        clientId: this.options.clientId,
        body: request.body,
      });
    } catch (e) {
      request.reject(e as Error);
      return;
    }
    request.body = null;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (const chunk of chunks) this.socket.write(chunk);
    if (request.expectResponse) {
      this.inFlight.push(request);
    } else if (this.socket.writableNeedDrain) {
      this.drainWaiters.push(request);
    } else {
      request.resolve(null);
    }
  }

  private onFrame(frame: Buffer): void {
    this.answered = true;
    const { correlationId, body } = readResponseEnvelope(decodeFrameValue(frame));
    const request = this.inFlight.shift();
    if (request === undefined || request.correlationId !== correlationId) {
      if (request !== undefined) this.inFlight.unshift(request);
      throw new ConnectionError(
        `Response correlation id ${correlationId} does not match the oldest request in ` +
          `flight (${request === undefined ? 'none' : request.correlationId}); the connection is out of step.`,
      );
    }
    const errorCode = body['errorCode'];
    if (errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      request.reject(
        new ApiError(
          'UNSUPPORTED_VERSION',
          errorMessageOf(body) ??
            `${apiKeyName(request.apiKey)} v${request.apiVersion} is not supported by ${this.host}:${this.port}.`,
        ),
      );
    } else if (
      typeof errorCode === 'number' &&
      errorCode !== ErrorCode.NONE &&
      this.options.apiVersions.get(request.apiKey)?.responseHasErrorCode === false
    ) {
      request.reject(apiErrorFromCode(errorCode, errorMessageOf(body)));
    } else {
      request.resolve(body);
    }
    const throttleTimeMs = body['throttleTimeMs'];
    if (typeof throttleTimeMs === 'number' && throttleTimeMs > 0) this.throttle(throttleTimeMs);
    this.transmitWaiting();
  }

  /** Whether a new request may be written now (nothing queued ahead, room in flight, no throttle or re-auth). */
  private mayTransmit(): boolean {
    return (
      this.waiting.length === 0 &&
      this.inFlight.length < this.options.maxInFlightRequests &&
      !this.reauthenticating &&
      this.throttleTimer === null
    );
  }

  private transmitWaiting(): void {
    if (this.reauthenticating || this.throttleTimer !== null) return;
    while (this.waiting.length > 0 && this.inFlight.length < this.options.maxInFlightRequests) {
      this.transmit(this.waiting.shift()!);
    }
  }

  /** Holds requests back for `ms` (a quota's throttle time), then sends what waited. */
  private throttle(ms: number): void {
    const until = performance.now() + ms;
    if (until <= this.throttledUntilMs) return;
    this.throttledUntilMs = until;
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
    this.throttleTimer = setTimeout(() => {
      // Timers may fire a hair before performance.now() reaches the deadline: the wait is over either way.
      this.throttleTimer = null;
      this.throttledUntilMs = 0;
      this.transmitWaiting();
    }, ms);
    this.logger.debug({ throttleTimeMs: ms }, 'Throttled by the broker (quota); holding requests back');
  }

  /**
   * The SASL exchange on this connection (SaslHandshake, then SaslAuthenticate steps), written ahead of anything
   * waiting. Rejects with ApiError (UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED, ILLEGAL_SASL_STATE).
   */
  private async authenticate(timeoutMs: number): Promise<void> {
    const credentials = this.options.security.sasl!;
    const exchange = saslClientExchange(credentials);
    const handshake = (await this.sendAuth(ApiKey.SaslHandshake, { mechanism: credentials.mechanism }, timeoutMs)) as {
      errorCode: number;
      mechanisms: string[];
    };
    if (handshake.errorCode !== ErrorCode.NONE) {
      throw apiErrorFromCode(
        handshake.errorCode,
        handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM
          ? `${this.host}:${this.port} does not enable SASL mechanism ${credentials.mechanism} on this listener; ` +
              `it enables ${handshake.mechanisms.join(', ') || 'none'} (sasl.mechanism).`
          : undefined,
      );
    }
    let bytes = exchange.initial();
    for (;;) {
      const response = (await this.sendAuth(ApiKey.SaslAuthenticate, { authBytes: bytes }, timeoutMs)) as {
        errorCode: number;
        errorMessage: string | null;
        authBytes: Buffer;
        sessionLifetimeMs: number;
      };
      if (response.errorCode !== ErrorCode.NONE) {
        throw apiErrorFromCode(
          response.errorCode,
          `${this.host}:${this.port}: ${response.errorMessage ?? 'SASL authentication failed'} (user ` +
            `${credentials.username}, mechanism ${credentials.mechanism}).`,
        );
      }
      const step = exchange.evaluate(Buffer.from(response.authBytes));
      if (step.done) {
        this.scheduleReauthentication(response.sessionLifetimeMs);
        return;
      }
      bytes = step.response;
    }
  }

  /** Writes an authentication request at once, ahead of what waits; resolves with its response body. */
  private sendAuth(apiKey: number, body: object, timeoutMs: number): Promise<unknown> {
    if (this.closedBy !== null) return Promise.reject(this.closedBy);
    return new Promise((resolve, reject) => {
      const deadlineMs = performance.now() + timeoutMs;
      this.transmit(new PendingRequest(apiKey, API_VERSION, body, true, deadlineMs, resolve, reject));
      if (deadlineMs < this.timerDeadlineMs) this.armTimer(deadlineMs);
    });
  }

  /** KIP-368: re-authenticate at a random point in 85-95% of the session, as Kafka's client does. */
  private scheduleReauthentication(sessionLifetimeMs: number): void {
    if (sessionLifetimeMs <= 0 || this.closedBy !== null) return;
    const delayMs = sessionLifetimeMs * (0.85 + Math.random() * 0.1);
    this.reauthTimer = setTimeout(() => {
      this.reauthTimer = null;
      this.reauthenticating = true;
      this.authenticate(this.options.requestTimeoutMs)
        .catch((err: Error) => {
          this.disconnect(
            new ConnectionError(`Re-authentication with ${this.host}:${this.port} failed: ${err.message}`, {
              cause: err,
            }),
          );
        })
        .finally(() => {
          this.reauthenticating = false;
          this.transmitWaiting();
        });
    }, delayMs);
    this.reauthTimer.unref();
  }

  private securityHint(): string {
    return this.options.security.protocol === 'PLAINTEXT'
      ? ' before answering any request; if its listener uses SSL or SASL, set security.protocol (and the ssl.* or sasl.* configs) to match.'
      : '.';
  }

  private onDrain(): void {
    const written = this.drainWaiters.splice(0);
    for (const request of written) request.resolve(null);
  }

  private armTimer(deadlineMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDeadlineMs = deadlineMs;
    this.timer = setTimeout(this.onTimer, Math.max(0, deadlineMs - performance.now()));
  }

  /** Rejects the requests past their deadline (see header: one in flight closes the connection); re-arms. */
  private expireRequests(): void {
    this.timer = null;
    this.timerDeadlineMs = Infinity;
    const now = performance.now();
    for (const queue of [this.waiting, this.drainWaiters]) {
      let kept = 0;
      for (const request of queue) {
        if (request.deadlineMs <= now) request.reject(this.timeoutError(request));
        else queue[kept++] = request;
      }
      queue.length = kept;
    }
    const expired = this.inFlight.find((r) => r.deadlineMs <= now);
    if (expired !== undefined) {
      this.inFlight.splice(this.inFlight.indexOf(expired), 1);
      const timeout = this.timeoutError(expired);
      expired.reject(timeout);
      this.disconnect(
        new ConnectionError(
          `Connection to ${this.host}:${this.port} closed: ` +
            `${apiKeyName(expired.apiKey)} request ${expired.correlationId} got no response in time, and responses ` +
            'come in order.',
          { cause: timeout },
        ),
      );
      return;
    }
    let next = Infinity;
    for (const queue of [this.inFlight, this.waiting, this.drainWaiters]) {
      for (const request of queue) next = Math.min(next, request.deadlineMs);
    }
    if (next < Infinity) this.armTimer(next);
  }

  private timeoutError(request: PendingRequest): TimeoutError {
    return new TimeoutError(
      `${apiKeyName(request.apiKey)} request to ${this.host}:${this.port} got no response ` +
        'within its timeout; raise timeoutMs/requestTimeoutMs if the broker is just slow.',
    );
  }

  /**
   * Ends the connection and rejects what awaits a response. `graceful` (the caller's close()) ends the socket
   * after writing what is already queued, so requests that expect no response (acks=0), already resolved as
   * written, really leave; it is destroyed if the broker does not close its side soon.
   */
  private disconnect(cause: ConnectionError, graceful = false): void {
    if (this.closedBy !== null) return;
    this.closedBy = cause;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
    if (this.reauthTimer !== null) clearTimeout(this.reauthTimer);
    if (graceful) {
      if (this.corked) this.uncork();
      this.socket.end();
      setTimeout(() => this.socket.destroy(), GRACEFUL_CLOSE_TIMEOUT_MS).unref();
    } else {
      this.socket.destroy();
    }
    for (const queue of [this.inFlight, this.waiting, this.drainWaiters]) {
      for (const request of queue.splice(0)) request.reject(cause);
    }
    this.logger.debug({ reason: cause.message }, 'Disconnected');
    if (this.handedOut) this.options.onDisconnect?.(cause);
  }
}

function errorMessageOf(body: Record<string, unknown>): string | undefined {
  const message = body['errorMessage'];
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function resolveOptions(options: NetworkClientOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host,
    port: options.port,
    clientId: options.clientId ?? null,
    connectTimeoutMs: options.connectTimeoutMs ?? 10000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30000,
    maxInFlightRequests: options.maxInFlightRequests ?? 5,
    maxResponseBytes: options.maxResponseBytes ?? 0x7fffffff,
    apiVersions: options.apiVersions ?? DEFAULT_API_VERSIONS,
    security: options.security ?? PLAINTEXT,
    logger: options.logger ?? silentLogger,
    onDisconnect: options.onDisconnect,
  };
  if (typeof resolved.host !== 'string' || resolved.host === '') {
    throw new InvalidArgumentError(
      `NetworkClient option host must be a non-empty string; found ${String(options.host)}.`,
    );
  }
  for (const [name, value, min] of [
    ['port', resolved.port, 1],
    ['connectTimeoutMs', resolved.connectTimeoutMs, 0],
    ['requestTimeoutMs', resolved.requestTimeoutMs, 0],
    ['maxInFlightRequests', resolved.maxInFlightRequests, 1],
    ['maxResponseBytes', resolved.maxResponseBytes, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(`NetworkClient option ${name} must be an integer >= ${min}; found ${value}.`);
    }
  }
  return resolved;
}

/** A TLS record's first bytes (content type 20-23, version 3.x): what a TLS listener sends a plaintext client. */
function isTlsRecord(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0]! >= 0x14 && chunk[0]! <= 0x17 && chunk[1] === 0x03;
}

/** A TCP connection, or a TLS one for SSL and SASL_SSL, within connectTimeoutMs. */
function openSocket(o: ResolvedOptions): Promise<Socket> {
  const address = `${o.host}:${o.port}`;
  const tls = o.security.tls;
  return new Promise((resolve, reject) => {
    let tcpConnected = false;
    const socket: Socket =
      tls === undefined
        ? netConnect({ host: o.host, port: o.port, noDelay: true })
        : tlsConnect({ ...tls, host: o.host, port: o.port, servername: isIp(o.host) ? undefined : o.host });
    socket.setNoDelay(true);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new ConnectionError(
            `Connecting to ${address} timed out after ${o.connectTimeoutMs} ms (connectTimeoutMs)` +
              (tcpConnected ? ' in the TLS handshake' : '') +
              '; is the broker up and reachable?',
          ),
        ),
      o.connectTimeoutMs,
    );
    const onError = (err: Error): void =>
      fail(
        tcpConnected && tls !== undefined
          ? new SslAuthenticationError(`SSL handshake with ${address} failed: ${err.message}. ${tlsHint(err)}`, {
              cause: err,
            })
          : new ConnectionError(`Could not connect to ${address}: ${err.message}`, { cause: err }),
      );
    socket.once('error', onError);
    socket.once('connect', () => {
      tcpConnected = true;
    });
    // The server closing during the handshake (e.g. ssl.client.auth=required and no certificate) may end the
    // socket without an error event.
    const onClose = (): void =>
      fail(
        new SslAuthenticationError(
          `SSL handshake with ${address} failed: the broker closed the connection. ` +
            'It may require a client certificate (ssl.keystore.location) or not be an SSL listener.',
        ),
      );
    if (tls !== undefined) socket.once('close', onClose);
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(socket);
    });
  });
}

function tlsHint(err: Error): string {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(err.message))
    return 'The port does not speak TLS: check security.protocol against the broker listener.';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return "The broker's certificate does not name this host: connect by a name it has, or set ssl.endpoint.identification.algorithm= (empty) to skip the check.";
  if (/CERT|SELF_SIGNED|UNABLE_TO/.test(code))
    return "The broker's certificate does not verify: set ssl.truststore.location to the CA that signed it.";
  return 'Check the ssl.* configs against the broker listener.';
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
