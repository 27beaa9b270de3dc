import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  type TransactionLogValue,
} from '../../../lib/coordinator/transaction/transaction-log-codec.js';

describe('transaction-log-codec', () => {
  describe('key', () => {
    it("is Kafka's TransactionLogKey v0: version 0 then the transactional id as an int16-length string", () => {
      const key = encodeTransactionLogKey('payments');
      expect(key.toString('hex')).to.equal('00000008' + Buffer.from('payments').toString('hex'));
      expect(decodeTransactionLogKey(key)).to.equal('payments');
    });

    it('refuses another version or a length that does not match', () => {
      expect(() => decodeTransactionLogKey(Buffer.from('0001000161', 'hex'))).to.throw(ApiError, /version 1/);
      expect(() => decodeTransactionLogKey(Buffer.from('0000000561', 'hex'))).to.throw(ApiError);
    });
  });

  describe('value', () => {
    const ongoing: TransactionLogValue = {
      producerId: 4000,
      producerEpoch: 3,
      transactionTimeoutMs: 60000,
      state: 'Ongoing',
      partitions: [
        { topic: 'a', partition: 0 },
        { topic: 'a', partition: 2 },
        { topic: 'b', partition: 1 },
      ],
      lastUpdateTimestampMs: 1700000000123,
      startTimestampMs: 1700000000000,
    };

    it("is Kafka's TransactionLogValue v0, partitions grouped by topic", () => {
      const hex = encodeTransactionLogValue(ongoing).toString('hex');
      expect(hex).to.equal(
        [
          '0000', // version
          '0000000000000fa0', // producer id 4000
          '0003', // epoch
          '0000ea60', // timeout 60000
          '01', // Ongoing
          '00000002', // two topics
          '0001' + '61' + '00000002' + '00000000' + '00000002', // a: [0, 2]
          '0001' + '62' + '00000001' + '00000001', // b: [1]
          '0000018bcfe5687b', // last update
          '0000018bcfe56800', // start
        ].join(''),
      );
      expect(decodeTransactionLogValue(encodeTransactionLogValue(ongoing))).to.deep.equal(ongoing);
    });

    it('writes null partitions for Empty and reads them back as none', () => {
      const empty: TransactionLogValue = { ...ongoing, state: 'Empty', partitions: [], startTimestampMs: -1 };
      const bytes = encodeTransactionLogValue(empty);
      expect(bytes.readInt32BE(17)).to.equal(-1);
      expect(decodeTransactionLogValue(bytes)).to.deep.equal(empty);
    });

    it('refuses a truncated value or an unknown status', () => {
      const bytes = encodeTransactionLogValue(ongoing);
      expect(() => decodeTransactionLogValue(bytes.subarray(0, bytes.length - 3))).to.throw(
        ApiError,
        /malformed: .*needs 8 bytes/,
      );
      const bad = Buffer.from(bytes);
      bad.writeInt8(9, 16);
      expect(() => decodeTransactionLogValue(bad)).to.throw(ApiError, /unknown transaction status 9/);
    });
  });
});
