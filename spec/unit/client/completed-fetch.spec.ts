import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import { buildControlBatch, ControlRecordType, RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { CRC_OFFSET, stampBatch } from '../../../lib/record/record-batch.js';
import { CompletedFetch } from '../../../lib/client/consumer/completed-fetch.js';
import { TopicPartitionState } from '../../../lib/client/consumer/subscription-state.js';

/** Batches laid end to end with consecutive offsets from 0, as a fetch response carries them. */
function log(...batches: Buffer[]): Buffer {
  let offset = 0;
  for (const b of batches) {
    stampBatch(b, 0, offset, 0);
    offset += b.readInt32BE(23) + 1;
  }
  return Buffer.concat(batches);
}

function data(values: string[], producerId?: bigint): Buffer {
  const builder = new RecordBatchBuilder(
    producerId === undefined ? {} : { producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true },
  );
  for (const v of values) builder.append(1000, null, v);
  return builder.buildSync();
}

function marker(type: ControlRecordType, producerId: bigint): Buffer {
  return buildControlBatch({ type, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestampMs: 1000 });
}

function batchesOf(fetch: CompletedFetch): string[][] {
  const out: string[][] = [];
  for (let b = fetch.nextBatch(); b !== null; b = fetch.nextBatch())
    out.push([...b.records()].map((r) => r.value!.toString()));
  return out;
}

function positioned(position: number): TopicPartitionState {
  const state = new TopicPartitionState('t', 0);
  state.seek(position);
  return state;
}

describe('CompletedFetch', () => {
  describe('#nextBatch', () => {
    // offsets: a0 a1 (pid 7, aborted) | b0 (pid 8, committed) | ABORT pid 7 | COMMIT pid 8 | c0 (plain)
    const records = log(
      data(['a0', 'a1'], 7n),
      data(['b0'], 8n),
      marker(ControlRecordType.Abort, 7n),
      marker(ControlRecordType.Commit, 8n),
      data(['c0']),
    );

    it('with read_committed, skips the batches of aborted transactions and the markers', () => {
      const state = positioned(0);
      const fetch = new CompletedFetch(state, state.epoch, records, [{ producerId: 7, firstOffset: 0 }], true, true, 6);
      expect(batchesOf(fetch)).to.deep.equal([['b0'], ['c0']]);
    });

    it('moves the position past the batches it skips, and what is processed when all before was', () => {
      const state = positioned(0);
      const fetch = new CompletedFetch(state, state.epoch, records, [{ producerId: 7, firstOffset: 0 }], true, true, 6);
      expect(fetch.nextBatch()!.baseOffset, 'b0 after the aborted a0 a1').to.equal(2);
      expect(state.position).to.equal(2);
      expect(state.processed).to.equal(2);
      state.position = 3;
      expect(fetch.nextBatch()!.baseOffset, 'c0 after both markers').to.equal(5);
      expect(state.position, 'past the markers').to.equal(5);
      expect(state.processed, 'b0 is not finished yet').to.equal(2);
    });

    it('with read_uncommitted, hands out every data batch and hides the markers', () => {
      const state = positioned(0);
      const fetch = new CompletedFetch(state, state.epoch, records, null, false, true, 6);
      expect(batchesOf(fetch)).to.deep.equal([['a0', 'a1'], ['b0'], ['c0']]);
    });

    it('skips batches wholly below the position', () => {
      const state = positioned(2);
      const fetch = new CompletedFetch(state, state.epoch, records, null, false, true, 6);
      expect(batchesOf(fetch)).to.deep.equal([['b0'], ['c0']]);
    });

    it('fails a batch whose CRC does not match when check.crcs is on', () => {
      const corrupt = log(data(['x']));
      corrupt.writeUInt32BE(corrupt.readUInt32BE(CRC_OFFSET) ^ 1, CRC_OFFSET);
      const state = positioned(0);
      const fetch = new CompletedFetch(state, state.epoch, corrupt, null, false, true, 1);
      expect(() => fetch.nextBatch()).to.throw(ApiError, /CRC/);
    });

    it('is stale once the partition is sought', () => {
      const state = positioned(0);
      const fetch = new CompletedFetch(state, state.epoch, records, null, false, true, 6);
      state.seek(5);
      expect(fetch.isStale).to.equal(true);
    });
  });
});
