/**
 * One replication throttle of this broker (Kafka's ReplicationQuotaManager): the leader one bounds what this broker
 * serves of throttled replicas, the follower one what it fetches of them, the alter-log-dirs one what it copies
 * between its own log dirs (`replica.alter.log.dirs.io.max.bytes.per.second`; every moving replica counts). Which replicas are throttled is the topic
 * config `leader.replication.throttled.replicas` / `follower.replication.throttled.replicas` (partitionId:brokerId
 * pairs naming this broker, or `*`); the bound is `leader.replication.throttled.rate` /
 * `follower.replication.throttled.rate` in bytes per second (Long.MAX_VALUE: no throttle).
 *
 * Measure: the bytes of throttled partitions sent (leader) or received (follower), in `replication.quota.window.num`
 * samples of `replication.quota.window.size.seconds`, over the time those samples span. `allowance()` is what may
 * move now without the rate over that span passing the bound (≤ 0: exceeded, Kafka's isQuotaExceeded). One
 * difference from Kafka's Rate, on purpose: the span is what has really elapsed since the oldest sample (at least
 * one sample's length), where Kafka counts a young window as if all its samples had elapsed, which lets a throttle
 * that was just set pass several times its rate for the first seconds.
 *
 * Who throttles (Kafka's rules): the leader skips, or cuts to the allowance, a throttled partition in a fetch from a
 * follower that is not in the ISR; the follower leaves such a partition out of its fetch, or asks only the allowance,
 * while it is not in the ISR. Both count every byte of a throttled partition, in sync or not.
 *
 * Concurrency: one event loop; no awaits. Ownership: the ReplicaManager holds one of each kind; the broker sets the
 * bound on dynamic config changes.
 */
import type { Time } from '../common/time.js';
import type { LogConfig } from '../log/log-config.js';

/** Long.MAX_VALUE as config values spell it here: no throttle. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export type QuotaKind = 'leader' | 'follower' | 'alterLogDirs';

export interface ReplicationQuotaOptions {
  kind: QuotaKind;
  localBrokerId: number;
  /** Bytes per second; Long.MAX_VALUE for none. */
  rate: number;
  /** replication.quota.window.num */
  windowNum: number;
  /** replication.quota.window.size.seconds, in ms */
  windowSizeMs: number;
  time: Time;
}

interface Sample {
  readonly startMs: number;
  bytes: number;
}

export class ReplicationQuota {
  private bound: number;
  private readonly samples: Sample[] = [];

  constructor(private readonly opts: ReplicationQuotaOptions) {
    this.bound = opts.rate;
  }

  /** The bound in bytes per second. */
  get rate(): number {
    return this.bound;
  }

  setRate(bytesPerSecond: number): void {
    this.bound = bytesPerSecond;
  }

  /** True when the topic config of `partition` lists this broker's replica of it (or `*`) for this kind. */
  throttles(partition: number, config: LogConfig): boolean {
    if (this.opts.kind === 'alterLogDirs') return true;
    const entries =
      this.opts.kind === 'leader'
        ? config.leaderReplicationThrottledReplicas
        : config.followerReplicationThrottledReplicas;
    if (entries.length === 0) return false;
    if (entries[0] === '*') return true;
    const wanted = `${partition}:${this.opts.localBrokerId}`;
    return entries.includes(wanted);
  }

  /** Counts bytes of a throttled partition that moved. */
  record(bytes: number): void {
    if (bytes <= 0) return;
    const now = this.opts.time.hiResMs();
    this.purge(now);
    const last = this.samples.at(-1);
    if (last !== undefined && now - last.startMs < this.opts.windowSizeMs) last.bytes += bytes;
    else this.samples.push({ startMs: now, bytes });
  }

  /** Bytes that may move now within the bound (header); Infinity when unthrottled, ≤ 0 when exceeded. */
  allowance(): number {
    if (this.bound >= UNBOUNDED) return Infinity;
    const now = this.opts.time.hiResMs();
    this.purge(now);
    const first = this.samples[0];
    const spanMs = first === undefined ? this.opts.windowSizeMs : Math.max(now - first.startMs, this.opts.windowSizeMs);
    let used = 0;
    for (const s of this.samples) used += s.bytes;
    return (this.bound * spanMs) / 1000 - used;
  }

  /** How long until some bytes may move again (0 when they may now), at most one sample's length. */
  delayMs(): number {
    const allowance = this.allowance();
    if (allowance > 0) return 0;
    return Math.min(this.opts.windowSizeMs, Math.ceil((-allowance * 1000) / Math.max(1, this.bound)) + 1);
  }

  private purge(now: number): void {
    const oldest = now - this.opts.windowNum * this.opts.windowSizeMs;
    while (this.samples.length > 0 && this.samples[0]!.startMs <= oldest) this.samples.shift();
  }
}
