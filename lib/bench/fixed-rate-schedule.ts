/**
 * When each record of a fixed-rate run is meant to be sent: record i at `startMs + i × 1000 / ratePerSec`. A
 * latency measured from this intended time, rather than from when the sender got round to it, is safe from
 * coordinated omission: if the broker (or the sender's own process) stalls for a second at 10,000 records/s, the
 * 10,000 records that should have gone out meanwhile each carry the part of that second they waited, as a real
 * client's records would, instead of the stall showing up as one slow sample among many fast ones.
 *
 * Pure: the caller passes the clock readings (performance.now() in ms) and sends what `dueBy` says is due.
 */
import { InvalidArgumentError } from '../common/errors.js';

export class FixedRateSchedule {
  private readonly intervalMs: number;

  constructor(
    readonly startMs: number,
    readonly ratePerSec: number,
    readonly total: number,
  ) {
    if (!(ratePerSec > 0)) throw new InvalidArgumentError(`The rate must be positive records/s, got ${ratePerSec}.`);
    this.intervalMs = 1000 / ratePerSec;
  }

  /** The intended send time of record `i` (0-based). */
  intendedMs(i: number): number {
    return this.startMs + i * this.intervalMs;
  }

  /** How many records (from the first) are due by `nowMs`: those whose intended time is not after it. */
  dueBy(nowMs: number): number {
    if (nowMs < this.startMs) return 0;
    return Math.min(this.total, Math.floor((nowMs - this.startMs) / this.intervalMs) + 1);
  }

  /** The intended time of the run's last record. */
  get endMs(): number {
    return this.intendedMs(this.total - 1);
  }
}
