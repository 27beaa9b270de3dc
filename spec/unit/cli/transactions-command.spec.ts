import { expect } from 'chai';
import {
  abortSpec,
  candidateOpenTransactions,
  describeRow,
  hangingRows,
  hangingTransactions,
  prettyPrintTable,
  producerRows,
} from '../../../lib/cli/admin/transactions-command.js';
import type { PartitionProducerState, ProducerState } from '../../../lib/client/index.js';
import { CommandError, UsageError } from '../../../lib/cli/cli-errors.js';

const NOW = 1_700_000_000_000;
const MIN = 60_000;

const producer = (producerId: number, startOffset: number | null, lastTimestamp: number): ProducerState => ({
  producerId,
  producerEpoch: 2,
  lastSequence: 9,
  lastTimestamp,
  coordinatorEpoch: startOffset === null ? null : 3,
  currentTransactionStartOffset: startOffset,
});

describe('mq-admin transactions', () => {
  it("prints tables as Kafka's ToolsUtils.prettyPrintTable: padded columns, each followed by a tab", () => {
    expect(prettyPrintTable(['A', 'Bee'], [['xx', 'y']])).to.equal('A \tBee\t\nxx\ty  \t\n');
  });

  it('describes a transaction with its duration, or None when none is in progress', () => {
    const d = {
      transactionalId: 'tx',
      coordinatorId: 2,
      state: 'Ongoing',
      producerId: 1000,
      producerEpoch: 4,
      transactionTimeoutMs: 60000,
      transactionStartTimeMs: NOW - 500,
      topicPartitions: [
        { topic: 'a', partition: 0 },
        { topic: 'b', partition: 1 },
      ],
    };
    expect(describeRow(d, NOW)).to.deep.equal([
      '2',
      'tx',
      '1000',
      '4',
      'Ongoing',
      '60000',
      String(NOW - 500),
      '500',
      'a-0,b-1',
    ]);
    expect(describeRow({ ...d, transactionStartTimeMs: null }, NOW).slice(6, 8)).to.deep.equal(['None', 'None']);
  });

  it('lists producers with -1 for an unknown coordinator epoch and None without an open transaction', () => {
    expect(producerRows([producer(5, null, NOW)])).to.deep.equal([['5', '2', '-1', '9', String(NOW), 'None']]);
  });

  describe('find-hanging', () => {
    const states: PartitionProducerState[] = [
      {
        topic: 't',
        partition: 0,
        activeProducers: [
          producer(1, 40, NOW - 20 * MIN),
          producer(2, 50, NOW - MIN),
          producer(3, null, NOW - 60 * MIN),
        ],
      },
      { topic: 't', partition: 1, activeProducers: [producer(4, 7, NOW - 30 * MIN), producer(5, 8, NOW - 30 * MIN)] },
    ];

    it('takes as candidates the open transactions whose producer is idle past the largest timeout', () => {
      expect(candidateOpenTransactions(states, NOW, 15 * MIN).map((c) => c.producer.producerId)).to.deep.equal([
        1, 4, 5,
      ]);
    });

    it('calls hanging those no transactional id names, unknown to their coordinator, or without the partition there', () => {
      const candidates = candidateOpenTransactions(states, NOW, 15 * MIN);
      const ids = new Map([
        [4, 'known'],
        [5, 'elsewhere'],
      ]);
      const ongoing = (partition: number) => ({
        transactionalId: 'x',
        coordinatorId: 1,
        state: 'Ongoing',
        producerId: 0,
        producerEpoch: 0,
        transactionTimeoutMs: 1,
        transactionStartTimeMs: 0,
        topicPartitions: [{ topic: 't', partition }],
      });
      const hanging = hangingTransactions(
        candidates,
        ids,
        new Map([
          ['known', ongoing(1)],
          ['elsewhere', ongoing(0)],
        ]),
      );
      expect(hanging.map((h) => h.producer.producerId)).to.deep.equal([1, 5]);
      expect(hangingRows(hanging, NOW)[0]).to.deep.equal(['t', '0', '1', '2', '3', '40', String(NOW - 20 * MIN), '20']);
    });
  });

  describe('abort', () => {
    const state: PartitionProducerState = { topic: 't', partition: 0, activeProducers: [producer(6, 40, NOW)] };

    it('takes the producer whose open transaction starts at --start-offset, with its epochs', () => {
      expect(abortSpec({ topic: 't', partition: 0, startOffset: 40 }, state)).to.deep.equal({
        topic: 't',
        partition: 0,
        producerId: 6,
        producerEpoch: 2,
        coordinatorEpoch: 3,
      });
      expect(() => abortSpec({ topic: 't', partition: 0, startOffset: 41 }, state)).to.throw(
        CommandError,
        /Could not find any open transactions starting at offset 41/,
      );
    });

    it('takes --producer-id, --producer-epoch and --coordinator-epoch (below 0 becomes 0), all three required', () => {
      expect(
        abortSpec({ topic: 't', partition: 0, producerId: 6, producerEpoch: 1, coordinatorEpoch: -1 }, undefined),
      ).to.deep.include({ producerId: 6, producerEpoch: 1, coordinatorEpoch: 0 });
      expect(() => abortSpec({ topic: 't', partition: 0, producerId: 6 }, undefined)).to.throw(
        UsageError,
        /--producer-epoch/,
      );
      expect(() => abortSpec({ topic: 't', partition: 0 }, undefined)).to.throw(UsageError, /--start-offset/);
    });
  });
});
