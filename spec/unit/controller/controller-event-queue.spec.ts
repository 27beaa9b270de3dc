import { expect } from 'chai';
import { ControllerEventQueue } from '../../../lib/controller/controller-event-queue.js';

interface TestEvent {
  readonly name: string;
  readonly coalesce?: boolean;
}

/** A handler whose calls can be held open, to observe what interleaves at its awaits. */
function recordingQueue(opts: { holdFirst?: boolean } = {}) {
  const log: string[] = [];
  const preempted: string[] = [];
  let release: () => void = () => undefined;
  const held = opts.holdFirst ? new Promise<void>((r) => (release = r)) : Promise.resolve();
  let calls = 0;
  const queue = new ControllerEventQueue<TestEvent>({
    process: async (e) => {
      log.push(`start ${e.name}`);
      if (calls++ === 0) await held;
      await Promise.resolve();
      if (e.name === 'boom') throw new Error('handler failed');
      log.push(`end ${e.name}`);
    },
    preempt: (e) => preempted.push(e.name),
    coalesceKey: (e) => (e.coalesce ? e.name : undefined),
  });
  return { queue, log, preempted, release: () => release() };
}

describe('ControllerEventQueue', () => {
  describe('#put', () => {
    it('processes events one at a time in arrival order even when handlers await', async () => {
      const { queue, log } = recordingQueue();
      for (const name of ['a', 'b', 'c']) queue.put({ name });
      await queue.idle();
      expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    });

    it('does not run the handler inside the caller of put', () => {
      const { queue, log } = recordingQueue();
      queue.put({ name: 'a' });
      expect(log).to.deep.equal([]);
      return queue.idle();
    });

    it('keeps going after a handler throws', async () => {
      const { queue, log } = recordingQueue();
      queue.put({ name: 'boom' });
      queue.put({ name: 'b' });
      await queue.idle();
      expect(log).to.deep.equal(['start boom', 'start b', 'end b']);
    });

    it('runs events put by a running handler after it', async () => {
      const log: string[] = [];
      const queue: ControllerEventQueue<TestEvent> = new ControllerEventQueue<TestEvent>({
        process: async (e) => {
          log.push(e.name);
          if (e.name === 'a') queue.put({ name: 'from-a' });
          await Promise.resolve();
        },
      });
      queue.put({ name: 'a' });
      queue.put({ name: 'b' });
      await queue.idle();
      expect(log).to.deep.equal(['a', 'b', 'from-a']);
    });

    it('coalesces an event with a waiting one of the same key', async () => {
      const { queue, log, release } = recordingQueue({ holdFirst: true });
      queue.put({ name: 'first' });
      await new Promise((r) => setImmediate(r));
      queue.put({ name: 'change', coalesce: true });
      queue.put({ name: 'other' });
      queue.put({ name: 'change', coalesce: true });
      expect(queue.size).to.equal(2);
      release();
      await queue.idle();
      expect(log.filter((l) => l.startsWith('start'))).to.deep.equal(['start first', 'start change', 'start other']);
    });

    it('folds a coalesced event into the waiting one with merge', async () => {
      const seen: string[][] = [];
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      const queue = new ControllerEventQueue<{ topics: Set<string> }>({
        process: async (e) => {
          seen.push([...e.topics]);
          if (seen.length === 1) await held;
        },
        coalesceKey: () => 'modifications',
        merge: (waiting, incoming) => incoming.topics.forEach((t) => waiting.topics.add(t)),
      });
      queue.put({ topics: new Set(['first']) });
      await new Promise((r) => setImmediate(r));
      for (const t of ['a', 'b', 'a']) queue.put({ topics: new Set([t]) });
      release();
      await queue.idle();
      expect(seen).to.deep.equal([['first'], ['a', 'b']]);
    });

    it('queues a coalescing event again once the waiting one has started', async () => {
      const { queue, log, release } = recordingQueue({ holdFirst: true });
      queue.put({ name: 'change', coalesce: true });
      await new Promise((r) => setImmediate(r));
      expect(log).to.deep.equal(['start change']);
      queue.put({ name: 'change', coalesce: true });
      release();
      await queue.idle();
      expect(log.filter((l) => l.startsWith('start'))).to.deep.equal(['start change', 'start change']);
    });
  });

  describe('#clearAndPut', () => {
    it('drops and preempts the waiting events, lets the running one finish, then runs the new one', async () => {
      const { queue, log, preempted, release } = recordingQueue({ holdFirst: true });
      queue.put({ name: 'running' });
      queue.put({ name: 'waiting1' });
      queue.put({ name: 'waiting2' });
      await new Promise((r) => setImmediate(r));
      queue.clearAndPut({ name: 'resign' });
      expect(preempted).to.deep.equal(['waiting1', 'waiting2']);
      release();
      await queue.idle();
      expect(log).to.deep.equal(['start running', 'end running', 'start resign', 'end resign']);
    });
  });

  describe('#close', () => {
    it('waits for the running event and preempts waiting and later events', async () => {
      const { queue, log, preempted, release } = recordingQueue({ holdFirst: true });
      queue.put({ name: 'running' });
      queue.put({ name: 'waiting' });
      await new Promise((r) => setImmediate(r));
      const closed = queue.close();
      queue.put({ name: 'late' });
      release();
      await closed;
      expect(log).to.deep.equal(['start running', 'end running']);
      expect(preempted).to.deep.equal(['waiting', 'late']);
    });
  });
});
