import { expect } from 'chai';
import { SystemTime, type Time } from '../../../lib/common/time.js';
import { DelayedOperation } from '../../../lib/replication/delayed-operation.js';
import { Purgatory } from '../../../lib/replication/purgatory.js';
import { deferFn } from '../../helpers/cleanup.js';
import { MockTime } from '../../helpers/mock-time.js';
import { waitFor } from '../../helpers/wait-for.js';

class TestOperation extends DelayedOperation {
  ready = false;
  completions = 0;
  expired = false;
  /** How often the purgatory asked this operation whether it can complete. */
  checks = 0;

  tryComplete(): boolean {
    this.checks++;
    return this.ready && this.forceComplete();
  }

  protected override onComplete(): void {
    this.completions++;
  }

  override onExpiration(): void {
    this.expired = true;
  }
}

function purgatoryWith(time: Time = new MockTime()): Purgatory<TestOperation> {
  const purgatory = new Purgatory<TestOperation>('test', time);
  deferFn(() => purgatory.shutdown());
  return purgatory;
}

describe('Purgatory', () => {
  describe('#tryCompleteElseWatch', () => {
    it('completes an operation whose condition already holds without parking it', () => {
      const purgatory = purgatoryWith();
      const op = new TestOperation(1000);
      op.ready = true;
      expect(purgatory.tryCompleteElseWatch(op, ['a'])).to.equal(true);
      expect(op.completions).to.equal(1);
      expect(purgatory.delayed).to.equal(0);
      expect(purgatory.watched('a')).to.equal(0);
    });

    it('parks an operation under every key', () => {
      const purgatory = purgatoryWith();
      const op = new TestOperation(1000);
      expect(purgatory.tryCompleteElseWatch(op, ['a', 'b'])).to.equal(false);
      expect([purgatory.delayed, purgatory.watched('a'), purgatory.watched('b')]).to.deep.equal([1, 1, 1]);
    });
  });

  describe('#checkAndComplete', () => {
    it('completes once the condition holds and drops the operation from every key', () => {
      const purgatory = purgatoryWith();
      const op = new TestOperation(1000);
      purgatory.tryCompleteElseWatch(op, ['a', 'b']);
      expect(purgatory.checkAndComplete('a')).to.equal(0);
      op.ready = true;
      expect(purgatory.checkAndComplete('b')).to.equal(1);
      expect(purgatory.checkAndComplete('a')).to.equal(0);
      expect([op.completions, purgatory.delayed, purgatory.watched('a'), purgatory.watched('b')]).to.deep.equal([
        1, 0, 0, 0,
      ]);
    });
  });

  describe('expiry', () => {
    it('force-completes at the deadline and then calls onExpiration', () => {
      const time = new MockTime();
      const purgatory = purgatoryWith(time);
      const early = new TestOperation(100);
      const late = new TestOperation(300);
      purgatory.tryCompleteElseWatch(early, ['a']);
      purgatory.tryCompleteElseWatch(late, ['a']);
      time.sleep(99);
      expect(purgatory.expireDue()).to.equal(0);
      time.sleep(1);
      expect(purgatory.expireDue()).to.equal(1);
      expect([early.completions, early.expired, late.completions]).to.deep.equal([1, true, 0]);
      expect(purgatory.watched('a')).to.equal(1);
    });

    it('does not expire an operation completed before its deadline', () => {
      const time = new MockTime();
      const purgatory = purgatoryWith(time);
      const op = new TestOperation(100);
      purgatory.tryCompleteElseWatch(op, ['a']);
      op.ready = true;
      purgatory.checkAndComplete('a');
      time.sleep(200);
      expect(purgatory.expireDue()).to.equal(0);
      expect([op.completions, op.expired]).to.deep.equal([1, false]);
    });

    it('expires on its own timer with the system clock', async () => {
      const purgatory = purgatoryWith(SystemTime);
      const op = new TestOperation(20);
      purgatory.tryCompleteElseWatch(op, ['a']);
      await waitFor(() => op.expired, 'the operation to expire', { intervalMs: 5 });
      expect(purgatory.delayed).to.equal(0);
    });
  });

  describe('#shutdown', () => {
    it('expires every pending operation so that each gets an answer', () => {
      const purgatory = purgatoryWith();
      const ops = [new TestOperation(1000), new TestOperation(5000)];
      for (const op of ops) purgatory.tryCompleteElseWatch(op, ['a']);
      purgatory.shutdown();
      expect(ops.map((o) => [o.completions, o.expired])).to.deep.equal([
        [1, true],
        [1, true],
      ]);
    });

    it('expires at once an operation offered after shutdown', () => {
      const purgatory = purgatoryWith();
      purgatory.shutdown();
      const op = new TestOperation(1000);
      expect(purgatory.tryCompleteElseWatch(op, ['a'])).to.equal(true);
      expect([op.completions, op.expired, purgatory.delayed]).to.deep.equal([1, true, 0]);
    });
  });

  // Cheap means linear: each operation is asked once when it is watched and once when its key is checked, never once
  // per other operation on its key (a purgatory that rescans every watcher would ask ~10 times as often here).
  it('handles 10,000 operations on 1,000 keys asking each at most twice', () => {
    const time = new MockTime();
    const purgatory = purgatoryWith(time);
    const ops: TestOperation[] = [];
    for (let i = 0; i < 10_000; i++) {
      const op = new TestOperation(500 + (i % 100));
      ops.push(op);
      purgatory.tryCompleteElseWatch(op, [`t-${i % 1000}`]);
    }
    for (let i = 0; i < 5_000; i++) ops[i]!.ready = true;
    let completed = 0;
    for (let k = 0; k < 1000; k++) completed += purgatory.checkAndComplete(`t-${k}`);
    time.sleep(1000);
    const expired = purgatory.expireDue();
    expect([completed, expired, purgatory.delayed]).to.deep.equal([5_000, 5_000, 0]);
    expect(Math.max(...ops.map((op) => op.checks))).to.be.at.most(2);
  });
});
