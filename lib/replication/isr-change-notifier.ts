/**
 * Batches the partitions whose ISR this broker changed into /isr_change_notification znodes for the controller
 * (Kafka 2.8's `ReplicaManager.maybePropagateIsrChanges`, pre-AlterIsr): checked every 2500 ms, a notification is
 * written when changes are pending and either none came in for 5000 ms or the last one went out over 60000 ms ago,
 * so a burst of ISR changes (a broker dying under 10,000 partitions) becomes one znode instead of thousands.
 *
 * Invariants: every recorded partition reaches the controller in some notification; a failed write keeps the set
 * for the next check. Concurrency: `maybePropagate` awaits the write; recordings that arrive meanwhile go into the
 * next notification. Ownership: the ReplicaManager owns it and schedules `maybePropagate`.
 */
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';

/** Kafka's IsrChangePropagationInterval / Blackout / Max intervals. */
export const ISR_CHANGE_PROPAGATION_INTERVAL_MS = 2500;
export const ISR_CHANGE_PROPAGATION_BLACKOUT_MS = 5000;
export const ISR_CHANGE_PROPAGATION_MAX_INTERVAL_MS = 60000;

export type IsrChangeWriter = (partitions: TopicPartition[]) => Promise<unknown>;

export class IsrChangeNotifier {
  private pending = new Map<string, TopicPartition>();
  private lastChangeMs = 0;
  private lastPropagationMs: number;
  private writing = false;

  constructor(
    private readonly write: IsrChangeWriter,
    private readonly time: Time,
    private readonly logger: Logger,
  ) {
    this.lastPropagationMs = time.milliseconds();
  }

  record(tp: TopicPartition): void {
    this.pending.set(tpKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition });
    this.lastChangeMs = this.time.milliseconds();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes one notification if changes are pending and the blackout or the max interval allows it. */
  async maybePropagate(): Promise<void> {
    const now = this.time.milliseconds();
    if (this.writing || this.pending.size === 0) return;
    if (
      this.lastChangeMs + ISR_CHANGE_PROPAGATION_BLACKOUT_MS >= now &&
      this.lastPropagationMs + ISR_CHANGE_PROPAGATION_MAX_INTERVAL_MS >= now
    )
      return;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = true;
    try {
      await this.write([...batch.values()]);
      this.lastPropagationMs = now;
    } catch (e) {
      this.logger.warn({ err: e, partitions: batch.size }, 'writing an ISR change notification failed; retrying later');
      for (const [key, tp] of batch) if (!this.pending.has(key)) this.pending.set(key, tp);
    } finally {
      this.writing = false;
    }
  }
}
