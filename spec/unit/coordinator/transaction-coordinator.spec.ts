import { expect } from 'chai';
import { join } from 'node:path';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { logConfigWith } from '../../../lib/log/log-config.js';
import { UnifiedLog } from '../../../lib/log/unified-log.js';
import { TransactionCoordinator } from '../../../lib/coordinator/transaction/transaction-coordinator.js';
import type { TransactionMarkerChannelManager } from '../../../lib/coordinator/transaction/transaction-marker-channel-manager.js';
import type {
  TransactionMetadata,
  TxnTransitMetadata,
} from '../../../lib/coordinator/transaction/transaction-metadata.js';
import { TransactionStateManager } from '../../../lib/coordinator/transaction/transaction-state-manager.js';
import type { Partition } from '../../../lib/replication/partition.js';
import type { AppendRecordsRequest, ReplicaManager } from '../../../lib/replication/replica-manager.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const T0 = 1_700_000_000_000;
const COORDINATOR_EPOCH = 4;

/** `__transaction_state` with one partition, stored in a real log by a fake replica manager that replicates at once. */
function transactionLog(): { log: UnifiedLog; replicaManager: ReplicaManager; partition: Partition } {
  const log = defer(
    UnifiedLog.open({
      dir: join(tmpDir(), '__transaction_state-0'),
      topicPartition: { topic: '__transaction_state', partition: 0 },
      config: logConfigWith({ cleanupPolicy: ['compact'] }),
    }),
    // Appends with a leader epoch write the leader-epoch checkpoint in the threadpool: let it land before the
    // directory is removed, or the removal races it (ENOTEMPTY when the unit run keeps the threadpool busy).
    async (l) => {
      await l.leaderEpochCache.settled();
      l.closeHandles();
    },
  );
  const replicaManager = {
    appendRecords: (req: AppendRecordsRequest) =>
      Promise.resolve(
        req.entries.map((e) => {
          const info = log.append(e.records, { assignOffsets: true, leaderEpoch: COORDINATOR_EPOCH });
          return {
            topic: e.topic,
            partition: e.partition,
            errorCode: ErrorCode.NONE,
            baseOffset: info.firstOffset,
            logAppendTimeMs: -1,
            logStartOffset: 0,
          };
        }),
      ),
  } as unknown as ReplicaManager;
  const partition = {
    topic: '__transaction_state',
    partition: 0,
    leaderEpoch: COORDINATOR_EPOCH,
    log,
  } as unknown as Partition;
  return { log, replicaManager, partition };
}

interface MarkerCall {
  result: 'COMMIT' | 'ABORT';
  metadata: TransactionMetadata;
  transit: TxnTransitMetadata;
  epoch: number;
}

async function coordinatorOver(store: ReturnType<typeof transactionLog>, time: MockTime) {
  const stateManager = new TransactionStateManager(
    store.replicaManager,
    {
      transactionLogNumPartitions: 1,
      transactionMaxTimeoutMs: 900_000,
      transactionalIdExpirationMs: 3_600_000,
      requestTimeoutMs: 30_000,
    },
    () => 1,
    time,
    silentLogger,
  );
  const markers: MarkerCall[] = [];
  const channel = {
    addTxnMarkersToSend: (
      epoch: number,
      result: 'COMMIT' | 'ABORT',
      metadata: TransactionMetadata,
      transit: TxnTransitMetadata,
    ) => markers.push({ epoch, result, metadata, transit }),
    removeMarkersForTxnTopicPartition: () => undefined,
    shutdown: () => Promise.resolve(),
  } as unknown as TransactionMarkerChannelManager;
  let nextId = 1000;
  const coordinator = new TransactionCoordinator(
    stateManager,
    channel,
    { generateProducerId: () => Promise.resolve(nextId++) },
    { abortTimedOutTransactionsIntervalMs: 10_000, removeExpiredTransactionalIdsIntervalMs: 3_600_000 },
    time,
    new MockScheduler(time),
    silentLogger,
  );
  await stateManager.loadTransactionsForTxnTopicPartition(store.partition, (epoch, result, metadata, transit) =>
    markers.push({ epoch, result, metadata, transit }),
  );
  /** What the marker channel does once every leader wrote the markers: the Complete* state is stored. */
  const completeMarkers = async () => {
    for (const m of markers.splice(0)) {
      for (const tp of m.metadata.topicPartitions) m.metadata.removePartition(tp);
      expect(await stateManager.appendTransactionToLog(m.metadata.transactionalId, m.epoch, m.transit)).to.equal(
        ErrorCode.NONE,
      );
    }
  };
  const state = (id: string) => coordinator.describeTransactions([id])[0]!;
  return { coordinator, stateManager, markers, completeMarkers, state };
}

const TP = [{ topic: 'orders', partition: 0 }];

describe('TransactionCoordinator', () => {
  let time: MockTime;
  beforeEach(() => {
    time = new MockTime(T0);
  });

  describe('#handleInitProducerId', () => {
    it('gives an idempotent producer a new id at epoch 0, and a transactional id its id at a new epoch each time', async () => {
      const { coordinator } = await coordinatorOver(transactionLog(), time);
      expect(await coordinator.handleInitProducerId(null, 60000, undefined)).to.deep.include({
        errorCode: ErrorCode.NONE,
        producerEpoch: 0,
      });
      const first = await coordinator.handleInitProducerId('tx', 60000, undefined);
      const second = await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(first).to.deep.include({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
      expect(second).to.deep.equal({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
    });

    it('refuses a timeout above transaction.max.timeout.ms and an empty transactional id', async () => {
      const { coordinator } = await coordinatorOver(transactionLog(), time);
      expect((await coordinator.handleInitProducerId('tx', 900_001, undefined)).errorCode).to.equal(
        ErrorCode.INVALID_TRANSACTION_TIMEOUT,
      );
      expect((await coordinator.handleInitProducerId('', 1000, undefined)).errorCode).to.equal(
        ErrorCode.INVALID_REQUEST,
      );
    });

    it('aborts an open transaction with a bumped epoch first, answering CONCURRENT_TRANSACTIONS until it is done', async () => {
      const { coordinator, markers, completeMarkers, state } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(ErrorCode.NONE);
      expect((await coordinator.handleInitProducerId('tx', 60000, undefined)).errorCode).to.equal(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      expect(markers.map((m) => [m.result, m.metadata.producerEpoch])).to.deep.equal([['ABORT', 1]]);
      expect(state('tx').state).to.equal('PrepareAbort');
      expect((await coordinator.handleInitProducerId('tx', 60000, undefined)).errorCode).to.equal(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      await completeMarkers();
      expect(await coordinator.handleInitProducerId('tx', 60000, undefined)).to.deep.equal({
        errorCode: ErrorCode.NONE,
        producerId,
        producerEpoch: 2,
      });
    });

    it('recognises a retried bump (KIP-360) and fences a producer whose epoch is neither the current nor the last', async () => {
      const { coordinator } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 60000, undefined);
      const bumped = await coordinator.handleInitProducerId('tx', 60000, { producerId, producerEpoch: 0 });
      expect(bumped.producerEpoch).to.equal(1);
      const retried = await coordinator.handleInitProducerId('tx', 60000, { producerId, producerEpoch: 0 });
      expect(retried).to.deep.equal({ errorCode: ErrorCode.NONE, producerId, producerEpoch: 1 });
      await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(
        (await coordinator.handleInitProducerId('tx', 60000, { producerId, producerEpoch: 0 })).errorCode,
      ).to.equal(ErrorCode.PRODUCER_FENCED);
    });
  });

  describe('#handleAddPartitionsToTransaction and #handleEndTransaction', () => {
    it('runs Empty → Ongoing → PrepareCommit → CompleteCommit, answering retries as Kafka does', async () => {
      const { coordinator, markers, completeMarkers, state } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(ErrorCode.INVALID_TXN_STATE);
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId + 1, 0, TP)).to.equal(
        ErrorCode.INVALID_PRODUCER_ID_MAPPING,
      );
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(ErrorCode.NONE);
      expect(state('tx')).to.deep.include({ state: 'Ongoing', txnStartTimestamp: T0, partitions: TP });
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(ErrorCode.NONE);
      expect(markers.map((m) => m.result)).to.deep.equal(['COMMIT']);
      expect(state('tx').state).to.equal('PrepareCommit');
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      await completeMarkers();
      expect(state('tx')).to.deep.include({ state: 'CompleteCommit', partitions: [] });
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(ErrorCode.NONE);
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, false)).to.equal(ErrorCode.INVALID_TXN_STATE);
    });

    it("holds AddPartitionsToTxn during the previous transaction's completion, answering CONCURRENT_TRANSACTIONS after 500 ms", async () => {
      const { coordinator, completeMarkers, state } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(ErrorCode.NONE);
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(ErrorCode.NONE);
      const started = performance.now();
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(
        ErrorCode.CONCURRENT_TRANSACTIONS,
      );
      expect(performance.now() - started).to.be.at.least(450);
      const next = coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP);
      await completeMarkers();
      expect(await next).to.equal(ErrorCode.NONE);
      expect(state('tx')).to.deep.include({ state: 'Ongoing', partitions: TP });
    });

    it('fences an old epoch', async () => {
      const { coordinator } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 60000, undefined);
      await coordinator.handleInitProducerId('tx', 60000, undefined);
      expect(await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP)).to.equal(
        ErrorCode.PRODUCER_FENCED,
      );
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, false)).to.equal(ErrorCode.PRODUCER_FENCED);
    });
  });

  describe('#abortTimedOutTransactions', () => {
    it('aborts a transaction open past its timeout with a bumped epoch, which fences its producer', async () => {
      const { coordinator, markers, completeMarkers, state } = await coordinatorOver(transactionLog(), time);
      const { producerId } = await coordinator.handleInitProducerId('tx', 5000, undefined);
      await coordinator.handleAddPartitionsToTransaction('tx', producerId, 0, TP);
      time.sleep(4000);
      coordinator.abortTimedOutTransactions();
      expect(markers).to.have.length(0);
      time.sleep(2000);
      coordinator.abortTimedOutTransactions();
      await new Promise((r) => setImmediate(r));
      expect(markers.map((m) => [m.result, m.metadata.producerEpoch])).to.deep.equal([['ABORT', 1]]);
      await completeMarkers();
      expect(state('tx')).to.deep.include({ state: 'CompleteAbort', producerEpoch: 1 });
      expect(await coordinator.handleEndTransaction('tx', producerId, 0, true)).to.equal(ErrorCode.PRODUCER_FENCED);
    });
  });

  describe('loading __transaction_state', () => {
    it('restores every transactional id and sends the markers of a decided transaction again', async () => {
      const store = transactionLog();
      const before = await coordinatorOver(store, time);
      const a = await before.coordinator.handleInitProducerId('a', 60000, undefined);
      const b = await before.coordinator.handleInitProducerId('b', 60000, undefined);
      await before.coordinator.handleAddPartitionsToTransaction('a', a.producerId, 0, TP);
      await before.coordinator.handleAddPartitionsToTransaction('b', b.producerId, 0, TP);
      await before.coordinator.handleEndTransaction('b', b.producerId, 0, false);
      const after = await coordinatorOver(store, time);
      expect(after.state('a')).to.deep.include({ state: 'Ongoing', producerId: a.producerId, partitions: TP });
      expect(after.markers.map((m) => [m.metadata.transactionalId, m.result, m.transit.txnState])).to.deep.equal([
        ['b', 'ABORT', 'CompleteAbort'],
      ]);
      await after.completeMarkers();
      expect(after.state('b').state).to.equal('CompleteAbort');
    });
  });

  describe('#listTransactions', () => {
    it('filters by state and producer id and names unknown state filters', async () => {
      const { coordinator } = await coordinatorOver(transactionLog(), time);
      const a = await coordinator.handleInitProducerId('a', 60000, undefined);
      await coordinator.handleInitProducerId('b', 60000, undefined);
      await coordinator.handleAddPartitionsToTransaction('a', a.producerId, 0, TP);
      expect(coordinator.listTransactions(['Ongoing', 'Bogus'], [])).to.deep.equal({
        errorCode: ErrorCode.NONE,
        unknownStateFilters: ['Bogus'],
        transactions: [{ transactionalId: 'a', producerId: a.producerId, state: 'Ongoing' }],
      });
      expect(coordinator.listTransactions([], [a.producerId]).transactions.map((t) => t.transactionalId)).to.deep.equal(
        ['a'],
      );
      expect(coordinator.listTransactions([], []).transactions).to.have.length(2);
    });
  });
});
