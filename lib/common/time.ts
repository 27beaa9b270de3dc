/**
 * Injectable time, so that logic depending on the clock can be tested with `MockTime` (spec/helpers).
 * `milliseconds()` is wall-clock time (timestamps that go into records and files); `hiResMs()` is monotonic
 * (durations, timeouts).
 */
export interface Time {
  milliseconds(): number;
  hiResMs(): number;
}

export const SystemTime: Time = {
  milliseconds: () => Date.now(),
  hiResMs: () => performance.now(),
};
