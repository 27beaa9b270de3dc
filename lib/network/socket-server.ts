/**
 * The broker's socket server: accepts TCP connections on one listener and runs a ServerConnection per socket,
 * which decodes request frames and answers them through one `RequestHandler` (the broker's API dispatcher).
 *
 * Invariants: `port` is the bound port (useful with port 0, which binds a random free port; a broker registers
 * the bound port in ZooKeeper only after `start()`). The listener speaks one wire protocol, its `codec` (msgpack
 * unless told otherwise), shared by every connection (encoding is synchronous). Limits per Kafka's keys: socket.request.max.bytes, connections.max.idle.ms, queued.max.requests
 * (applied per connection here: each connection stops reading at that many unanswered requests).
 *
 * Security (`security`): an SSL or SASL_SSL listener is a TLS server (a connection reaches its ServerConnection once
 * the handshake is done; one that fails the handshake, or presents a certificate that does not verify under
 * ssl.client.auth=requested, is closed and counted as a failed authentication). A client certificate that verifies
 * names the connection's principal (ssl.principal.mapping.rules). A SASL listener gives every connection a
 * SaslServerAuthenticator. `authenticationStats` counts successes and failures, Kafka's
 * successful-authentication-total and failed-authentication-total.
 *
 * Concurrency: everything runs on the event loop; handlers may await, connections interleave freely.
 * Lifecycle: New → `start()` → Listening → `close()` → Closed. `close()` stops accepting, lets every connection
 * answer what it has in flight (new requests are no longer read), then closes them; connections still busy
 * after `shutdownTimeoutMs` are destroyed. The server owns its listening socket and its connections.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { IllegalStateError, InvalidArgumentError } from '../common/errors.js';
import type { SecurityProtocol } from '../common/security-protocol.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import { ApiVersions } from '../protocol/api-versions.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../protocol/frame-decoder.js';
import { MqServerCodec } from '../protocol/mq-server-codec.js';
import type { ServerCodec } from '../protocol/server-codec.js';
import type { ListenerInfo } from './request-context.js';
import { ServerConnection, type RequestHandler } from './server-connection.js';
import {
  ANONYMOUS,
  distinguishedName,
  userPrincipal,
  type KafkaPrincipal,
  type SslPrincipalMapper,
} from './security/kafka-principal.js';
import { SaslServerAuthenticator, type SaslCredentials } from './security/sasl-server.js';

/** A SASL listener's settings. */
export interface SaslListenerOptions {
  /** sasl.enabled.mechanisms */
  readonly enabledMechanisms: readonly string[];
  readonly credentials: SaslCredentials;
  /** connections.max.reauth.ms (0: sessions never expire) */
  readonly maxReauthMs: number;
  /** sasl.server.max.receive.size */
  readonly maxReceiveBytes: number;
  /** connection.failed.authentication.delay.ms */
  readonly failedAuthenticationDelayMs: number;
}

/** How a listener secures its connections (`listener.security.protocol.map` and the listener's ssl.* / sasl.*). */
export interface ListenerSecurity {
  readonly protocol: SecurityProtocol;
  /** `tls.createServer` options, for SSL and SASL_SSL. */
  readonly tls?: TlsOptions;
  /** Maps a verified client certificate's subject to the principal (SSL without SASL). */
  readonly principalMapper?: SslPrincipalMapper;
  /** For SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: SaslListenerOptions;
}

export interface AuthenticationStats {
  successfulAuthentications: number;
  failedAuthentications: number;
}

export interface SocketServerOptions {
  /** Interface to bind; all interfaces when omitted. */
  host?: string;
  /** Port to bind; 0 picks a free one (read it back from `port`). */
  port: number;
  handler: RequestHandler;
  /** The listener's name, as in `listeners` (handlers answer with endpoints of this name). @default 'PLAINTEXT' */
  listenerName?: string;
  /** The wire protocol spoken. @default msgpack serving `apiVersions` */
  codec?: ServerCodec;
  /** TLS and SASL. @default PLAINTEXT */
  security?: ListenerSecurity;
  /** APIs and versions served by the default msgpack codec. @default ApiVersions.defaults() */
  apiVersions?: ApiVersions;
  /** Largest request frame; a larger declared length closes the connection (socket.request.max.bytes). @default 104857600 */
  socketRequestMaxBytes?: number;
  /** A connection with no traffic and nothing in flight for this long is closed (connections.max.idle.ms). @default 600000 */
  connectionsMaxIdleMs?: number;
  /** A connection stops reading while this many of its requests are unanswered (queued.max.requests). @default 500 */
  queuedMaxRequests?: number;
  /** How long `close()` waits for in-flight requests before destroying connections. @default 30000 */
  shutdownTimeoutMs?: number;
  time?: Time;
  logger?: Logger;
}

type ServerState = 'New' | 'Listening' | 'Closed';

export class SocketServer {
  private readonly options: Required<
    Omit<SocketServerOptions, 'host' | 'listenerName' | 'codec' | 'apiVersions' | 'security'>
  > & {
    host: string | undefined;
  };
  private readonly security: ListenerSecurity;
  /** Authentication outcomes since start (TLS handshakes and SASL exchanges). */
  readonly authenticationStats: AuthenticationStats = { successfulAuthentications: 0, failedAuthentications: 0 };
  private readonly codec: ServerCodec;
  private readonly listener: ListenerInfo;
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly connections = new Set<ServerConnection>();
  private state: ServerState = 'New';
  private nextConnectionIndex = 0;
  private boundPort = -1;

  constructor(options: SocketServerOptions) {
    this.options = {
      host: options.host,
      port: options.port,
      handler: options.handler,
      socketRequestMaxBytes: options.socketRequestMaxBytes ?? DEFAULT_MAX_FRAME_BYTES,
      connectionsMaxIdleMs: options.connectionsMaxIdleMs ?? 600000,
      queuedMaxRequests: options.queuedMaxRequests ?? 500,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30000,
      time: options.time ?? SystemTime,
      logger: options.logger ?? silentLogger,
    };
    const o = this.options;
    for (const [name, value, min] of [
      ['port', o.port, 0],
      ['socketRequestMaxBytes', o.socketRequestMaxBytes, 1],
      ['connectionsMaxIdleMs', o.connectionsMaxIdleMs, 1],
      ['queuedMaxRequests', o.queuedMaxRequests, 1],
      ['shutdownTimeoutMs', o.shutdownTimeoutMs, 0],
    ] as const) {
      if (!Number.isInteger(value) || value < min) {
        throw new InvalidArgumentError(`SocketServer option ${name} must be an integer >= ${min}; found ${value}.`);
      }
    }
    this.codec = options.codec ?? new MqServerCodec(options.apiVersions ?? ApiVersions.defaults());
    this.security = options.security ?? { protocol: 'PLAINTEXT' };
    const { wireProtocol, apiVersions } = this.codec;
    this.listener = {
      name: options.listenerName ?? 'PLAINTEXT',
      wireProtocol,
      securityProtocol: this.security.protocol,
      apiVersions,
    };
    this.logger = o.logger.child({ component: 'SocketServer', listener: this.listener.name });
    const tls = this.security.tls;
    if (tls === undefined) {
      this.server = createServer({ noDelay: true }, (socket) => this.accept(socket, ANONYMOUS));
    } else {
      const server = createTlsServer(
        { ...tls, noDelay: true, handshakeTimeout: Math.min(o.connectionsMaxIdleMs, 120_000) },
        (socket) => this.acceptTls(socket),
      );
      server.on('tlsClientError', (err, socket) => {
        this.authenticationStats.failedAuthentications++;
        this.logger.info(
          { clientAddress: `${socket.remoteAddress}:${socket.remotePort}`, err: err.message },
          'Failed authentication: TLS handshake',
        );
      });
      this.server = server;
    }
  }

  /** The bound port; valid once `start()` resolved. */
  get port(): number {
    if (this.boundPort < 0) throw new IllegalStateError('SocketServer.port is known only after start() resolved.');
    return this.boundPort;
  }

  get listenerName(): string {
    return this.listener.name;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Binds and starts accepting. Rejects when the address cannot be bound (e.g. EADDRINUSE). */
  async start(): Promise<void> {
    if (this.state !== 'New') throw new IllegalStateError(`SocketServer.start() called in state ${this.state}.`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (err) => this.logger.error({ err }, 'Listener error'));
    const address = this.server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : this.options.port;
    this.state = 'Listening';
    this.logger.info(
      { host: this.options.host ?? '*', port: this.boundPort, wireProtocol: this.listener.wireProtocol },
      'Listening',
    );
  }

  /**
   * Stops accepting, lets connections answer what they have in flight, then closes them. Resolves when every
   * connection and the listener are closed (connections are destroyed after shutdownTimeoutMs).
   */
  async close(): Promise<void> {
    if (this.state === 'Closed') return;
    const wasListening = this.state === 'Listening';
    this.state = 'Closed';
    const listenerClosed = wasListening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    const connections = [...this.connections];
    const timer = setTimeout(() => {
      this.logger.warn(
        {
          connections: [...this.connections].map((c) => `${c.clientAddress}: ${c.describeQueue()}`),
          shutdownTimeoutMs: this.options.shutdownTimeoutMs,
        },
        'Connections still busy at shutdown; destroying them',
      );
      for (const connection of this.connections) void connection.destroy();
    }, this.options.shutdownTimeoutMs);
    await Promise.all(connections.map((c) => c.closeGracefully()));
    clearTimeout(timer);
    await listenerClosed;
  }

  /** A TLS connection whose handshake completed: checks a requested certificate and takes the principal from it. */
  private acceptTls(socket: TLSSocket): void {
    const certificate = socket.getPeerX509Certificate();
    if (certificate !== undefined && !socket.authorized) {
      this.authenticationStats.failedAuthentications++;
      this.logger.info(
        { clientAddress: `${socket.remoteAddress}:${socket.remotePort}`, reason: socket.authorizationError },
        'Failed authentication: the client certificate does not verify',
      );
      socket.destroy();
      return;
    }
    let principal: KafkaPrincipal = ANONYMOUS;
    if (certificate !== undefined && this.security.sasl === undefined) {
      const dn = distinguishedName(certificate.subject);
      try {
        principal = userPrincipal(this.security.principalMapper?.map(dn) ?? dn);
      } catch (err) {
        this.authenticationStats.failedAuthentications++;
        this.logger.info({ dn, err }, 'Failed authentication: no ssl.principal.mapping.rules rule applies');
        socket.destroy();
        return;
      }
    }
    if (this.security.sasl === undefined) this.authenticationStats.successfulAuthentications++;
    this.accept(socket, principal);
  }

  private accept(socket: Socket, principal: KafkaPrincipal): void {
    if (this.state !== 'Listening') {
      socket.destroy();
      return;
    }
    const o = this.options;
    const connectionId =
      `${socket.localAddress}:${socket.localPort}-${socket.remoteAddress}:${socket.remotePort}-` +
      `${this.nextConnectionIndex++}`;
    const connection = new ServerConnection({
      socket,
      connectionId,
      handler: o.handler,
      codec: this.codec,
      listener: this.listener,
      principal,
      sasl: this.saslFor(),
      socketRequestMaxBytes: o.socketRequestMaxBytes,
      connectionsMaxIdleMs: o.connectionsMaxIdleMs,
      queuedMaxRequests: o.queuedMaxRequests,
      time: o.time,
      logger: o.logger,
      onClose: (c) => this.connections.delete(c),
    });
    this.connections.add(connection);
  }

  private saslFor() {
    const sasl = this.security.sasl;
    if (sasl === undefined) return null;
    const stats = this.authenticationStats;
    return {
      authenticator: new SaslServerAuthenticator({
        enabledMechanisms: sasl.enabledMechanisms,
        credentials: sasl.credentials,
        maxReauthMs: sasl.maxReauthMs,
        now: () => this.options.time.milliseconds(),
      }),
      maxReceiveBytes: sasl.maxReceiveBytes,
      failedAuthenticationDelayMs: sasl.failedAuthenticationDelayMs,
      onOutcome: (succeeded: boolean) => {
        if (succeeded) stats.successfulAuthentications++;
        else stats.failedAuthentications++;
      },
    };
  }
}
