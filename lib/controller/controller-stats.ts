/**
 * What the active controller counts for the metrics endpoint (Kafka's `ControllerStats`): leader elections with
 * their duration (LeaderElectionRateAndTimeMs: one observation per batch of elections the partition state machine
 * writes) and unclean elections (UncleanLeaderElectionsPerSec; records may have been lost).
 *
 * Ownership: one per KafkaController, kept across activations (totals only grow); the partition state machines of
 * its activations record into it; BrokerMetrics reads it at scrape time.
 */
import { LatencyReservoir } from '../common/latency-reservoir.js';

export class ControllerStats {
  private electionsValue = 0;
  private uncleanValue = 0;
  private batchesValue = 0;
  /** Durations (ms) of the most recent election batches. */
  readonly electionTimeMs = new LatencyReservoir();

  /** Partitions given a new leader so far. */
  get leaderElections(): number {
    return this.electionsValue;
  }

  /** Partitions given a leader that was not in the ISR so far. */
  get uncleanLeaderElections(): number {
    return this.uncleanValue;
  }

  /** Election batches written so far (the rate of LeaderElectionRateAndTimeMs). */
  get electionBatches(): number {
    return this.batchesValue;
  }

  /** A batch of elections was written: `elected` partitions got a leader, `unclean` of them from outside the ISR. */
  recordElections(elected: number, unclean: number, durationMs: number): void {
    if (elected === 0) return;
    this.electionsValue += elected;
    this.uncleanValue += unclean;
    this.batchesValue++;
    this.electionTimeMs.observe(durationMs);
  }
}
