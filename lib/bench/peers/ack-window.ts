/**
 * The in-flight window of a publisher whose client has no batch call and acknowledges each message by a callback
 * (NATS PubAcks, RabbitMQ publisher confirms): the sender waits while `inflight` messages are unacknowledged, and
 * at the end until every one is. The first failure an acknowledgement reports ends both waits; the sender checks
 * `failure` and throws it.
 *
 * Concurrency: acknowledgements arrive on the event loop between the sender's awaits; one sender at a time waits.
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

  /** Resolves once fewer than `inflight` of the `sent` messages are unacknowledged, or a failure came. */
  async room(sent: number, inflight: number): Promise<void> {
    await this.until(() => sent - this.acked < inflight);
  }

  /** Resolves once `total` messages are acknowledged, or a failure came. */
  async all(total: number): Promise<void> {
    await this.until(() => this.acked >= total);
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done() && this.failure === null) await new Promise<void>((resolve) => (this.wake = resolve));
  }
}
