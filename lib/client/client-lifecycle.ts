/**
 * The lifecycle every client shares (Producer, Consumer, Admin): New → connect() → Connecting → Connected →
 * close() → Closing → Closed. A connect() that fails goes back to New, so it may be tried again; close() from New or
 * Connecting closes without draining anything. Moves are checked against one transition table, so a client cannot
 * be connected twice, used before connect() or after close(), or closed twice at once.
 *
 * Concurrency: each client calls these from its own methods on the event loop; `beginClose()` answers null to every
 * close() after the first, which is how a second, concurrent close() returns at once.
 * Ownership: one per client, created in its constructor.
 */
import { IllegalStateError } from '../common/errors.js';
import { TransitionTable } from '../common/transition-table.js';

export type ClientState = 'New' | 'Connecting' | 'Connected' | 'Closing' | 'Closed';

export const CLIENT_STATE_TRANSITIONS = new TransitionTable<ClientState>('client lifecycle', {
  New: ['Connecting'],
  Connecting: ['New'],
  Connected: ['Connecting'],
  Closing: ['New', 'Connecting', 'Connected'],
  Closed: ['Closing'],
});

export class ClientLifecycle {
  private current: ClientState = 'New';

  /** `client` names the class in messages: 'Producer', 'Consumer' or 'Admin'. */
  constructor(private readonly client: string) {}

  get state(): ClientState {
    return this.current;
  }

  get isConnected(): boolean {
    return this.current === 'Connected';
  }

  /** Runs `connectTo` once, from New; when it fails the client is New again and the error is rethrown. */
  async connect(connectTo: () => Promise<void>): Promise<void> {
    if (this.current !== 'New') {
      throw new IllegalStateError(`${this.client}.connect() called in state ${this.current}; connect once.`);
    }
    this.move('Connecting');
    try {
      await connectTo();
    } catch (e) {
      this.move('New');
      throw e;
    }
    this.move('Connected');
  }

  /** Starts closing: the state the client was in, or null when a close() already began (nothing to do). */
  beginClose(): ClientState | null {
    if (this.current === 'Closing' || this.current === 'Closed') return null;
    const was = this.current;
    this.move('Closing');
    return was;
  }

  /** Ends a close() that `beginClose()` started. */
  closed(): void {
    this.move('Closed');
  }

  /** Throws the IllegalStateError of `notConnected` unless connected. */
  requireConnected(what: string): void {
    if (this.current !== 'Connected') throw this.notConnected(what);
  }

  /** The error for a call (`what`: 'send()', 'CreateTopics', ...) made while not connected. */
  notConnected(what: string): IllegalStateError {
    const now = this.current === 'Closing' || this.current === 'Closed' ? 'closed' : this.current;
    return new IllegalStateError(
      `The ${this.client.toLowerCase()} is ${now}: ${what} needs a connected ${this.client}; ` +
        'call connect() first and do not use it after close().',
    );
  }

  private move(to: ClientState): void {
    CLIENT_STATE_TRANSITIONS.assertValidTransition(this.client, this.current, to);
    this.current = to;
  }
}
