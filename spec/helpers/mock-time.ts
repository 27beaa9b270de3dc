/** A `Time` that moves only when told to; for unit specs of clock-dependent logic. */
import type { Time } from '../../lib/common/time.js';

export class MockTime implements Time {
  constructor(
    private nowMs = 1_700_000_000_000,
    private hiRes = 0,
  ) {}
  milliseconds(): number {
    return this.nowMs;
  }
  hiResMs(): number {
    return this.hiRes;
  }
  sleep(ms: number): void {
    this.nowMs += ms;
    this.hiRes += ms;
  }
}
