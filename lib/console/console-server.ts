/**
 * The web console's HTTP server (Node's http): the page and its bundled script and styles (built by esbuild into
 * dist/console-web at `npm run build`, nothing fetched from elsewhere), the JSON API of console-api.ts, and
 * /api/events, a server-sent event stream that pushes each new `ClusterSnapshot`.
 *
 * Layout: `ConsoleServer.start()` is the composition root: it connects an Admin client (and a ZooKeeper client
 * with --zookeeper), starts the `ClusterMonitor`, waits for its first refresh and listens. `ROUTES` maps method and
 * path to an API method; path parameters are matched on the still-encoded path and decoded afterwards, so topic
 * and group names may hold any character.
 *
 * Safety: bound to 127.0.0.1 by default. On a loopback address the Host header must name the console itself
 * (a page on another site that resolves its own name to 127.0.0.1 cannot talk to it: DNS rebinding). Changes take
 * POST/PUT/DELETE with the `X-MQ-Console` header, which a page of another origin cannot send without a CORS
 * preflight that this server never grants. Every answer forbids framing and sniffing; the page's content security
 * policy allows only its own origin.
 *
 * Ownership: owns the Admin, ZooKeeper client, monitor, API (and its producer) and the open event streams;
 * `close()` stops the monitor, ends the streams, closes the server and then the clients.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '../client/admin/admin.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { KafkaZkClient } from '../zk/kafka-zk-client.js';
import type { ApiErrorBody, ClusterSnapshot } from './api-types.js';
import { ConsoleApi } from './console-api.js';
import { ConsoleError, httpStatusOf } from './console-errors.js';
import { resolveConsoleOptions, type ConsoleOptions, type ResolvedConsoleOptions } from './console-options.js';
import {
  parseBrowseQuery,
  parseConfigMap,
  parseNewTopic,
  parsePartitionCount,
  parseProduce,
  parseReset,
} from './console-requests.js';
import { ClusterMonitor } from './cluster-monitor.js';

/** Where `npm run build` puts the page's bundle, relative to this file's compiled copy (dist/lib/console). */
const ASSETS_DIR = fileURLToPath(new URL('../../console-web/', import.meta.url));
const ASSETS = ['main.js', 'main.css', 'main.js.map', 'main.css.map'] as const;
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const MAX_BODY_BYTES = 1024 * 1024;
const KEEPALIVE_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: RegExp;
  /** Answers 201 instead of 200. */
  created?: boolean;
  run(api: ConsoleApi, ctx: RouteContext): Promise<unknown>;
}

const partitionOf = (s: string) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Partition must be a number; found '${s}'.`);
  return n;
};

const ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/api\/snapshot$/, run: async (api) => api.snapshot() },
  { method: 'GET', path: /^\/api\/brokers\/(\d+)\/configs$/, run: (api, c) => api.brokerConfigs(Number(c.params[0])) },
  {
    method: 'POST',
    path: /^\/api\/topics$/,
    created: true,
    run: async (api, c) => {
      const req = parseNewTopic(c.body);
      await api.createTopic(req);
      return { name: req.name };
    },
  },
  { method: 'GET', path: /^\/api\/topics\/([^/]+)$/, run: (api, c) => api.topicDetail(c.params[0]!) },
  {
    method: 'DELETE',
    path: /^\/api\/topics\/([^/]+)$/,
    run: async (api, c) => {
      await api.deleteTopic(c.params[0]!);
      return { deleted: c.params[0] };
    },
  },
  {
    method: 'POST',
    path: /^\/api\/topics\/([^/]+)\/partitions$/,
    run: async (api, c) => {
      const count = parsePartitionCount(c.body);
      await api.addPartitions(c.params[0]!, count);
      return { partitions: count };
    },
  },
  {
    method: 'PUT',
    path: /^\/api\/topics\/([^/]+)\/configs$/,
    run: async (api, c) => {
      const configs = parseConfigMap((c.body as { configs?: unknown } | null)?.configs);
      await api.setTopicConfigs(c.params[0]!, configs);
      return { configs };
    },
  },
  {
    method: 'POST',
    path: /^\/api\/topics\/([^/]+)\/records$/,
    created: true,
    run: (api, c) => api.produce(c.params[0]!, parseProduce(c.body)),
  },
  {
    method: 'GET',
    path: /^\/api\/topics\/([^/]+)\/partitions\/([^/]+)$/,
    run: (api, c) => api.partitionPage(c.params[0]!, partitionOf(c.params[1]!)),
  },
  {
    method: 'GET',
    path: /^\/api\/topics\/([^/]+)\/partitions\/([^/]+)\/records$/,
    run: (api, c) => api.browseRecords(c.params[0]!, partitionOf(c.params[1]!), parseBrowseQuery(c.query)),
  },
  { method: 'GET', path: /^\/api\/groups\/([^/]+)$/, run: (api, c) => api.groupDetail(c.params[0]!) },
  {
    method: 'POST',
    path: /^\/api\/groups\/([^/]+)\/reset-offsets$/,
    run: (api, c) => api.resetOffsets(c.params[0]!, parseReset(c.body)),
  },
  { method: 'GET', path: /^\/api\/reassignments$/, run: (api) => api.reassignments() },
];

/** The page: a shell that loads the bundle; every view is drawn by the script. */
function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mq console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/main.css">
<script type="module" src="/assets/main.js"></script>
</head>
<body><div id="app"></div><noscript>The mq console needs JavaScript.</noscript></body>
</html>
`;
}

export class ConsoleServer {
  private readonly streams = new Set<ServerResponse>();
  private readonly assets = new Map<string, Buffer>();

  private constructor(
    private readonly options: ResolvedConsoleOptions,
    private readonly logger: Logger,
    private readonly admin: Admin,
    private readonly zk: KafkaZkClient | null,
    private readonly monitor: ClusterMonitor,
    private readonly api: ConsoleApi,
    private readonly server: Server,
  ) {
    for (const name of ASSETS) {
      const path = `${ASSETS_DIR}${name}`;
      if (existsSync(path)) this.assets.set(name, readFileSync(path));
    }
  }

  /** Connects to the cluster, reads it once and listens; rejects when the cluster or ZooKeeper cannot be reached. */
  static async start(options: ConsoleOptions): Promise<ConsoleServer> {
    const o = resolveConsoleOptions(options);
    if (!existsSync(`${ASSETS_DIR}main.js`)) {
      throw new ConsoleError(
        500,
        `The console's page is not built (${ASSETS_DIR}main.js is missing); run npm run build first.`,
      );
    }
    const logger = o.logger.child({ component: 'ConsoleServer' });
    const admin = new Admin({ ...o.clientProperties, logger: o.logger });
    let zk: KafkaZkClient | null = null;
    try {
      await admin.connect();
      if (o.zookeeper !== null) {
        zk = await KafkaZkClient.connect({
          connect: o.zookeeper,
          sessionTimeoutMs: 30_000,
          connectionTimeoutMs: 15_000,
          logger: o.logger,
        });
      }
    } catch (e) {
      await admin.close();
      throw e;
    }
    const monitor = new ClusterMonitor(admin, o, logger);
    const api = new ConsoleApi(admin, monitor, zk, o, logger);
    const server = createServer();
    const instance = new ConsoleServer(o, logger, admin, zk, monitor, api, server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => instance.handle(req, res));
    monitor.start();
    monitor.subscribe((s) => instance.broadcast(s));
    try {
      await monitor.whenReady();
      await new Promise<void>((resolve, reject) => {
        const refused = (e: NodeJS.ErrnoException) =>
          reject(
            e.code === 'EADDRINUSE'
              ? new ConsoleError(500, `Port ${o.port} of ${o.host} is taken; choose another with --port.`, { cause: e })
              : e,
          );
        server.once('error', refused);
        server.listen(o.port, o.host, () => {
          server.off('error', refused);
          resolve();
        });
      });
    } catch (e) {
      await instance.close();
      throw e;
    }
    logger.info({ url: instance.url }, 'Console listening');
    return instance;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}/`;
  }

  async close(): Promise<void> {
    await this.monitor.stop();
    for (const res of this.streams) res.end();
    this.streams.clear();
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.api.close();
    await this.admin.close();
    await this.zk?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    this.route(req, res).catch((e: unknown) => this.fail(res, e));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkHost(req);
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      return this.send(res, 200, 'text/html; charset=utf-8', indexHtml());
    }
    if (req.method === 'GET' && path.startsWith('/assets/')) return this.asset(res, path.slice('/assets/'.length));
    if (req.method === 'GET' && path === '/api/events') return this.openStream(req, res);
    const candidates = ROUTES.filter((r) => r.path.test(path));
    const route = candidates.find((r) => r.method === req.method);
    if (route === undefined) {
      if (candidates.length > 0) {
        res.setHeader('Allow', candidates.map((r) => r.method).join(', '));
        throw new ConsoleError(405, `${req.method} is not allowed on ${path}.`);
      }
      throw new ConsoleError(404, `No such page or API: ${path}.`);
    }
    if (route.method !== 'GET' && req.headers['x-mq-console'] === undefined) {
      throw new ConsoleError(403, 'Changes need the X-MQ-Console header, which the console page sends.');
    }
    const params = route.path.exec(path)!.slice(1).map(decodeURIComponent);
    const body = route.method === 'POST' || route.method === 'PUT' ? await readJson(req) : null;
    const result = await route.run(this.api, { params, query: url.searchParams, body });
    this.logger.debug({ method: req.method, path }, 'Console request');
    this.send(res, route.created === true ? 201 : 200, 'application/json', JSON.stringify(result));
  }

  /** On a loopback address, only requests addressed to the console's own host name are served. */
  private checkHost(req: IncomingMessage): void {
    if (!LOOPBACK.has(this.options.host)) return;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!LOOPBACK.has(host)) {
      throw new ConsoleError(
        421,
        `This console answers requests for 127.0.0.1 or localhost, not '${req.headers.host ?? ''}'.`,
      );
    }
  }

  private asset(res: ServerResponse, name: string): void {
    const content = this.assets.get(name);
    if (content === undefined) throw new ConsoleError(404, `No such asset: ${name}.`);
    res.setHeader('Cache-Control', 'no-cache');
    this.send(res, 200, CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', content);
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`retry: ${this.options.refreshIntervalMs}\n\n`);
    const latest = this.monitor.snapshot();
    if (latest !== null) res.write(eventOf(latest));
    this.streams.add(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      clearInterval(keepalive);
      this.streams.delete(res);
    });
  }

  private broadcast(snapshot: ClusterSnapshot): void {
    if (this.streams.size === 0) return;
    const event = eventOf(snapshot);
    for (const res of this.streams) res.write(event);
  }

  private send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
    if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const status = httpStatusOf(error);
    const e = error as { message?: string; errorName?: string };
    if (status >= 500) this.logger.warn({ err: error }, 'Console request failed');
    const body: ApiErrorBody = { error: e.message ?? String(error) };
    if (typeof e.errorName === 'string') body.errorName = e.errorName;
    if (res.headersSent) {
      res.end();
      return;
    }
    this.send(res, status, 'application/json', JSON.stringify(body));
  }
}

function eventOf(snapshot: ClusterSnapshot): string {
  return `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new ConsoleError(415, `Send the request body as application/json; found '${type}'.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ConsoleError(413, `The request body is over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    throw new InvalidArgumentError(`The request body is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
