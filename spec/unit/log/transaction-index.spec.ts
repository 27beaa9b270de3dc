import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { CorruptIndexError } from '../../../lib/common/errors.js';
import { ABORTED_TXN_ENTRY_BYTES, TransactionIndex } from '../../../lib/log/transaction-index.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const txn = (producerId: number, firstOffset: number, lastOffset: number, lastStableOffset: number) => ({
  producerId,
  firstOffset,
  lastOffset,
  lastStableOffset,
});

function index(): TransactionIndex {
  const i = new TransactionIndex(0, join(tmpDir(), '00000000000000000000.txnindex'));
  i.create();
  return i;
}

describe('TransactionIndex', () => {
  it("writes Kafka's 34-byte entries: version 0, producer id, first, last and last stable offset", () => {
    const i = index();
    i.append(txn(7, 3, 10, 11));
    expect(fs.readFileSync(i.file).toString('hex')).to.equal(
      '0000' + '0000000000000007' + '0000000000000003' + '000000000000000a' + '000000000000000b',
    );
    expect(new TransactionIndex(0, i.file).allAbortedTxns()).to.deep.equal([txn(7, 3, 10, 11)]);
  });

  describe('#collectAbortedTxns', () => {
    it('lists the transactions overlapping the range and is complete once a last stable offset reaches its end', () => {
      const i = index();
      i.append(txn(1, 0, 5, 2));
      i.append(txn(2, 2, 8, 9));
      i.append(txn(3, 12, 20, 21));
      expect(i.collectAbortedTxns(6, 9)).to.deep.equal({ abortedTransactions: [txn(2, 2, 8, 9)], isComplete: true });
      expect(i.collectAbortedTxns(0, 30)).to.deep.equal({
        abortedTransactions: [txn(1, 0, 5, 2), txn(2, 2, 8, 9), txn(3, 12, 20, 21)],
        isComplete: false,
      });
    });
  });

  it('refuses an entry that does not come after the last one', () => {
    const i = index();
    i.append(txn(1, 0, 5, 6));
    expect(() => i.append(txn(2, 1, 5, 6))).to.throw(CorruptIndexError, /must follow the markers' order/);
  });

  it('drops the entries whose marker is at or after the truncation offset, in memory and on disk', () => {
    const i = index();
    i.append(txn(1, 0, 5, 6));
    i.append(txn(2, 6, 9, 10));
    i.truncateTo(9);
    expect(i.allAbortedTxns()).to.deep.equal([txn(1, 0, 5, 6)]);
    expect(fs.statSync(i.file).size).to.equal(ABORTED_TXN_ENTRY_BYTES);
  });

  it('fails its sanity check for a torn file, and reads a missing one as empty', () => {
    const i = index();
    fs.writeFileSync(i.file, Buffer.alloc(ABORTED_TXN_ENTRY_BYTES + 3));
    expect(() => i.sanityCheck()).to.throw(CorruptIndexError, /torn/);
    fs.rmSync(i.file);
    expect(new TransactionIndex(0, i.file).allAbortedTxns()).to.deep.equal([]);
  });
});
