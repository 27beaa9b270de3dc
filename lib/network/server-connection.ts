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
 *
 * Concurrency: handlers run concurrently (many requests of one connection may be awaiting at once). Back-pressure:
 * reading stops while `queuedMaxRequests` requests are unanswered or the socket has not drained, and resumes when
 * both clear (frames already in the chunk being decoded are still dispatched). Responses completed in the same
 * tick are written in one corked writev.
 * Lifecycle: created by SocketServer per accepted socket; Open → Draining (`closeGracefully`: no new requests,
 * in-flight ones answered, then end) → Closed. Idle for `connectionsMaxIdleMs` with nothing in flight → closed.
 * A late handler result for a closed connection is dropped.
 */
import type { Socket } from 'node:net';
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { apiKeyName } from '../protocol/api-keys.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { DecodedRequest, ServerCodec } from '../protocol/server-codec.js';
import { RequestContext, type ListenerInfo } from './request-context.js';

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
  socketRequestMaxBytes: number;
  connectionsMaxIdleMs: number;
  queuedMaxRequests: number;
  time: Time;
  logger: Logger;
  onClose: (connection: ServerConnection) => void;
}

type ConnectionState = 'Open' | 'Draining' | 'Closed';

/**
 * A request's place in the response order; `body` is undefined while its handler runs, null for no response, an
 * ApiError when the whole request failed.
 */
class ResponseSlot {
  body: object | ApiError | null | undefined = undefined;
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
  private readonly closed: Promise<void>;

  constructor(options: ServerConnectionOptions) {
    this.options = options;
    this.socket = options.socket;
    this.connectionId = options.connectionId;
    this.clientAddress = `${this.socket.remoteAddress}:${this.socket.remotePort}`;
    this.logger = options.logger.child({ component: 'ServerConnection', connectionId: this.connectionId });
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), { maxFrameBytes: options.socketRequestMaxBytes });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.state = 'Closed';
        this.queue.length = 0;
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
    const request = this.options.codec.decodeRequest(frame);
    const { header } = request;
    const ctx = new RequestContext(
      this.connectionId,
      this.clientAddress,
      header,
      this.options.time.milliseconds(),
      this.options.listener,
    );
    const slot = new ResponseSlot(ctx, request);
    this.queue.push(slot);
    if (this.queue.length >= this.options.queuedMaxRequests) this.updateReading();

    if (request.error !== null) {
      this.complete(slot, request.error);
      return;
    }
    let result: Promise<object | null>;
    try {
      result = this.options.handler(ctx, header, request.body);
    } catch (e) {
      this.complete(slot, this.toApiError(e, ctx));
      return;
    }
    result.then(
      (body) => this.complete(slot, body ?? null),
      (e: unknown) => this.complete(slot, this.toApiError(e, ctx)),
    );
  }

  private complete(slot: ResponseSlot, body: object | ApiError | null): void {
    slot.body = body;
    if (slot === this.queue[0] && !this.flushScheduled && this.state !== 'Closed') {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
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

  private updateReading(): void {
    const read = this.state === 'Open' && !this.awaitingDrain && this.queue.length < this.options.queuedMaxRequests;
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
