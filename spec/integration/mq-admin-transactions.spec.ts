/**
 * `mq-admin transactions` (kafka-transactions) and `dump-log` against a real broker: an open transaction is listed,
 * described and seen among the partition's producers; a hanging transaction (a producer that wrote transactional
 * data its coordinator never heard of, which pins the last stable offset) is found by find-hanging and closed by
 * abort, which releases the LSO; dump-log shows the markers and the .txnindex entry that abort left.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Admin, Producer } from '../../lib/client/index.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { RecordBatchBuilder } from '../../lib/record/record-batch-builder.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo } from '../helpers/wire.js';

const TOPIC = 'admin-txn';
const HANGING_PRODUCER_ID = 987654;

/** The rows of a kafka-transactions table (tab-separated, padded cells) as trimmed cells. */
const rows = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) =>
      l
        .split('\t')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    );

describe('mq-admin transactions (1 broker)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  const boot = () => ['--bootstrap-server', cluster.bootstrapServers];

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    await admin.createTopics([{ name: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  it('lists, describes, finds a hanging transaction, aborts it, and dump-log shows the markers', async () => {
    const producer = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'transactional.id': 'admin-tx' }),
      (p) => p.close({ timeoutMs: 2000 }),
    );
    await producer.connect();
    await producer.initTransactions();
    producer.beginTransaction();
    await Promise.all(['a', 'b'].map((value) => producer.send({ topic: TOPIC, partition: 0, value })));

    const listed = await mqAdmin(['transactions', ...boot(), 'list']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(rows(listed.stdout)).to.deep.include.members([
      ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
    ]);
    const mine = rows(listed.stdout).find((r) => r[0] === 'admin-tx')!;
    expect(mine).to.have.length(4);
    expect([mine[1], mine[3]]).to.deep.equal(['1', 'Ongoing']);
    const producerId = mine[2]!;

    const described = await mqAdmin(['transactions', ...boot(), 'describe', '--transactional-id', 'admin-tx']);
    expect(described.code, described.stderr).to.equal(0);
    const row = rows(described.stdout)[1]!;
    expect([row[0], row[1], row[2], row[3], row[4], row[8]]).to.deep.equal([
      '1',
      'admin-tx',
      producerId,
      '0',
      'Ongoing',
      `${TOPIC}-0`,
    ]);

    // A producer id no coordinator knows writes transactional data: nobody will ever end that transaction.
    const wire = defer(await connectTo(cluster, 1), (c) => c.close());
    const batch = new RecordBatchBuilder({ isTransactional: true });
    batch.setProducerState(HANGING_PRODUCER_ID, 0, 0);
    batch.append(Date.now(), null, 'hanging');
    const produced = await wire.send(ApiKey.Produce, 0, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch.buildSync() }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).to.equal(0);

    const producers = await mqAdmin([
      'transactions',
      ...boot(),
      'describe-producers',
      '--topic',
      TOPIC,
      '--partition',
      '0',
    ]);
    expect(producers.code, producers.stderr).to.equal(0);
    expect(rows(producers.stdout).map((r) => [r[0], r[5]])).to.deep.equal([
      ['ProducerId', 'CurrentTransactionStartOffset'],
      [producerId, '0'],
      [String(HANGING_PRODUCER_ID), '2'],
    ]);

    const hanging = await mqAdmin([
      'transactions',
      ...boot(),
      'find-hanging',
      '--topic',
      TOPIC,
      '--max-transaction-timeout',
      '0',
    ]);
    expect(hanging.code, hanging.stderr).to.equal(0);
    expect(rows(hanging.stdout).map((r) => r.slice(0, 3).concat(r[5]!))).to.deep.equal([
      ['Topic', 'Partition', 'ProducerId', 'StartOffset'],
      [TOPIC, '0', String(HANGING_PRODUCER_ID), '2'],
    ]);

    await producer.commitTransaction();
    const [pinned] = await admin.listOffsets([{ topic: TOPIC, partition: 0, spec: 'latest' }], {
      isolationLevel: 'read_committed',
    });
    expect(pinned!.offset, 'the hanging transaction holds the LSO').to.equal(2);

    const aborted = await mqAdmin([
      'transactions',
      ...boot(),
      'abort',
      '--topic',
      TOPIC,
      '--partition',
      '0',
      '--start-offset',
      '2',
    ]);
    expect(aborted.code, aborted.stderr).to.equal(0);
    await waitFor(
      async () =>
        (
          await admin.listOffsets([{ topic: TOPIC, partition: 0, spec: 'latest' }], {
            isolationLevel: 'read_committed',
          })
        )[0]!.offset === 5,
      'the LSO released past the ABORT marker',
    );

    const dir = join(cluster.local.dir, 'broker-1', 'logs', `${TOPIC}-0`);
    const dumped = await mqAdmin([
      'dump-log',
      '--deep-iteration',
      '--files',
      `${join(dir, '00000000000000000000.log')},${join(dir, '00000000000000000000.txnindex')}`,
    ]);
    expect(dumped.code, dumped.stderr).to.equal(0);
    expect(dumped.stdout)
      .to.match(
        /\| offset: 3 CreateTime: \d+ keysize: 4 valuesize: 6 sequence: -1 headerKeys: \[\] endTxnMarker: COMMIT coordinatorEpoch: \d+/,
      )
      .and.to.match(
        /\| offset: 4 CreateTime: \d+ keysize: 4 valuesize: 6 sequence: -1 headerKeys: \[\] endTxnMarker: ABORT coordinatorEpoch: 0/,
      )
      .and.to.include(`version: 0 producerId: ${HANGING_PRODUCER_ID} firstOffset: 2 lastOffset: 4 lastStableOffset: 5`);
  });
});
