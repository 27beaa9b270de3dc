import { expect } from 'chai';
import { TopicPartitionState } from '../../../../lib/client/consumer/subscription-state.js';

/** A partition positioned at `offset` whose records up to `handed` (exclusive) were handed out. */
function handedOut(offset: number, handed: number): TopicPartitionState {
  const state = new TopicPartitionState('t', 0);
  state.seek(offset);
  state.position = handed;
  return state;
}

describe('TopicPartitionState: what the application finished', () => {
  it('starts where the partition was positioned and follows the records the application finished', () => {
    const state = handedOut(10, 13);
    expect(state.processed).to.equal(10);
    state.markProcessed(11);
    expect(state.processed).to.equal(11);
    state.markProcessed(13);
    expect(state.processed).to.equal(13);
  });

  it('never goes past the position, nor backwards', () => {
    const state = handedOut(10, 13);
    state.markProcessed(14);
    expect(state.processed).to.equal(10);
    state.markProcessed(12);
    state.markProcessed(11);
    expect(state.processed).to.equal(12);
  });

  it('keeps what a seek said while a handler worked: backwards or forwards', () => {
    const back = handedOut(10, 13);
    back.seek(5);
    back.markProcessed(13);
    expect(back.processed, 'sought back to 5: the old records do not count').to.equal(5);
    const forward = handedOut(10, 13);
    forward.seek(20);
    forward.markProcessed(13);
    expect(forward.processed, 'sought forward to 20: the records skipped count as done').to.equal(20);
  });

  it('forgets it with the position on a reset, and keeps it through a pause', () => {
    const reset = handedOut(10, 13);
    reset.requestReset('earliest');
    reset.markProcessed(13);
    expect(reset.processed).to.equal(null);
    const paused = handedOut(10, 13);
    paused.paused = true;
    paused.invalidate();
    paused.markProcessed(13);
    expect(paused.processed).to.equal(13);
  });
});
