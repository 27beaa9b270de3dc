import { expect } from 'chai';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { ApiError } from '../../../lib/common/errors.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { ProduceRequest } from '../../../lib/protocol/messages/produce.js';
import { validateBatch } from '../../../lib/record/record-batch.js';
import { expectRejection } from '../../helpers/expect-rejection.js';
import { MockCluster, connectedProducer } from './mock-cluster.js';

interface SentBatch {
  partition: number;
  producerId: number;
  epoch: number;
  sequence: number;
  count: number;
}

/** Every batch the cluster received, in order, with its idempotence fields. */
function sentBatches(cluster: MockCluster): SentBatch[] {
  return cluster.requests
    .filter((r) => r.apiKey === ApiKey.Produce)
    .flatMap((r) =>
      (r.body as ProduceRequest).topicData.flatMap((t) =>
        t.partitionData.map(({ index, records }) => {
          const b = validateBatch(records);
          return {
            partition: index,
            producerId: b.producerId,
            epoch: b.producerEpoch,
            sequence: b.baseSequence,
            count: b.recordCount,
          };
        }),
      ),
    );
}

const tenValues = Array.from({ length: 10 }, (_, i) => `${i}`);

describe('Producer with enable.idempotence', () => {
  it('asks for a producer id once, before its first batch, and numbers batches per partition from 0', async () => {
    const cluster = await MockCluster.start(2);
    cluster.createTopic('t', 2);
    const producer = await connectedProducer(cluster, { 'batch.size': 1 });
    await Promise.all(tenValues.map((value, i) => producer.send({ topic: 't', partition: i % 2, value })));
    const apiKeys = cluster.requests.map((r) => r.apiKey).filter((k) => k !== ApiKey.Metadata);
    expect(apiKeys.filter((k) => k === ApiKey.InitProducerId)).to.have.length(1);
    expect(apiKeys[0]).to.equal(ApiKey.InitProducerId);
    const batches = sentBatches(cluster);
    expect(batches.every((b) => b.producerId === 1000 && b.epoch === 0)).to.equal(true);
    for (const partition of [0, 1])
      expect(batches.filter((b) => b.partition === partition).map((b) => b.sequence)).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('retries a batch whose response was lost after the append: each record is written once, in order', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.loseNextResponse('t', 0, 2);
    const producer = await connectedProducer(cluster, { 'batch.size': 1 });
    const results = await Promise.all(tenValues.map((value) => producer.send({ topic: 't', value })));
    expect(results.map((r) => r.offset)).to.deep.equal(tenValues.map(Number));
    expect(cluster.values('t', 0)).to.deep.equal(tenValues);
    expect(sentBatches(cluster).length).to.be.above(10);
  });

  it('without idempotence, the same lost responses write records twice', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.loseNextResponse('t', 0, 2);
    const producer = await connectedProducer(cluster, { 'batch.size': 1, 'enable.idempotence': false });
    await Promise.all(tenValues.map((value) => producer.send({ topic: 't', value })));
    expect(cluster.values('t', 0).length).to.be.above(10);
  });

  it('keeps send order across retries with five requests in flight', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 2);
    const producer = await connectedProducer(cluster, { 'batch.size': 1 });
    await Promise.all(tenValues.map((value) => producer.send({ topic: 't', value })));
    expect(cluster.values('t', 0)).to.deep.equal(tenValues);
  });

  it('after UNKNOWN_PRODUCER_ID bumps its epoch and starts the partition again at sequence 0 (KIP-360)', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    const producer = await connectedProducer(cluster);
    await producer.send({ topic: 't', value: 'a' });
    cluster.forgetProducers('t', 0);
    expect((await producer.send({ topic: 't', value: 'b' })).offset).to.equal(1);
    expect(cluster.values('t', 0)).to.deep.equal(['a', 'b']);
    expect(sentBatches(cluster).map((b) => [b.epoch, b.sequence])).to.deep.equal([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('after OUT_OF_ORDER_SEQUENCE_NUMBER on its next batch bumps its epoch and resends it from sequence 0', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const producer = await connectedProducer(cluster);
    expect((await producer.send({ topic: 't', value: 'a' })).offset).to.equal(0);
    expect(sentBatches(cluster).map((b) => [b.epoch, b.sequence])).to.deep.equal([
      [0, 0],
      [1, 0],
    ]);
  });

  it('fails a batch refused with INVALID_PRODUCER_EPOCH and carries on under a new epoch', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.INVALID_PRODUCER_EPOCH);
    const producer = await connectedProducer(cluster);
    await expectRejection(producer.send({ topic: 't', value: 'a' }), ApiError, 'INVALID_PRODUCER_EPOCH');
    expect((await producer.send({ topic: 't', value: 'b' })).offset).to.equal(0);
    expect(sentBatches(cluster).map((b) => [b.epoch, b.sequence])).to.deep.equal([
      [0, 0],
      [1, 0],
    ]);
  });

  it('counts a DUPLICATE_SEQUENCE_NUMBER answer as written, at an unknown offset', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.DUPLICATE_SEQUENCE_NUMBER);
    const producer = await connectedProducer(cluster);
    expect((await producer.send({ topic: 't', value: 'a' })).offset).to.equal(-1);
    // The mock broker never wrote 'a', so it does not know the producer: the next batch starts a new epoch.
    expect((await producer.send({ topic: 't', value: 'b' })).offset).to.equal(0);
    expect(sentBatches(cluster).map((b) => [b.epoch, b.sequence])).to.deep.equal([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('fails every later send once fenced (PRODUCER_FENCED is fatal)', async () => {
    const cluster = await MockCluster.start();
    cluster.createTopic('t', 1);
    cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.PRODUCER_FENCED);
    const producer = await connectedProducer(cluster);
    await expectRejection(producer.send({ topic: 't', value: 'a' }), ApiError, 'PRODUCER_FENCED');
    await expectRejection(producer.send({ topic: 't', value: 'b' }), ApiError, 'PRODUCER_FENCED');
    expect(cluster.values('t', 0)).to.deep.equal([]);
  });
});
