/**
 * A promise wrapper over node-zookeeper-client with Kafka's session handling (Kafka's `ZooKeeperClient`): typed
 * reads and writes, multi-ops with typed per-op results, watches that re-arm themselves and always deliver the
 * current state, and a new session after expiry.
 *
 * Layout: `connect` is Kafka's `zookeeper.connect`, `host:port[,host:port...][/chroot]`. With a chroot every path
 * is relative to it (node-zookeeper-client prefixes requests and strips responses and watch events); `connect()`
 * first creates the chroot if it is missing, through a short-lived client without chroot, as Kafka does.
 *
 * Invariants:
 * - At most one underlying session is current. An operation is bound to the session it started in: it is never
 *   carried over to a later session. CONNECTION_LOSS is retried on the same session once the library has
 *   reconnected (Kafka's `retryRequestUntilConnected`), so a write may have applied before the loss and its
 *   retry may then report NODE_EXISTS / NO_NODE / BAD_VERSION; callers that care re-read (see KafkaZkClient).
 * - When a session expires every operation still pending on it rejects with SESSION_EXPIRED.
 * - Watches: ZooKeeper watches are one-shot and lossy. A subscription re-reads the znode (setting a new watch in
 *   the same read) after every fire and after a new session, and calls its handler with what that read returned,
 *   never with the event. Calls of one handler never overlap and see states in read order; a change that happens
 *   while the handler runs causes one more read afterwards, so the last call always reflects the latest state.
 *   Within one session, reconnects keep the watches (the library re-sends them with SetWatches).
 *
 * Events: 'connected' (every (re)connection), 'disconnected', 'expired' (the session is gone and with it every
 * ephemeral znode it owned; emitted synchronously, before pending operations are failed and before a new session
 * is started, so that a controller can stop acting first), 'newSession' (a session replacing an expired one is
 * connected: re-register ephemeral znodes and re-read state; watches are re-armed right after the listeners ran),
 * 'sessionLost' (nothing has confirmed for almost the session timeout that the server still holds the session: it
 * may have expired, and the controller may be replacing this broker; see SessionWatchdog for the timing) and
 * 'sessionConfirmed' (an answer showed that the same session is alive after all). The watchdog also probes a
 * silent server and drops a connection that stays silent, which the library alone never does; and while every member
 * of the ensemble says it has no quorum (quorum-check.ts) it holds 'sessionLost' back: no session can expire then.
 *
 * Concurrency: single-threaded; many operations may be in flight (the library pipelines them in order). Event
 * listeners run synchronously inside the library's socket callbacks and must not throw (errors are logged).
 *
 * Secure ACLs (Kafka's `zookeeper.set.acl`): with `digestAuth` every session authenticates with ZooKeeper's digest
 * scheme (`addauth digest user:password`), and with `secureAcls` every znode is created readable by all and
 * writable only by that identity (CREATOR_ALL + world READ; under /config/users and /config/brokers, which hold
 * credentials and secrets, not even readable by others), as Kafka's `ZkData.defaultAcls` gives them. Without them
 * znodes are open to all, ZooKeeper's and Kafka's default.
 *
 * Ownership: the creator calls `connect()` once and `close()` once; close() ends the session (ephemeral znodes
 * vanish at once), rejects pending operations, stops every watch and leaves no timers or sockets behind.
 * Crash: nothing is persisted here; after a process crash the server expires the session after sessionTimeoutMs.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import zookeeper from 'node-zookeeper-client';
import { IllegalStateError, InvalidArgumentError, TimeoutError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemScheduler } from '../common/scheduler.js';
import { SystemTime } from '../common/time.js';
import { ensembleHasNoQuorum } from './quorum-check.js';
import { SessionWatchdog } from './session-watchdog.js';
import { ZkError, isZkError, zkCodeName, type ZkCode } from './zk-errors.js';

export type CreateMode = 'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL';

/** A znode's metadata. zxids and times are exact as numbers for any realistic ZooKeeper history. */
export interface ZkStat {
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  readonly ctimeMs: number;
  readonly mtimeMs: number;
  /** Data version: the optimistic-lock token of conditional setData/delete/check (Kafka's zkVersion). */
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  /** The owning session of an ephemeral znode, formatted like `ZkClient.sessionId`; '0' for a persistent one. */
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

export interface ZkNodeData {
  readonly data: Buffer;
  readonly stat: ZkStat;
}

export type ZkOp =
  | { readonly type: 'check'; readonly path: string; readonly version: number }
  | { readonly type: 'create'; readonly path: string; readonly data?: Buffer | null; readonly mode?: CreateMode }
  | { readonly type: 'setData'; readonly path: string; readonly data: Buffer; readonly version?: number }
  | { readonly type: 'delete'; readonly path: string; readonly version?: number };

/** The result of one op of a successful multi, by op type (create: the actual path, for sequential nodes). */
export type ZkOpResult<O extends ZkOp> = O extends { type: 'create' }
  ? { readonly type: 'create'; readonly path: string }
  : O extends { type: 'setData' }
    ? { readonly type: 'setData'; readonly stat: ZkStat }
    : O extends { type: 'check' }
      ? { readonly type: 'check' }
      : { readonly type: 'delete' };

export type ZkOpResults<T extends readonly ZkOp[]> = { -readonly [K in keyof T]: ZkOpResult<T[K]> };

export interface ZkClientOptions {
  /** `host:port[,host:port...][/chroot]` (Kafka's zookeeper.connect). */
  connect: string;
  /** Requested session timeout; the server clamps it to its min/max. @default 18000 (zookeeper.session.timeout.ms) */
  sessionTimeoutMs?: number;
  /** How long `connect()` waits for the first session. @default sessionTimeoutMs (zookeeper.connection.timeout.ms) */
  connectionTimeoutMs?: number;
  /** ZooKeeper digest credentials every session authenticates with (the JAAS file's Client section). */
  digestAuth?: { readonly username: string; readonly password: string };
  /** Create znodes writable only by the digest identity (zookeeper.set.acl; needs digestAuth). @default false */
  secureAcls?: boolean;
  logger?: Logger;
}

/** Paths whose znodes hold secrets: with secure ACLs nobody else may even read them (Kafka's SensitiveRootPaths). */
const SENSITIVE_ROOT_PATHS = ['/config/users', '/config/brokers'];
const WORLD = new zookeeper.Id('world', 'anyone');
const OPEN_ACL = [new zookeeper.ACL(zookeeper.Permission.ALL, WORLD)];
/** All rights for the identities the creating session authenticated as (ZooKeeper's `auth` scheme). */
const CREATOR_ALL_ACL = [new zookeeper.ACL(zookeeper.Permission.ALL, new zookeeper.Id('auth', ''))];
const SECURE_ACL = [...CREATOR_ALL_ACL, new zookeeper.ACL(zookeeper.Permission.READ, WORLD)];

export interface ZkClientEvents {
  connected: [];
  disconnected: [];
  expired: [];
  newSession: [];
  sessionLost: [];
  sessionConfirmed: [];
}

export const DEFAULT_ZK_SESSION_TIMEOUT_MS = 18_000;
/** Upper bound of the random pause before the library retries after every server failed once. */
const RECONNECT_SPIN_DELAY_MS = 250;
/** How long close() waits for the server to acknowledge the end of the session before dropping the socket. */
const CLOSE_GRACE_MS = 2_000;
const EMPTY = Buffer.alloc(0);
/** Keeps a multi of deletes far below ZooKeeper's default 1 MiB request limit (jute.maxbuffer). */
const MAX_DELETES_PER_MULTI = 500;

/** Errors that are the server's answer to a request on a live session (its outcome), not a lost connection. */
const SERVER_ANSWERS: ReadonlySet<ZkCode> = new Set<ZkCode>(['NO_NODE', 'NODE_EXISTS', 'BAD_VERSION', 'NOT_EMPTY']);

const CREATE_MODES: Record<CreateMode, number> = {
  PERSISTENT: zookeeper.CreateMode.PERSISTENT,
  EPHEMERAL: zookeeper.CreateMode.EPHEMERAL,
  PERSISTENT_SEQUENTIAL: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  EPHEMERAL_SEQUENTIAL: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

type Callback<T> = (error: unknown, value?: T) => void;

/** One underlying library client and the operations pending on it. */
interface Session {
  readonly raw: zookeeper.Client;
  /** Started because the previous session expired: its first connection emits 'newSession'. */
  readonly replacesExpired: boolean;
  readonly pending: Set<(e: ZkError) => void>;
  connectedOnce: boolean;
  expired: boolean;
  ended: boolean;
}

interface Watch<T> {
  readonly path: string;
  readonly read: (trigger: () => void) => Promise<T>;
  readonly handler: (state: T) => unknown;
  readonly trigger: () => void;
  active: boolean;
  running: boolean;
  again: boolean;
}

/** The library's connection manager, for the parts close() must reach (see `dropRaw`). */
/** The private fields of node-zookeeper-client 1.1.3's ConnectionManager that dropRaw() uses. */
export interface ConnectionManagerInternals {
  socket?: Socket;
  connectTimeoutHandler?: NodeJS.Timeout | null;
  connect(): void;
  onSocketConnected(): void;
}

export class ZkClient extends EventEmitter<ZkClientEvents> {
  readonly connectString: string;
  readonly chroot: string | undefined;
  private readonly hosts: string;
  private readonly sessionTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private readonly digestAuth: ZkClientOptions['digestAuth'];
  private readonly secureAcls: boolean;
  private readonly log: Logger;
  private session: Session | undefined;
  private readonly watches = new Set<Watch<unknown>>();
  private runningWatches = 0;
  private watchesIdleWaiters: (() => void)[] = [];
  private readonly watchdog: SessionWatchdog;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(opts: ZkClientOptions) {
    super();
    const { hosts, chroot } = parseConnectString(opts.connect);
    this.connectString = opts.connect;
    this.hosts = hosts;
    this.chroot = chroot;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS;
    this.connectionTimeoutMs = opts.connectionTimeoutMs ?? this.sessionTimeoutMs;
    this.digestAuth = opts.digestAuth;
    this.secureAcls = opts.secureAcls ?? false;
    if (this.secureAcls && this.digestAuth === undefined) {
      throw new InvalidArgumentError(
        'zookeeper.set.acl=true needs ZooKeeper credentials: a JAAS file with a Client section (DigestLoginModule ' +
          'with username and password), named by -Djava.security.auth.login.config=<file> in KAFKA_OPTS.',
      );
    }
    this.log = (opts.logger ?? silentLogger).child({ component: 'ZkClient', connect: opts.connect });
    this.watchdog = new SessionWatchdog({
      sessionTimeoutMs: () => this.session?.raw.getSessionTimeout() ?? this.sessionTimeoutMs,
      time: SystemTime,
      scheduler: new SystemScheduler((task, e) => this.log.error({ err: e, task }, 'session watchdog failed')),
      probe: () => this.readExists('/', undefined),
      dropConnection: (silentMs) => {
        this.log.warn(
          { sessionId: this.sessionId, silentMs: Math.round(silentMs) },
          'no answer from ZooKeeper for two thirds of the session timeout; reconnecting',
        );
        const session = this.session;
        if (session !== undefined && !session.ended) connectionManagerOf(session.raw).socket?.destroy();
      },
      onLost: (silentMs) => {
        this.log.warn(
          { sessionId: this.sessionId, silentMs: Math.round(silentMs) },
          'ZooKeeper session may have expired: nothing has confirmed it for almost the session timeout',
        );
        this.emitSafely('sessionLost');
      },
      onConfirmed: () => {
        this.log.info({ sessionId: this.sessionId }, 'ZooKeeper session confirmed alive again');
        this.emitSafely('sessionConfirmed');
      },
      provesNoQuorum: () =>
        ensembleHasNoQuorum(
          hosts,
          Math.max(100, (this.session?.raw.getSessionTimeout() ?? this.sessionTimeoutMs) / 10),
        ),
      onNoQuorum: (silentMs) =>
        this.log.warn(
          { sessionId: this.sessionId, silentMs: Math.round(silentMs), ensemble: hosts },
          'ZooKeeper has no quorum anywhere (no member serves): the session cannot expire meanwhile; going on',
        ),
    });
  }

  /** Creates the chroot if missing, then opens the session; rejects with TimeoutError after connectionTimeoutMs. */
  async connect(): Promise<void> {
    if (this.session !== undefined || this.closing) {
      throw new InvalidArgumentError('ZkClient.connect() may be called once, before close().');
    }
    const deadline = Date.now() + this.connectionTimeoutMs;
    if (this.chroot !== undefined) await this.ensureChroot(this.chroot, deadline);
    const session = this.startSession();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.off('connected', onConnected);
          void this.close();
          reject(
            new TimeoutError(
              `Could not connect to ZooKeeper at ${this.hosts} within ${this.connectionTimeoutMs} ms ` +
                `(zookeeper.connection.timeout.ms). Check zookeeper.connect and that ZooKeeper is running.`,
            ),
          );
        },
        Math.max(0, deadline - Date.now()),
      );
      const onConnected = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onConnected);
    });
    this.log.info(
      { sessionId: this.sessionId, sessionTimeoutMs: session.raw.getSessionTimeout() },
      'connected to ZooKeeper',
    );
  }

  /** The current session id as lowercase hex without leading zeros (Java's Long.toHexString); '0' before connect. */
  get sessionId(): string {
    return this.session === undefined ? '0' : hexId(this.session.raw.getSessionId());
  }

  /** Id and password of the current session (what a client needs to attach to it); for diagnostics and specs. */
  get sessionCredentials(): { sessionId: Buffer; password: Buffer } {
    const raw = this.requireSession().raw;
    return { sessionId: raw.getSessionId(), password: raw.getSessionPassword() };
  }

  get connected(): boolean {
    return this.session?.raw.getState() === zookeeper.State.SYNC_CONNECTED;
  }

  /** True from 'sessionLost' until 'sessionConfirmed' or a new session. */
  get sessionMayHaveExpired(): boolean {
    return this.watchdog.sessionMayHaveExpired;
  }

  /** Data and stat of a znode, or null if it does not exist. */
  async getData(path: string): Promise<ZkNodeData | null> {
    return this.readData(path, undefined);
  }

  /** Child names (not paths) of a znode in server order, or null if it does not exist. */
  async getChildren(path: string): Promise<string[] | null> {
    return this.readChildren(path, undefined);
  }

  /** Stat of a znode, or null if it does not exist. */
  async exists(path: string): Promise<ZkStat | null> {
    return this.readExists(path, undefined);
  }

  /**
   * Creates a znode and returns its actual path (with the sequence suffix for sequential modes). Throws ZkError
   * NODE_EXISTS, or NO_NODE when the parent is missing unless `createParents` (then missing parents are created
   * as empty persistent znodes, Kafka's createRecursive).
   */
  async create(
    path: string,
    data: Buffer | null = null,
    opts: { mode?: CreateMode; createParents?: boolean } = {},
  ): Promise<string> {
    const mode = CREATE_MODES[opts.mode ?? 'PERSISTENT'];
    const once = (): Promise<string> =>
      this.call<string>('create', path, (raw, cb) =>
        raw.create(path, data ?? EMPTY, this.aclsFor(path), mode, (e, created) => cb(e, created)),
      );
    try {
      return await once();
    } catch (e) {
      if (!opts.createParents || !isZkError(e, 'NO_NODE')) throw e;
      await this.ensurePath(parentOf(path));
      return once();
    }
  }

  /** Creates a persistent path and its missing parents, all empty; existing znodes are left as they are. */
  async ensurePath(path: string): Promise<void> {
    if (path === '/') return;
    try {
      await this.create(path);
    } catch (e) {
      if (isZkError(e, 'NODE_EXISTS')) return;
      if (!isZkError(e, 'NO_NODE')) throw e;
      await this.ensurePath(parentOf(path));
      await this.ensurePath(path);
    }
  }

  /** Sets data if the znode's version equals `expectedVersion` (-1: any); returns the new stat. */
  async setData(path: string, data: Buffer, expectedVersion = -1): Promise<ZkStat> {
    return this.call('setData', path, (raw, cb) =>
      raw.setData(path, data, expectedVersion, (e, stat) => cb(e, e ? undefined : toStat(stat))),
    );
  }

  /** Deletes a znode if its version equals `expectedVersion` (-1: any). Throws NO_NODE, BAD_VERSION, NOT_EMPTY. */
  async delete(path: string, expectedVersion = -1): Promise<void> {
    await this.call<void>('delete', path, (raw, cb) => raw.remove(path, expectedVersion, (e) => cb(e)));
  }

  /**
   * Deletes a znode and everything below it, deepest level first, in multis of up to 500 deletes; a missing
   * znode is fine, and znodes that appear or vanish meanwhile are handled. With `guard`, every multi starts with
   * check(guard.path, guard.version), so the deletion stops with ZkError BAD_VERSION (failedOpIndex 0) as soon
   * as the guard znode has changed (a fenced controller deletion).
   */
  async deleteRecursive(path: string, guard?: { path: string; version: number }): Promise<void> {
    const levels: string[][] = [];
    for (let level = [path]; level.length > 0;) {
      levels.push(level);
      const children = await Promise.all(
        level.map(async (p) => ((await this.getChildren(p)) ?? []).map((c) => childPath(p, c))),
      );
      level = children.flat();
    }
    const prefix: ZkOp[] = guard === undefined ? [] : [{ type: 'check', path: guard.path, version: guard.version }];
    const deleteBatch = async (batch: string[]): Promise<'done' | 'childAppeared'> => {
      while (batch.length > 0) {
        try {
          await this.multi([...prefix, ...batch.map((p): ZkOp => ({ type: 'delete', path: p }))]);
          return 'done';
        } catch (e) {
          if (isZkError(e, 'NOT_EMPTY')) return 'childAppeared';
          if (!isZkError(e, 'NO_NODE') || e.failedOpIndex === undefined || e.failedOpIndex < prefix.length) throw e;
          const vanished = e.failedOpIndex - prefix.length;
          batch = batch.filter((_, j) => j !== vanished);
        }
      }
      return 'done';
    };
    for (const level of levels.reverse()) {
      const batches: string[][] = [];
      for (let i = 0; i < level.length; i += MAX_DELETES_PER_MULTI)
        batches.push(level.slice(i, i + MAX_DELETES_PER_MULTI));
      const outcomes = await Promise.all(batches.map(deleteBatch));
      if (outcomes.includes('childAppeared')) return this.deleteRecursive(path, guard);
    }
  }

  /**
   * Runs ops atomically. On failure nothing is applied and a ZkError carries the failing op's code, path and
   * `failedOpIndex`.
   */
  async multi<const T extends readonly ZkOp[]>(ops: T): Promise<ZkOpResults<T>> {
    if (ops.length === 0) return [] as unknown as ZkOpResults<T>;
    const results = await this.call<RawOpResult[]>('multi', ops[0]!.path, (raw, cb) => {
      const tx = raw.transaction();
      for (const op of ops) {
        switch (op.type) {
          case 'check':
            tx.check(op.path, op.version);
            break;
          case 'create':
            tx.create(op.path, op.data ?? EMPTY, this.aclsFor(op.path), CREATE_MODES[op.mode ?? 'PERSISTENT']);
            break;
          case 'setData':
            tx.setData(op.path, op.data, op.version ?? -1);
            break;
          case 'delete':
            tx.remove(op.path, op.version ?? -1);
            break;
        }
      }
      // node-zookeeper-client 1.1.3 writes `version || -1` for check/setData/delete, turning version 0 into
      // "any version". Put the exact versions back before the request is built at commit.
      const queued = (tx as unknown as { ops: { version?: number }[] }).ops;
      ops.forEach((op, i) => {
        if (op.type !== 'create') queued[i]!.version = op.version ?? -1;
      });
      tx.commit((e, res: RawOpResult[] | undefined) => {
        if (e && Array.isArray(res)) {
          const index = res.findIndex((r) => r.err !== undefined && r.err !== 0);
          const code = zkCodeName(res[index]?.err ?? -1);
          const op = ops[index];
          cb(
            new ZkError(code, `ZooKeeper multi failed: ${code} at op ${index} (${op?.type} ${op?.path}).`, {
              path: op?.path ?? '',
              failedOpIndex: index,
            }),
          );
        } else {
          cb(e, res);
        }
      });
    });
    return results.map((r, i) => {
      switch (ops[i]!.type) {
        case 'create':
          return { type: 'create', path: r.path ?? '' };
        case 'setData':
          return { type: 'setData', stat: toStat(r.stat!) };
        case 'check':
          return { type: 'check' };
        case 'delete':
          return { type: 'delete' };
      }
    }) as unknown as ZkOpResults<T>;
  }

  /**
   * Watches a znode's data and stat. `handler` is called once with the current state, then after every change
   * (null while the znode does not exist). Returns the unsubscribe function.
   */
  watchData(path: string, handler: (node: ZkNodeData | null) => unknown): () => void {
    return this.addWatch(path, handler, (trigger) => this.readData(path, trigger));
  }

  /** Watches a znode's children (names); null while the znode does not exist. Returns the unsubscribe function. */
  watchChildren(path: string, handler: (children: string[] | null) => unknown): () => void {
    return this.addWatch(path, handler, (trigger) => this.readChildren(path, trigger));
  }

  /** Watches a znode's existence (and stat: a data change fires it too). Returns the unsubscribe function. */
  watchExists(path: string, handler: (stat: ZkStat | null) => unknown): () => void {
    return this.addWatch(path, handler, (trigger) => this.readExists(path, trigger));
  }

  /**
   * Re-reads every watched znode now and hands each handler what it read, as a new session does; resolves once every
   * watch handler has run, including those of watches that handlers created meanwhile. For a client that was cut off
   * and is back on the same session, whose watches may have missed changes.
   */
  async refreshWatches(): Promise<void> {
    for (const w of this.watches) this.rearm(w);
    if (this.runningWatches === 0) return;
    await new Promise<void>((resolve) => this.watchesIdleWaiters.push(resolve));
  }

  /** Ends the session (its ephemeral znodes vanish), rejects pending operations and stops every watch. */
  close(): Promise<void> {
    if (this.closed !== undefined) return this.closed;
    this.closing = true;
    this.watchdog.stop();
    for (const w of this.watches) w.active = false;
    this.watches.clear();
    const session = this.session;
    this.closed = session === undefined ? Promise.resolve() : this.endSession(session, true);
    return this.closed.then(() => this.log.info('ZooKeeper client closed'));
  }

  // ---- reads with optional watch ----

  private readData(path: string, watcher: (() => void) | undefined): Promise<ZkNodeData | null> {
    return this.withExistenceFallback(path, watcher, () =>
      this.call<ZkNodeData>('getData', path, (raw, cb) => {
        const done = (e: unknown, data?: Buffer, stat?: zookeeper.Stat): void =>
          cb(e, e ? undefined : { data: data ?? EMPTY, stat: toStat(stat!) });
        if (watcher) raw.getData(path, watcher, done);
        else raw.getData(path, done);
      }),
    );
  }

  private readChildren(path: string, watcher: (() => void) | undefined): Promise<string[] | null> {
    return this.withExistenceFallback(path, watcher, () =>
      this.call<string[]>('getChildren', path, (raw, cb) => {
        const done = (e: unknown, children?: string[]): void => cb(e, children ?? []);
        if (watcher) raw.getChildren(path, watcher, done);
        else raw.getChildren(path, done);
      }),
    );
  }

  private readExists(path: string, watcher: (() => void) | undefined): Promise<ZkStat | null> {
    return this.call<ZkStat | null>('exists', path, (raw, cb) => {
      const done = (e: unknown, stat?: zookeeper.Stat | null): void => cb(e, e || !stat ? null : toStat(stat));
      if (watcher) raw.exists(path, watcher, done);
      else raw.exists(path, done);
    });
  }

  /**
   * Runs a read that fails with NO_NODE on a missing znode and maps that to null. With a watcher, a missing znode
   * gets an existence watch instead (getData/getChildren leave no watch on a missing znode); if the znode appeared
   * in between, the read is repeated so that the right kind of watch is set.
   */
  private async withExistenceFallback<T>(
    path: string,
    watcher: (() => void) | undefined,
    read: () => Promise<T>,
  ): Promise<T | null> {
    for (;;) {
      try {
        return await read();
      } catch (e) {
        if (!isZkError(e, 'NO_NODE')) throw e;
      }
      if (watcher === undefined || (await this.readExists(path, watcher)) === null) return null;
    }
  }

  // ---- watches ----

  private addWatch<T>(
    path: string,
    handler: (state: T) => unknown,
    read: (trigger: () => void) => Promise<T>,
  ): () => void {
    if (this.closing) throw new InvalidArgumentError(`Cannot watch ${path}: the ZkClient is closed.`);
    this.requireSession();
    const watch: Watch<T> = {
      path,
      read,
      handler,
      active: true,
      running: false,
      again: false,
      trigger: () => this.rearm(watch as Watch<unknown>),
    };
    this.watches.add(watch as Watch<unknown>);
    this.rearm(watch as Watch<unknown>);
    return () => {
      watch.active = false;
      this.watches.delete(watch as Watch<unknown>);
    };
  }

  private rearm(watch: Watch<unknown>): void {
    if (!watch.active) return;
    if (watch.running) {
      watch.again = true;
      return;
    }
    watch.running = true;
    void this.runWatch(watch);
  }

  /** Reads (re-setting the watch) and calls the handler until no fire arrived meanwhile. */
  private async runWatch(watch: Watch<unknown>): Promise<void> {
    this.runningWatches++;
    try {
      do {
        watch.again = false;
        let state: unknown;
        try {
          state = await watch.read(watch.trigger);
        } catch (e) {
          // SESSION_EXPIRED or close: the next session re-arms every active watch.
          if (watch.active)
            this.log.warn({ err: e, path: watch.path }, 'watch read failed; re-armed with the next session');
          continue;
        }
        if (!watch.active) break;
        try {
          await watch.handler(state);
        } catch (e) {
          this.log.error({ err: e, path: watch.path }, 'watch handler failed');
        }
      } while (watch.again && watch.active);
    } finally {
      watch.running = false;
      if (--this.runningWatches === 0) for (const wake of this.watchesIdleWaiters.splice(0)) wake();
    }
  }

  // ---- sessions ----

  private startSession(): Session {
    const raw = zookeeper.createClient(this.connectStringForSession(), {
      sessionTimeout: this.sessionTimeoutMs,
      spinDelay: RECONNECT_SPIN_DELAY_MS,
      retries: 0,
    });
    const session: Session = {
      raw,
      replacesExpired: this.session !== undefined,
      pending: new Set(),
      connectedOnce: false,
      expired: false,
      ended: false,
    };
    raw.on('state', (state) => this.onState(session, state));
    if (this.digestAuth !== undefined) {
      raw.addAuthInfo('digest', Buffer.from(`${this.digestAuth.username}:${this.digestAuth.password}`, 'utf8'));
    }
    this.session = session;
    this.watchdog.sessionStarted();
    raw.connect();
    return session;
  }

  /** The ACLs a new znode gets (see the header). */
  private aclsFor(path: string): zookeeper.ACL[] {
    if (!this.secureAcls) return OPEN_ACL;
    const sensitive = SENSITIVE_ROOT_PATHS.some((root) => path === root || path.startsWith(`${root}/`));
    return sensitive ? CREATOR_ALL_ACL : SECURE_ACL;
  }

  private connectStringForSession(): string {
    return this.chroot === undefined ? this.hosts : `${this.hosts}${this.chroot}`;
  }

  private onState(session: Session, state: zookeeper.State): void {
    if (session !== this.session || session.ended) return;
    switch (state) {
      case zookeeper.State.SYNC_CONNECTED: {
        const firstConnection = !session.connectedOnce;
        session.connectedOnce = true;
        this.log.debug({ sessionId: this.sessionId }, 'ZooKeeper connected');
        this.watchdog.connected();
        this.emitSafely('connected');
        if (firstConnection && session.replacesExpired) {
          this.log.info({ sessionId: this.sessionId }, 'new ZooKeeper session established after expiry');
          this.emitSafely('newSession');
          for (const w of this.watches) this.rearm(w);
        }
        break;
      }
      case zookeeper.State.DISCONNECTED:
        this.watchdog.disconnected();
        this.log.warn({ sessionId: this.sessionId }, 'ZooKeeper disconnected; reconnecting');
        this.emitSafely('disconnected');
        break;
      case zookeeper.State.EXPIRED:
        this.onExpired(session);
        break;
      case zookeeper.State.AUTH_FAILED:
        this.log.error('ZooKeeper authentication failed');
        break;
      default:
        break;
    }
  }

  private onExpired(session: Session): void {
    const sessionId = hexId(session.raw.getSessionId());
    session.expired = true;
    this.log.warn({ sessionId }, 'ZooKeeper session expired; its ephemeral znodes are gone');
    this.emitSafely('expired');
    void this.endSession(session, false);
    if (!this.closing) this.startSession();
  }

  /** Fails what is pending on the session and closes its library client without leaving timers or sockets. */
  private async endSession(session: Session, graceful: boolean): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    const reason = session.expired
      ? new ZkError('SESSION_EXPIRED', `ZooKeeper session 0x${hexId(session.raw.getSessionId())} expired.`)
      : new ZkError('CONNECTION_LOSS', 'The ZkClient was closed.');
    for (const fail of [...session.pending]) fail(reason);
    await closeRaw(session.raw, graceful);
  }

  private emitSafely(event: keyof ZkClientEvents): void {
    try {
      this.emit(event);
    } catch (e) {
      this.log.error({ err: e, event }, 'ZkClient event listener threw');
    }
  }

  private requireSession(): Session {
    if (this.session === undefined) throw new InvalidArgumentError('ZkClient is not connected: call connect() first.');
    return this.session;
  }

  /**
   * Runs one library call on the current session as a promise. CONNECTION_LOSS is retried on the same session
   * (the library holds requests while it reconnects); SESSION_EXPIRED and close end it.
   */
  private call<T>(what: string, path: string, fn: (raw: zookeeper.Client, cb: Callback<T>) => void): Promise<T> {
    const session = this.requireSession();
    if (this.closing || session.ended) {
      return Promise.reject(
        session.expired
          ? new ZkError('SESSION_EXPIRED', `Cannot ${what} ${path}: the ZooKeeper session expired.`, { path })
          : new ZkError('CONNECTION_LOSS', `Cannot ${what} ${path}: the ZkClient is closed.`, { path }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (e: ZkError): void => {
        if (settled) return;
        settled = true;
        session.pending.delete(fail);
        reject(e);
      };
      session.pending.add(fail);
      const attempt = (): void => {
        const sentAtMs = SystemTime.hiResMs();
        try {
          fn(session.raw, (e, value) => {
            if (settled) return;
            if (e) {
              const err = toZkError(e, what, path);
              if (err.zkCode === 'CONNECTION_LOSS' && !session.ended) {
                // The library fails in-flight requests before it starts reconnecting; queue the retry after that.
                queueMicrotask(attempt);
                return;
              }
              if (SERVER_ANSWERS.has(err.zkCode) && session === this.session) this.watchdog.answered(sentAtMs);
              fail(err);
              return;
            }
            settled = true;
            session.pending.delete(fail);
            // The server heard from this session no earlier than the request was sent (SessionWatchdog).
            if (session === this.session) this.watchdog.answered(sentAtMs);
            resolve(value as T);
          });
        } catch (e) {
          settled = true;
          session.pending.delete(fail);
          reject(new InvalidArgumentError(`Invalid ZooKeeper ${what} on ${path}: ${String(e)}`, { cause: e }));
        }
      };
      attempt();
    });
  }

  /** Creates the chroot (and its parents) through a short-lived client without chroot. */
  private async ensureChroot(chroot: string, deadline: number): Promise<void> {
    const raw = zookeeper.createClient(this.hosts, {
      sessionTimeout: this.sessionTimeoutMs,
      spinDelay: RECONNECT_SPIN_DELAY_MS,
      retries: 0,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new TimeoutError(
                `Could not connect to ZooKeeper at ${this.hosts} within ${this.connectionTimeoutMs} ms to create the ` +
                  `chroot ${chroot}. Check zookeeper.connect and that ZooKeeper is running.`,
              ),
            ),
          Math.max(0, deadline - Date.now()),
        );
        raw.once('connected', () => {
          clearTimeout(timer);
          raw.mkdirp(chroot, (e) => (e ? reject(toZkError(e, 'create chroot', chroot)) : resolve()));
        });
        raw.connect();
      });
    } finally {
      await closeRaw(raw, true);
    }
  }
}

interface RawOpResult {
  type: number;
  err?: number;
  path?: string;
  stat?: zookeeper.Stat;
}

/**
 * Closes a library client: when connected and `graceful`, ends the session and waits (bounded) for the server to
 * drop the connection; then makes sure it holds no socket or timer.
 */
async function closeRaw(raw: zookeeper.Client, graceful: boolean): Promise<void> {
  if (graceful && raw.getState() === zookeeper.State.SYNC_CONNECTED) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_GRACE_MS);
      raw.on('state', (s) => {
        if (s !== zookeeper.State.DISCONNECTED) return;
        clearTimeout(timer);
        resolve();
      });
      raw.close();
    });
  }
  dropRaw(raw);
}

/**
 * The library's private connection manager, checked against the shape this module relies on (node-zookeeper-client
 * is pinned to exactly 1.1.3 in package.json for this reason; spec/unit/zk/zk-client-internals.spec.ts fails on an
 * upgrade that changes it). Throws IllegalStateError naming what is missing rather than misbehaving silently.
 */
export function connectionManagerOf(raw: zookeeper.Client): ConnectionManagerInternals {
  const cm = (raw as unknown as { connectionManager?: Partial<ConnectionManagerInternals> }).connectionManager;
  const missing = [
    cm === undefined || cm === null ? 'connectionManager' : undefined,
    typeof cm?.connect === 'function' ? undefined : 'connectionManager.connect()',
    typeof cm?.onSocketConnected === 'function' ? undefined : 'connectionManager.onSocketConnected()',
    cm !== undefined && cm !== null && 'connectTimeoutHandler' in cm
      ? undefined
      : 'connectionManager.connectTimeoutHandler',
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw new IllegalStateError(
      `node-zookeeper-client's internals changed (missing ${missing.join(', ')}); lib/zk/zk-client.ts relies on ` +
        'version 1.1.3. Pin that version in package.json or adapt dropRaw() to the new one.',
    );
  }
  return cm as ConnectionManagerInternals;
}

/**
 * Makes sure a library client never reconnects and holds no socket or timer. node-zookeeper-client 1.1.3 has no
 * way to abandon a client that is not connected: its close() only queues a request, it reconnects whenever a
 * socket closes, an attempt already scheduled (spin delay) opens a socket later, and its connect timer survives a
 * socket destroyed before connecting. So: no more reconnects, a late attempt ends as soon as it connects, and the
 * current socket and timer go now.
 */
function dropRaw(raw: zookeeper.Client): void {
  const cm = connectionManagerOf(raw);
  cm.connect = () => undefined;
  cm.onSocketConnected = function (this: ConnectionManagerInternals) {
    if (this.connectTimeoutHandler) clearTimeout(this.connectTimeoutHandler);
    this.socket?.destroy();
  };
  if (cm.connectTimeoutHandler) clearTimeout(cm.connectTimeoutHandler);
  cm.socket?.destroy();
  raw.removeAllListeners();
}

function toZkError(e: unknown, what: string, path: string): ZkError {
  if (e instanceof ZkError) return e;
  const code =
    typeof (e as { code?: unknown })?.code === 'number' ? zkCodeName((e as { code: number }).code) : 'SYSTEM_ERROR';
  return new ZkError(code, `ZooKeeper ${what} ${path} failed: ${code}.`, { path, cause: e });
}

function toStat(s: zookeeper.Stat): ZkStat {
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    pzxid: long(s.pzxid),
    ctimeMs: long(s.ctime),
    mtimeMs: long(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: hexId(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

function long(b: Buffer): number {
  return Number(b.readBigInt64BE(0));
}

function hexId(b: Buffer): string {
  return b.readBigUInt64BE(0).toString(16);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Splits Kafka's zookeeper.connect into the host list and the chroot (undefined when none). */
export function parseConnectString(connect: string): { hosts: string; chroot: string | undefined } {
  const slash = connect.indexOf('/');
  const hosts = slash < 0 ? connect : connect.slice(0, slash);
  const chrootPart = slash < 0 ? '' : connect.slice(slash);
  if (hosts.trim() === '' || hosts.split(',').some((h) => !/^[^:,\s]+(:\d+)?$/.test(h.trim()))) {
    throw new InvalidArgumentError(
      `zookeeper.connect '${connect}' is invalid: expected host:port[,host:port...][/chroot].`,
    );
  }
  if (chrootPart === '' || chrootPart === '/') return { hosts, chroot: undefined };
  if (chrootPart.endsWith('/') || chrootPart.includes('//')) {
    throw new InvalidArgumentError(
      `The chroot '${chrootPart}' in zookeeper.connect '${connect}' is invalid: ` +
        `it must not end with '/' or contain empty path elements.`,
    );
  }
  return { hosts, chroot: chrootPart };
}
