/**
 * The in-flight window of a publisher whose client has no batch call and acknowledges each message by a callback
 * (NATS PubAcks, RabbitMQ publisher confirms): `publishAll` publishes while fewer than `inflight` messages are
 * unacknowledged, waits while the window is full, and at the end until every message is acknowledged. The first
 * failure an acknowledgement reports ends the run; `publishAll` then throws it.
 *
 * Concurrency: acknowledgements arrive on the event loop between the publisher's awaits; one publisher at a time.
 */
export class AckWindow {
  acked = 0;
  failure: Error | null = null;
  private wake: (() => void) | null = null;

  /** One more message acknowledged (or refused, with `error`). */
  ack(error: Error | null = null): void {
    this.failure ??= error;
    this.acked++;
    this.wake?.();
  }

  /**
   * Publishes messages 0 to `total` - 1 through `publish`, at most `inflight` unacknowledged, and waits until all
   * are acknowledged. Resolves with the milliseconds that took; throws the first failure an acknowledgement
   * reported (nothing more is published after it).
   */
  async publishAll(total: number, inflight: number, publish: (n: number) => void | Promise<void>): Promise<number> {
    const start = performance.now();
    for (let n = 0; n < total && this.failure === null; n++) {
      await this.until(() => n - this.acked < inflight);
      await publish(n);
    }
    await this.until(() => this.acked >= total);
    const ms = performance.now() - start;
    if (this.failure !== null) throw this.failure;
    return ms;
  }

  /** Resolves once `done` holds or a failure came. */
  private async until(done: () => boolean): Promise<void> {
    while (!done() && this.failure === null) await new Promise<void>((resolve) => (this.wake = resolve));
  }
}
