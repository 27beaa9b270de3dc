/**
 * The ZooKeeper client's own view of whether its session may still be alive, and what it does about a silent
 * server: the Java client's ping interval and read timeout, and Curator's LOST state, for node-zookeeper-client,
 * which has none of them (it pings an idle connection but never notices that no answer comes back, so a connection
 * whose packets are dropped stays "connected" until TCP gives up, many minutes later).
 *
 * Timing. The server expires a session when it has heard nothing from the client for the negotiated session
 * timeout T (checked once per tick, so possibly a little later, never earlier). The client cannot see that moment.
 * What it knows is when it sent each request that got an answer; the server received such a request, and so
 * touched the session, no earlier than it was sent. With `confirmedAtMs` the latest send time of an answered
 * request, the session is alive at least until confirmedAtMs + T, and may be gone from then on. Only after the
 * session is gone are its ephemeral znodes deleted, and only then can the controller see this broker as dead and
 * elect other leaders. So a broker that stops acting on the session's behalf at confirmedAtMs + T − margin has
 * stopped before anyone could replace it. The margin (T/10) covers this watchdog's own check interval (T/30) and
 * event-loop lateness.
 *
 * Rules, with `silent` = now − confirmedAtMs:
 * - probe: when silent ≥ T/3 and no probe is in flight, one cheap request (the Java client's ping interval);
 *   also at once after every (re)connection;
 * - read timeout: when connected and no answer at all arrived for 2T/3 (since the last answer or the connection,
 *   whichever is later), the connection is dropped so that the client reconnects (the Java client's readTimeout,
 *   also measured from the last receipt: a long burst of pipelined requests keeps answering, so it is not dropped);
 * - lost: when silent ≥ T − T/10, `onLost` once; `onConfirmed` when an answer brings silent back below that.
 * A new session (after an expiry) starts over from the time it was started.
 *
 * No quorum anywhere (with `provesNoQuorum`, quorum-check.ts): from silent ≥ T/2 the ensemble's members are asked,
 * every T/10 at most, whether any serves. While the latest answer started less than T/5 ago proves that none can,
 * `onLost` is held back (`onNoQuorum` once instead): no quorum, no session expiry, no replacement. Holding is safe
 * because a quorum that forms later gives every session a full T from then (a new ZooKeeper leader restarts every
 * session's timeout), and the first check after it either confirms the session or, the proof gone or stale within
 * T/5 + T/30, reports it lost — well before T.
 *
 * Concurrency: single-threaded; `confirmed` may be called from any answer callback between two checks.
 * Ownership: the ZkClient creates one, reports sessions, connections and answers to it, and stops it on close.
 */
import type { ScheduledTask, Scheduler } from '../common/scheduler.js';
import type { Time } from '../common/time.js';

export interface SessionWatchdogOptions {
  /** The negotiated session timeout; it may change at each (re)connection. */
  sessionTimeoutMs: () => number;
  time: Time;
  scheduler: Scheduler;
  /** Sends one cheap request; the client reports its answer through `answered` like any other. */
  probe: () => Promise<unknown>;
  /** Drops the current connection, unanswered for `silentMs`, so that the client reconnects (the session stays). */
  dropConnection: (silentMs: number) => void;
  /** The session may have expired: nothing confirmed it for T − T/10. */
  onLost: (silentMs: number) => void;
  /** An answer confirmed the session again after `onLost`. */
  onConfirmed: () => void;
  /** Resolves true when the ensemble's members prove that no quorum exists (see the header). @default never */
  provesNoQuorum?: () => Promise<boolean>;
  /** `onLost` is held back: ZooKeeper has no quorum anywhere. */
  onNoQuorum?: (silentMs: number) => void;
}

export class SessionWatchdog {
  private readonly opts: SessionWatchdogOptions;
  private confirmedAtMs = 0;
  private lastAnswerAtMs = 0;
  private connectedSinceMs: number | undefined;
  private probing = false;
  private lost = false;
  /** The latest completed quorum check: when it started and whether it proved no quorum. */
  private quorumCheck: { startedAtMs: number; noQuorum: boolean } | undefined;
  private quorumCheckStartedAtMs: number | undefined;
  private checkingQuorum = false;
  private holding = false;
  private task: ScheduledTask | undefined;
  private checkIntervalMs = 0;

  constructor(opts: SessionWatchdogOptions) {
    this.opts = opts;
  }

  /** True between `onLost` and the next confirmation (or new session). */
  get sessionMayHaveExpired(): boolean {
    return this.lost;
  }

  /** A session was started now (first, or after an expiry): nothing is known of it before this moment. */
  sessionStarted(): void {
    this.confirmedAtMs = this.opts.time.hiResMs();
    this.lastAnswerAtMs = this.confirmedAtMs;
    this.connectedSinceMs = undefined;
    this.lost = false;
    this.forgetQuorum();
    this.schedule();
  }

  /** The client (re)connected to a server with the session: probe at once. */
  connected(): void {
    this.connectedSinceMs = this.opts.time.hiResMs();
    this.schedule();
    this.sendProbe();
  }

  disconnected(): void {
    this.connectedSinceMs = undefined;
  }

  /** A request sent at `sentAtMs` (this clock) on the current session was answered by the server. */
  answered(sentAtMs: number): void {
    this.lastAnswerAtMs = this.opts.time.hiResMs();
    if (sentAtMs <= this.confirmedAtMs) return;
    this.confirmedAtMs = sentAtMs;
    this.forgetQuorum();
    if (this.lost && !this.silentTooLong(this.opts.time.hiResMs())) {
      this.lost = false;
      this.opts.onConfirmed();
    }
  }

  stop(): void {
    this.task?.cancel();
    this.task = undefined;
  }

  /** One check (run every T/30; exposed for specs). */
  check(): void {
    const t = this.opts.sessionTimeoutMs();
    const now = this.opts.time.hiResMs();
    const silent = now - this.confirmedAtMs;
    if (silent >= t / 2) this.checkQuorum(now, t);
    if (!this.lost && this.silentTooLong(now)) {
      const check = this.quorumCheck;
      if (check !== undefined && check.noQuorum && check.startedAtMs >= now - t / 5) {
        if (!this.holding) this.opts.onNoQuorum?.(silent);
        this.holding = true;
      } else {
        this.holding = false;
        this.lost = true;
        this.opts.onLost(silent);
      }
    }
    if (silent >= t / 3) this.sendProbe();
    const unanswered = now - Math.max(this.lastAnswerAtMs, this.connectedSinceMs ?? now);
    if (this.connectedSinceMs !== undefined && unanswered >= (2 * t) / 3) {
      this.connectedSinceMs = undefined;
      this.opts.dropConnection(unanswered);
    }
    if (checkIntervalMs(t) !== this.checkIntervalMs) this.schedule();
  }

  private silentTooLong(now: number): boolean {
    const t = this.opts.sessionTimeoutMs();
    return now - this.confirmedAtMs >= t - t / 10;
  }

  /** Starts a quorum check unless one runs or one started less than T/10 ago. */
  private checkQuorum(now: number, t: number): void {
    const provesNoQuorum = this.opts.provesNoQuorum;
    if (provesNoQuorum === undefined || this.checkingQuorum) return;
    if (this.quorumCheckStartedAtMs !== undefined && now - this.quorumCheckStartedAtMs < t / 10) return;
    this.checkingQuorum = true;
    this.quorumCheckStartedAtMs = now;
    void provesNoQuorum()
      .catch(() => false)
      .then((noQuorum) => {
        this.checkingQuorum = false;
        // An answer meanwhile (or a new session) made this check moot.
        if (this.quorumCheckStartedAtMs === now) this.quorumCheck = { startedAtMs: now, noQuorum };
      });
  }

  private forgetQuorum(): void {
    this.quorumCheck = undefined;
    this.quorumCheckStartedAtMs = undefined;
    this.holding = false;
  }

  private sendProbe(): void {
    if (this.probing) return;
    this.probing = true;
    void this.opts
      .probe()
      .catch(() => undefined)
      .finally(() => {
        this.probing = false;
      });
  }

  /** (Re)starts the periodic check at T/30 of the current timeout. */
  private schedule(): void {
    this.task?.cancel();
    this.checkIntervalMs = checkIntervalMs(this.opts.sessionTimeoutMs());
    this.task = this.opts.scheduler.schedule(
      'zookeeper-session-watchdog',
      () => this.check(),
      this.checkIntervalMs,
      this.checkIntervalMs,
    );
  }
}

function checkIntervalMs(sessionTimeoutMs: number): number {
  return Math.max(1, Math.floor(sessionTimeoutMs / 30));
}
