/**
 * One client connection on the broker's socket server: decodes request frames, dispatches them to the handler,
 * and writes the responses back in request order.
 *
 * Pipeline per frame: FrameDecoder (length checked before the body is buffered; both wire protocols frame
 * requests with a 4-byte length) → the listener's ServerCodec (msgpack or Kafka's binary protocol: header, version
 * check, body decoding and validation) → `handler(ctx, header, body)` → the codec encodes the response.
 *
 * Invariants:
 * - Responses leave in request order, whatever order handlers finish in: each request takes a slot in `queue`
 *   when decoded; a slot is written only when it and every slot before it are done. A handler answering null
 *   (acks=0) completes its slot with nothing to write.
 * - A frame that cannot be answered (bad length, a body the codec cannot decode) closes the connection after one
 *   warn log; an answerable one never does (unless its handler sets `closeConnectionAfterResponse`, or the codec
 *   has no way to carry its error: then the connection closes when that request's turn comes).
 * - Handler errors become responses: ApiError → its code; anything else → UNKNOWN_SERVER_ERROR, logged with stack.
 * - On a SASL listener, every request passes the connection's `SaslServerAuthenticator` first: until the client has
 *   authenticated only ApiVersions reaches the handler, the exchange is answered here, and anything else closes the
 *   connection (on the msgpack protocol after an ILLEGAL_SASL_STATE answer that says why; Kafka's protocol closes
 *   without one, as Kafka does). Frames are capped at `sasl.server.max.receive.size` until then. A failed
 *   authentication stops reading at once and is answered after `connection.failed.authentication.delay.ms`, then
 *   the connection closes.
 * - A response whose request the dispatcher throttled (a quota: `ctx.throttleTimeMs`) mutes the connection for that
 *   long once written: nothing more is read from the client meanwhile (KIP-219).
 *
 * Concurrency: handlers run concurrently (many requests of one connection may be awaiting at once). Back-pressure:
 * reading stops while `queuedMaxRequests` requests are unanswered or the socket has not drained, and resumes when
 * both clear (frames already in the chunk being decoded are still dispatched). Responses completed while one
 * socket read is handled (its frames' handlers and the promise jobs they settle) are written in one corked writev
 * at the end of that read (process.nextTick), not later: a producer keeps only a few requests in flight
 * (`max.in.flight.requests.per.connection`, 5), so an answer held back until the poll phase's other reads are
 * handled (setImmediate, tried once: the one broker change on the produce path between two builds 14% apart)
 * leaves its window idle meanwhile.
 * Lifecycle: created by SocketServer per accepted socket; Open → Draining (`closeGracefully`: no new requests,
 * in-flight ones answered, then end) → Closed. Idle for `connectionsMaxIdleMs` with nothing in flight → closed.
 * A late handler result for a closed connection is dropped.
 */
import type { Socket } from 'node:net';
import { ApiError } from '../common/errors.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { apiKeyName } from '../protocol/api-keys.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { DecodedRequest, ServerCodec } from '../protocol/server-codec.js';
import { RequestContext, type ListenerInfo } from './request-context.js';
import type { KafkaPrincipal } from './security/kafka-principal.js';
import type { SaslDecision, SaslServerAuthenticator } from './security/sasl-server.js';

/**
 * Serves one request: resolves with the response body, or null to send nothing (acks=0). A rejection with an
 * ApiError is answered with its code; any other rejection with UNKNOWN_SERVER_ERROR.
 */
export type RequestHandler = (ctx: RequestContext, header: RequestHeader, body: unknown) => Promise<object | null>;

export interface ServerConnectionOptions {
  socket: Socket;
  connectionId: string;
  handler: RequestHandler;
  /** The listener's wire protocol: decodes requests, encodes responses. */
  codec: ServerCodec;
  listener: ListenerInfo;
  /** Who the client is before any SASL exchange: ANONYMOUS, or its TLS certificate's principal. */
  principal: KafkaPrincipal;
  /** The SASL gate of a SASL listener, else null. */
  sasl: SaslAuthentication | null;
  socketRequestMaxBytes: number;
  connectionsMaxIdleMs: number;
  queuedMaxRequests: number;
  time: Time;
  logger: Logger;
  onClose: (connection: ServerConnection) => void;
}

/** A SASL listener's per-connection authenticator and limits. */
export interface SaslAuthentication {
  readonly authenticator: SaslServerAuthenticator;
  /** sasl.server.max.receive.size: the largest frame accepted until the client is authenticated. */
  readonly maxReceiveBytes: number;
  /** connection.failed.authentication.delay.ms */
  readonly failedAuthenticationDelayMs: number;
  /** Counts outcomes for the listener's metrics. */
  readonly onOutcome: (succeeded: boolean) => void;
}

type ConnectionState = 'Open' | 'Draining' | 'Closed';

/**
 * A request's place in the response order; `body` is undefined while its handler runs, null for no response, an
 * ApiError when the whole request failed.
 */
class ResponseSlot {
  body: object | ApiError | null | undefined = undefined;
  /** A raw SASL token to write as it is (the SaslHandshake v0 exchange) instead of an encoded body. */
  raw: Buffer | null = null;
  constructor(
    readonly ctx: RequestContext,
    readonly request: DecodedRequest,
  ) {}
}

export class ServerConnection {
  readonly connectionId: string;
  readonly clientAddress: string;
  private readonly socket: Socket;
  private readonly options: ServerConnectionOptions;
  private readonly decoder: FrameDecoder;
  private readonly logger: Logger;
  private readonly queue: ResponseSlot[] = [];
  private state: ConnectionState = 'Open';
  private awaitingDrain = false;
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();
  /** Reading is muted until then (a quota's throttle time, wall-clock ms). */
  private mutedUntilMs = 0;
  private muteTimer: NodeJS.Timeout | null = null;
  private readonly closed: Promise<void>;

  constructor(options: ServerConnectionOptions) {
    this.options = options;
    this.socket = options.socket;
    this.connectionId = options.connectionId;
    this.clientAddress = `${this.socket.remoteAddress}:${this.socket.remotePort}`;
    this.logger = options.logger.child({ component: 'ServerConnection', connectionId: this.connectionId });
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), {
      maxFrameBytes:
        options.sasl === null
          ? options.socketRequestMaxBytes
          : Math.min(options.socketRequestMaxBytes, options.sasl.maxReceiveBytes),
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.state = 'Closed';
        this.queue.length = 0;
        if (this.muteTimer !== null) clearTimeout(this.muteTimer);
        options.onClose(this);
        resolve();
      }),
    );
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.connectionsMaxIdleMs);
    this.socket.on('timeout', () => this.onIdle());
    this.socket.on('drain', () => {
      this.awaitingDrain = false;
      this.updateReading();
    });
    this.socket.on('error', (err) => this.logger.debug({ err }, 'Connection error'));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Requests received and not yet answered (or completed without an answer). */
  get queuedRequests(): number {
    return this.queue.length;
  }

  /** The requests waiting for their turn or their handler, for diagnostics: `Produce#12 (pending), ...`. */
  describeQueue(): string {
    return (
      this.queue
        .map(
          (s) =>
            `${apiKeyName(s.ctx.apiKey)}#${s.ctx.correlationId} (${s.body === undefined ? 'pending' : 'answered'})`,
        )
        .join(', ') || 'idle'
    );
  }

  /** Stops reading requests, answers the ones in flight, then closes. Resolves once the socket is closed. */
  closeGracefully(): Promise<void> {
    if (this.state === 'Open') {
      this.state = 'Draining';
      this.updateReading();
      this.maybeEnd();
    }
    return this.closed;
  }

  /** Closes at once, dropping responses not yet written. Resolves once the socket is closed. */
  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk);
    } catch (e) {
      this.abort(e);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.state !== 'Open') return;
    const o = this.options;
    if (o.sasl?.authenticator.expectsRawToken) {
      this.onRawToken(o.sasl, frame);
      return;
    }
    const request = o.codec.decodeRequest(frame);
    const { header } = request;
    const sasl = o.sasl;
    const ctx = new RequestContext(
      this.connectionId,
      this.clientAddress,
      header,
      o.time.milliseconds(),
      o.listener,
      sasl?.authenticator.principal ?? o.principal,
      frame.length,
    );
    const slot = new ResponseSlot(ctx, request);
    this.queue.push(slot);
    if (this.queue.length >= o.queuedMaxRequests) this.updateReading();

    if (sasl !== null && this.gate(sasl, slot)) return;
    if (request.error !== null) {
      this.complete(slot, request.error);
      return;
    }
    let result: Promise<object | null>;
    try {
      result = o.handler(ctx, header, request.body);
    } catch (e) {
      this.complete(slot, this.toApiError(e, ctx));
      return;
    }
    result.then(
      (body) => this.complete(slot, body ?? null),
      (e: unknown) => this.complete(slot, this.toApiError(e, ctx)),
    );
  }

  /**
   * Passes a request through the SASL authenticator; returns true when it was answered here (or will be) and must
   * not reach the handler.
   */
  private gate(sasl: SaslAuthentication, slot: ResponseSlot): boolean {
    const { ctx, request } = slot;
    const authenticator = sasl.authenticator;
    const wasAuthenticated = authenticator.isAuthenticated;
    const legacyHandshake =
      this.options.listener.wireProtocol === 'KAFKA' && ctx.apiKey === ApiKey.SaslHandshake && ctx.apiVersion === 0;
    const decision =
      request.error !== null && (!wasAuthenticated || ctx.apiKey === ApiKey.SaslHandshake)
        ? ({ kind: 'reject', body: null, reason: request.error.message } as const)
        : authenticator.onRequest(ctx.apiKey, request.body, legacyHandshake);
    return this.apply(sasl, slot, decision, wasAuthenticated);
  }

  /** A raw SASL token after SaslHandshake v0: answered in kind, in its turn. */
  private onRawToken(sasl: SaslAuthentication, token: Buffer): void {
    const header = { apiKey: ApiKey.SaslAuthenticate, apiVersion: 0, correlationId: -1, clientId: null };
    const ctx = new RequestContext(
      this.connectionId,
      this.clientAddress,
      header,
      this.options.time.milliseconds(),
      this.options.listener,
      this.options.principal,
      token.length,
    );
    const slot = new ResponseSlot(ctx, { header, body: undefined, error: null });
    this.queue.push(slot);
    this.apply(sasl, slot, sasl.authenticator.onRawToken(token), false);
  }

  /** Carries out the authenticator's decision on a request; true when it must not reach the handler. */
  private apply(
    sasl: SaslAuthentication,
    slot: ResponseSlot,
    decision: SaslDecision,
    wasAuthenticated: boolean,
  ): boolean {
    const { ctx } = slot;
    const authenticator = sasl.authenticator;
    switch (decision.kind) {
      case 'dispatch':
        return false;
      case 'respond':
      case 'raw':
        if (!wasAuthenticated && authenticator.isAuthenticated) {
          this.decoder.maxFrameBytes = this.options.socketRequestMaxBytes;
          sasl.onOutcome(true);
          this.logger.debug(
            { principal: authenticator.principal, mechanism: authenticator.mechanismName },
            'SASL authentication succeeded',
          );
        }
        if (decision.kind === 'raw') {
          slot.raw = decision.bytes;
          this.complete(slot, {});
        } else {
          this.complete(slot, decision.body);
        }
        return true;
      case 'fail':
        sasl.onOutcome(false);
        this.logger.info(
          { clientAddress: this.clientAddress, mechanism: authenticator.mechanismName, reason: decision.reason },
          'Failed authentication',
        );
        this.stopReading();
        ctx.closeConnectionAfterResponse = true;
        setTimeout(() => this.complete(slot, decision.body), sasl.failedAuthenticationDelayMs);
        return true;
      case 'reject': {
        this.logger.info(
          { clientAddress: this.clientAddress, apiKey: apiKeyName(ctx.apiKey), reason: decision.reason },
          'Closing the connection: it broke the SASL protocol',
        );
        this.stopReading();
        ctx.closeConnectionAfterResponse = true;
        const body =
          decision.body ??
          (this.options.listener.wireProtocol === 'MQ'
            ? new ApiError(
                'ILLEGAL_SASL_STATE',
                decision.expired
                  ? 'The SASL session expired (connections.max.reauth.ms): re-authenticate before it ends, or reconnect.'
                  : `This listener requires SASL authentication first (${decision.reason}): set security.protocol=` +
                      `${this.options.listener.securityProtocol}, sasl.mechanism and the credentials.`,
              )
            : null);
        this.complete(slot, body);
        return true;
      }
    }
  }

  /** No new requests are read; those in flight are still answered. */
  private stopReading(): void {
    if (this.state === 'Open') this.state = 'Draining';
    this.updateReading();
  }

  private complete(slot: ResponseSlot, body: object | ApiError | null): void {
    slot.body = body;
    if (slot === this.queue[0] && !this.flushScheduled && this.state !== 'Closed') {
      this.flushScheduled = true;
      process.nextTick(this.flushBound);
    }
  }

  /** Writes every completed response at the head of the queue, in one corked batch. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.state === 'Closed') return;
    const { socket, queue } = this;
    let closeAfter: { ctx: RequestContext; why: string; err?: ApiError } | null = null;
    socket.cork();
    while (queue.length > 0 && queue[0]!.body !== undefined) {
      const slot = queue.shift()!;
      const chunks = slot.body === null ? null : this.encode(slot);
      if (chunks !== null && !this.write(chunks)) this.awaitingDrain = true;
      if (slot.body !== null && chunks === null) {
        const err = slot.body instanceof ApiError ? slot.body : undefined;
        closeAfter = {
          ctx: slot.ctx,
          why: `the ${slot.ctx.listener.wireProtocol} protocol cannot carry its error`,
          err,
        };
        break;
      }
      if (slot.ctx.closeConnectionAfterResponse) {
        closeAfter = { ctx: slot.ctx, why: 'the request handler asked' };
        break;
      }
      if (slot.ctx.throttleTimeMs > 0) this.mute(slot.ctx.throttleTimeMs);
    }
    socket.uncork();
    if (closeAfter !== null) {
      const { ctx, why, err } = closeAfter;
      this.logger[err ? 'warn' : 'debug'](
        { apiKey: apiKeyName(ctx.apiKey), apiVersion: ctx.apiVersion, correlationId: ctx.correlationId, err },
        `Closing the connection after this request: ${why}`,
      );
      this.state = 'Closed';
      socket.end();
      return;
    }
    this.updateReading();
    this.maybeEnd();
  }

  /**
   * The chunks of a slot's response, or null when the codec cannot carry its error (the connection then closes). An
   * encoding failure is logged and answered UNKNOWN_SERVER_ERROR.
   */
  private encode(slot: ResponseSlot): Buffer[] | null {
    const { codec } = this.options;
    const { body, request, ctx } = slot;
    if (slot.raw !== null) {
      const length = Buffer.allocUnsafe(4);
      length.writeInt32BE(slot.raw.length, 0);
      return [length, slot.raw];
    }
    try {
      return body instanceof ApiError ? codec.encodeError(request, body) : codec.encodeResponse(request, body!);
    } catch (e) {
      this.logger.error(
        { err: e, apiKey: apiKeyName(ctx.apiKey), apiVersion: ctx.apiVersion, correlationId: ctx.correlationId },
        'Could not encode the response; answering UNKNOWN_SERVER_ERROR',
      );
      return codec.encodeError(request, new ApiError('UNKNOWN_SERVER_ERROR'));
    }
  }

  /** Writes one response's chunks; returns false when the socket asks to wait for 'drain'. */
  private write(chunks: Buffer[]): boolean {
    let flowing = true;
    for (const chunk of chunks) flowing = this.socket.write(chunk);
    return flowing;
  }

  private toApiError(e: unknown, ctx: RequestContext): ApiError {
    if (e instanceof ApiError) return e;
    this.logger.error(
      {
        err: e,
        apiKey: apiKeyName(ctx.apiKey),
        apiVersion: ctx.apiVersion,
        correlationId: ctx.correlationId,
        clientAddress: this.clientAddress,
      },
      'Request handler failed; answering UNKNOWN_SERVER_ERROR',
    );
    return new ApiError('UNKNOWN_SERVER_ERROR');
  }

  /** Reads nothing more for `ms` (KIP-219: the broker mutes a throttled client's channel). */
  private mute(ms: number): void {
    const until = this.options.time.milliseconds() + ms;
    if (until <= this.mutedUntilMs) return;
    this.mutedUntilMs = until;
    if (this.muteTimer !== null) clearTimeout(this.muteTimer);
    this.muteTimer = setTimeout(() => {
      this.muteTimer = null;
      this.mutedUntilMs = 0;
      this.updateReading();
    }, ms);
  }

  private updateReading(): void {
    const read =
      this.state === 'Open' &&
      !this.awaitingDrain &&
      this.muteTimer === null &&
      this.queue.length < this.options.queuedMaxRequests;
    if (read && this.socket.isPaused()) this.socket.resume();
    else if (!read && !this.socket.isPaused()) this.socket.pause();
  }

  private maybeEnd(): void {
    if (this.state === 'Draining' && this.queue.length === 0) {
      this.state = 'Closed';
      this.socket.end();
      // Read again (frames are ignored now) so that the peer's FIN is seen and 'close' follows: a paused socket
      // never reads its EOF, and a draining connection was paused.
      this.socket.resume();
    }
  }

  private onIdle(): void {
    if (this.queue.length > 0 || this.state === 'Closed') return;
    this.logger.debug({ connectionsMaxIdleMs: this.options.connectionsMaxIdleMs }, 'Closing idle connection');
    this.socket.destroy();
  }

  /** A frame that cannot be answered: log once, close. */
  private abort(e: unknown): void {
    if (this.state === 'Closed') return;
    this.state = 'Closed';
    this.logger.warn(
      { clientAddress: this.clientAddress, err: e },
      'Closing connection: received a frame that cannot be answered',
    );
    this.socket.destroy();
  }
}
