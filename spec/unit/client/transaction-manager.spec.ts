import { expect } from 'chai';
import { ApiError, ConnectionError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { ProducerBatch } from '../../../lib/client/producer/producer-batch.js';
import { TransactionManager } from '../../../lib/client/producer/transaction-manager.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { validateBatch } from '../../../lib/record/record-batch.js';

function batch(records: number, partition = 0): ProducerBatch {
  const b = new ProducerBatch('t', partition, new RecordBatchBuilder(), 0, 0);
  for (let i = 0; i < records; i++) b.append(0, null, 'v', undefined);
  return b;
}

/** What the Sender does with a batch it drains: number it (first drain only), build it, mark it in flight. */
function drain(tm: TransactionManager, b: ProducerBatch): void {
  expect(tm.canDrain(b), 'may be drained').to.equal(true);
  if (!b.hasSequence) tm.assignSequence(b);
  if (b.payload === null) b.closeSync();
  b.inFlight = true;
}

/** What the Sender does with a batch that failed and is retried. */
function retry(tm: TransactionManager, b: ProducerBatch, error: Error, logStartOffset = 0): void {
  b.inFlight = false;
  tm.handleFailedAttempt(b, error);
  expect(tm.canRetry(error, b, logStartOffset), 'retried').to.equal(true);
}

function ready(): TransactionManager {
  const tm = new TransactionManager(silentLogger, 5);
  tm.beginInitializing();
  tm.completeInitializing(42, 0);
  return tm;
}

const header = (b: ProducerBatch) => {
  const info = validateBatch(b.payload!);
  return [info.producerId, info.producerEpoch, info.baseSequence];
};

describe('TransactionManager', () => {
  it('drains nothing before it has a producer id, and asks for one once', () => {
    const tm = new TransactionManager(silentLogger, 5);
    expect(tm.needsProducerId).to.equal(true);
    tm.beginInitializing();
    expect(tm.needsProducerId).to.equal(false);
    expect(tm.canDrain(batch(1))).to.equal(false);
    tm.failInitializing(new ConnectionError('lost'));
    expect([tm.needsProducerId, tm.fatalError]).to.deep.equal([true, null]);
    tm.beginInitializing();
    tm.failInitializing(new ApiError('CLUSTER_AUTHORIZATION_FAILED'));
    expect(tm.needsProducerId).to.equal(false);
    expect(tm.fatalError).to.be.instanceOf(ApiError);
  });

  it('numbers each partition from 0 by record count and writes the fields into the batch', () => {
    const tm = ready();
    const [a, b, c] = [batch(3), batch(2), batch(4, 1)];
    for (const x of [a, b, c]) drain(tm, x);
    expect([a, b, c].map(header)).to.deep.equal([
      [42, 0, 0],
      [42, 0, 3],
      [42, 0, 0],
    ]);
    expect(b.lastSequence).to.equal(4);
  });

  it('sends a retried batch only when it is the first unfinished one of its partition', () => {
    const tm = ready();
    const [a, b, c] = [batch(1), batch(1), batch(1)];
    for (const x of [a, b, c]) drain(tm, x);
    retry(tm, b, new ApiError('NOT_LEADER_OR_FOLLOWER'));
    expect(tm.canDrain(b)).to.equal(false);
    retry(tm, a, new ApiError('NOT_LEADER_OR_FOLLOWER'));
    expect(tm.canDrain(a)).to.equal(true);
    tm.handleCompletedBatch(a, 10);
    expect(tm.canDrain(b)).to.equal(true);
    expect(header(b)).to.deep.equal([42, 0, 1]);
  });

  it('retries OUT_OF_ORDER on a later batch as it is, and bumps the epoch when it hits the next expected one', () => {
    const tm = ready();
    const [a, b] = [batch(2), batch(2)];
    drain(tm, a);
    drain(tm, b);
    retry(tm, b, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(0);
    retry(tm, a, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
    // Renumbered from 0 under the new epoch, headers rewritten with a valid CRC.
    expect([a, b].map(header)).to.deep.equal([
      [42, 1, 0],
      [42, 1, 2],
    ]);
    expect(a.sequenceHasBeenReset).to.equal(true);
  });

  it('bumps the epoch only once nothing of the partition is on the wire', () => {
    const tm = ready();
    const [a, b] = [batch(1), batch(1)];
    drain(tm, a);
    drain(tm, b);
    retry(tm, a, new ApiError('UNKNOWN_PRODUCER_ID'));
    tm.prepareDrain();
    expect(tm.producerEpoch, 'b is still in flight').to.equal(0);
    expect(tm.canDrain(a)).to.equal(false);
    retry(tm, b, new ApiError('UNKNOWN_PRODUCER_ID'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
    expect([a, b].map(header)).to.deep.equal([
      [42, 1, 0],
      [42, 1, 1],
    ]);
    // A renumbered batch that meets UNKNOWN_PRODUCER_ID again is retried without another bump.
    drain(tm, a);
    retry(tm, a, new ApiError('UNKNOWN_PRODUCER_ID'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
  });

  it('keeps new batches of other partitions behind their older-epoch batches, then restarts them at 0', () => {
    const tm = ready();
    const [p0, p1] = [batch(1, 0), batch(1, 1)];
    drain(tm, p0);
    drain(tm, p1);
    tm.handleFailedBatch(p0, new ApiError('INVALID_PRODUCER_EPOCH'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
    const next1 = batch(1, 1);
    expect(tm.canDrain(next1), 'partition 1 still has an epoch-0 batch unfinished').to.equal(false);
    tm.handleCompletedBatch(p1, 0);
    drain(tm, next1);
    expect(header(next1)).to.deep.equal([42, 1, 0]);
    const next0 = batch(1, 0);
    drain(tm, next0);
    expect(header(next0)).to.deep.equal([42, 1, 0]);
  });

  it('holds a partition back while an expired batch leaves its sequence unknown, and bumps if it left a gap', () => {
    const tm = ready();
    const [a, b] = [batch(1), batch(1)];
    drain(tm, a);
    drain(tm, b);
    a.inFlight = false;
    tm.handleExpiredBatch(a);
    const c = batch(1);
    tm.prepareDrain();
    expect(tm.canDrain(c), 'b is unfinished').to.equal(false);
    tm.handleCompletedBatch(b, 5); // b written: a must have been written too
    tm.prepareDrain();
    drain(tm, c);
    expect(header(c)).to.deep.equal([42, 0, 2]);

    const gap = ready();
    const d = batch(1);
    drain(gap, d);
    d.inFlight = false;
    gap.handleExpiredBatch(d);
    gap.prepareDrain();
    expect(gap.producerEpoch, 'nothing acknowledged after d: its fate stays unknown, so a new epoch').to.equal(1);
  });

  it('numbers at most max.in.flight batches of a partition from its first unfinished one, acknowledged ones included', () => {
    const tm = ready();
    const five = [batch(1), batch(1), batch(1), batch(1), batch(1)];
    for (const x of five) drain(tm, x);
    const sixth = batch(1);
    expect(tm.canDrain(sixth), 'five numbered, none acknowledged').to.equal(false);
    expect(tm.canDrain(batch(1, 1)), 'another partition').to.equal(true);
    // The first batch is still out (its leader froze); a new leader that had copied it acknowledges the next four.
    five[0]!.inFlight = false;
    tm.handleFailedAttempt(five[0]!, new ConnectionError('request timed out'));
    for (const x of five.slice(1)) tm.handleCompletedBatch(x, 100);
    expect(tm.canDrain(sixth), 'the first batch must stay among the leader’s five retained ones').to.equal(false);
    drain(tm, five[0]!);
    tm.handleCompletedBatch(five[0]!, -1);
    drain(tm, sixth);
    expect(header(sixth)).to.deep.equal([42, 0, 5]);
    // An expired first batch leaves the window too.
    const more = [batch(1), batch(1), batch(1), batch(1)];
    for (const x of more) drain(tm, x);
    expect(tm.canDrain(batch(1))).to.equal(false);
    sixth.inFlight = false;
    tm.handleExpiredBatch(sixth);
    for (const x of more) tm.handleCompletedBatch(x, 106);
    tm.prepareDrain();
    const next = batch(1);
    drain(tm, next);
    expect(header(next)).to.deep.equal([42, 0, 10]);
  });

  it('counts a batch as possibly written unless the leader refused it before appending', () => {
    const tm = ready();
    const possibly = [
      new ConnectionError('lost'),
      new ApiError('REQUEST_TIMED_OUT'),
      new ApiError('NOT_LEADER_OR_FOLLOWER'),
      new ApiError('NOT_ENOUGH_REPLICAS_AFTER_APPEND'),
      new ApiError('KAFKA_STORAGE_ERROR'),
    ];
    for (const error of possibly) {
      const b = batch(1);
      tm.handleFailedAttempt(b, error);
      expect(b.mayHaveBeenWritten, error.message).to.equal(true);
    }
    const b = batch(1);
    for (const name of ['NOT_ENOUGH_REPLICAS', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID'] as const)
      tm.handleFailedAttempt(b, new ApiError(name));
    expect(b.mayHaveBeenWritten).to.equal(false);
    tm.handleFailedAttempt(b, new ApiError('REQUEST_TIMED_OUT'));
    tm.handleFailedAttempt(b, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    expect(b.mayHaveBeenWritten, 'a later refusal does not undo an earlier unknown outcome').to.equal(true);
  });

  it('never renumbers a batch that may have been written: retries it as it is until answered, then bumps', () => {
    const tm = ready();
    const [a, b] = [batch(2), batch(2)];
    drain(tm, a);
    drain(tm, b);
    // a's leader froze: the request timed out. Its retry reaches a leader that answers OUT_OF_ORDER for it.
    retry(tm, a, new ConnectionError('request timed out'));
    retry(tm, b, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    drain(tm, a);
    retry(tm, a, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    tm.prepareDrain();
    expect(tm.producerEpoch, 'a may be in the log: no bump yet').to.equal(0);
    expect(tm.canDrain(a), 'a goes again as it is').to.equal(true);
    expect(tm.canDrain(b)).to.equal(false);
    expect(tm.canDrain(batch(1))).to.equal(false);
    drain(tm, a);
    expect(header(a)).to.deep.equal([42, 0, 0]);
    // A leader that holds a answers DUPLICATE_SEQUENCE_NUMBER: written. Now only b, which no leader took, is renumbered.
    tm.handleCompletedBatch(a, -1);
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
    expect(header(b)).to.deep.equal([42, 1, 0]);
    expect(header(a), 'never rewritten').to.deep.equal([42, 0, 0]);
  });

  it('bumps past a possibly written batch only once it expired, without renumbering it', () => {
    const tm = ready();
    const [a, b] = [batch(1), batch(1)];
    drain(tm, a);
    drain(tm, b);
    retry(tm, a, new ApiError('NOT_LEADER_OR_FOLLOWER'));
    retry(tm, b, new ApiError('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    drain(tm, a);
    retry(tm, a, new ApiError('UNKNOWN_PRODUCER_ID'));
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(0);
    tm.handleExpiredBatch(a); // delivery.timeout.ms: a fails, its records reported as not acknowledged
    tm.prepareDrain();
    expect(tm.producerEpoch).to.equal(1);
    expect(header(b)).to.deep.equal([42, 1, 0]);
    expect(a.sequenceHasBeenReset).to.equal(false);
  });

  it('takes a new producer id when the epoch would pass 32767', () => {
    const tm = new TransactionManager(silentLogger, 5);
    tm.beginInitializing();
    tm.completeInitializing(42, 32767);
    const a = batch(1);
    drain(tm, a);
    tm.handleFailedBatch(a, new ApiError('INVALID_PRODUCER_EPOCH'));
    tm.prepareDrain();
    expect([tm.hasProducerId, tm.needsProducerId]).to.deep.equal([false, true]);
    tm.beginInitializing();
    tm.completeInitializing(43, 0);
    const b = batch(1);
    drain(tm, b);
    expect(header(b)).to.deep.equal([43, 0, 0]);
  });

  it('is fatally failed by PRODUCER_FENCED', () => {
    const tm = ready();
    const a = batch(1);
    drain(tm, a);
    tm.handleFailedBatch(a, new ApiError('PRODUCER_FENCED'));
    expect(tm.fatalError).to.have.property('errorName', 'PRODUCER_FENCED');
  });
});
