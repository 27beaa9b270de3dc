import { expect } from 'chai';
import { TimeoutError } from '../../../lib/common/errors.js';
import type { MetadataResponse } from '../../../lib/protocol/messages/metadata.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { ClusterMetadata } from '../../../lib/client/cluster-metadata.js';
import { MemoryPool } from '../../../lib/client/producer/memory-pool.js';
import type { ProducerBatch } from '../../../lib/client/producer/producer-batch.js';
import { RecordAccumulator } from '../../../lib/client/producer/record-accumulator.js';
import { MockTime } from '../../helpers/mock-time.js';

/** Topic 't' with partitions led by the given brokers (-1: no leader). */
function metadata(leaders: number[]): ClusterMetadata {
  const response: MetadataResponse = {
    throttleTimeMs: 0,
    clusterId: 'c',
    controllerId: 0,
    brokers: [0, 1].map((nodeId) => ({ nodeId, host: 'h', port: 1, rack: null })),
    topics: [
      {
        errorCode: 0,
        name: 't',
        isInternal: false,
        partitions: leaders.map((leaderId, partitionIndex) => ({
          errorCode: 0,
          partitionIndex,
          leaderId,
          leaderEpoch: 0,
          replicaNodes: [],
          isrNodes: [],
          offlineReplicas: [],
        })),
      },
    ],
  };
  return ClusterMetadata.fromResponse(response);
}

function accumulator(
  time: MockTime,
  overrides: Partial<ConstructorParameters<typeof RecordAccumulator>[0]> = {},
): RecordAccumulator {
  return new RecordAccumulator({
    batchSizeBytes: 1024,
    lingerMs: 10,
    bufferMemoryBytes: 64 * 1024,
    compression: CompressionType.None,
    deliveryTimeoutMs: 120000,
    time,
    ...overrides,
  });
}

const VALUE = Buffer.alloc(100, 1);
const RECORD_BYTES = RecordAccumulator.estimateRecordBytes(null, VALUE, undefined);

/** Appends one 100-byte record as the producer does; returns its batch. */
function append(acc: RecordAccumulator, partition: number): ProducerBatch {
  const batch = acc.tryAppend('t', partition, RECORD_BYTES, 1000, null, VALUE, undefined);
  if (batch !== null) return batch;
  const bytes = acc.batchBytesFor(RECORD_BYTES);
  if (!acc.memory.tryReserve(bytes)) throw new Error('no memory');
  const created = acc.createBatch('t', partition, bytes);
  created.append(1000, null, VALUE, undefined);
  return created;
}

describe('RecordAccumulator', () => {
  describe('#tryAppend', () => {
    it('fills a batch up to batch.size, then needs a new one', () => {
      const acc = accumulator(new MockTime());
      const first = append(acc, 0);
      let batch = first;
      while (batch === first) batch = append(acc, 0);
      expect(first.sizeInBytes).to.be.at.most(1024);
      expect(first.sizeInBytes + RECORD_BYTES).to.be.greaterThan(1024);
      expect(batch.count).to.equal(1);
    });
  });

  describe('#ready', () => {
    it('holds a batch for linger.ms, then reports its leader', () => {
      const time = new MockTime();
      const acc = accumulator(time);
      append(acc, 0);
      const early = acc.ready(metadata([1]), time.hiResMs());
      expect([...early.readyNodes]).to.deep.equal([]);
      expect(early.nextCheckDelayMs).to.equal(10);
      time.sleep(10);
      expect([...acc.ready(metadata([1]), time.hiResMs()).readyNodes]).to.deep.equal([1]);
    });

    it('reports a full batch at once', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 60000 });
      const first = append(acc, 0);
      while (append(acc, 0) === first) {
        /* fill */
      }
      expect([...acc.ready(metadata([0]), time.hiResMs()).readyNodes]).to.deep.equal([0]);
    });

    it('reports everything at once during a flush', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 60000 });
      append(acc, 0);
      acc.beginFlush();
      expect([...acc.ready(metadata([0]), time.hiResMs()).readyNodes]).to.deep.equal([0]);
    });

    it('flags partitions whose leader is unknown', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 0 });
      append(acc, 0);
      const check = acc.ready(metadata([-1]), time.hiResMs());
      expect(check.unknownLeader).to.equal(true);
      expect(check.readyNodes.size).to.equal(0);
    });
  });

  describe('#drain', () => {
    it('takes one batch per partition of the node, within max.request.size', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 0 });
      for (const p of [0, 1, 2, 3]) append(acc, p);
      const meta = metadata([0, 0, 1, 0]);
      const small = acc.drain(meta, 0, 1, time.hiResMs());
      expect(small).to.have.length(1); // the first batch goes whatever its size
      const drained = acc.drain(meta, 0, 1 << 20, time.hiResMs());
      expect([...small, ...drained].map((b) => b.partition).sort()).to.deep.equal([0, 1, 3]);
      expect(drained.every((b) => b.inFlight && b.attempts === 1)).to.equal(true);
      expect(acc.drain(meta, 1, 1 << 20, time.hiResMs()).map((b) => b.partition)).to.deep.equal([2]);
    });

    it('puts a retried batch back ahead of later ones and sends nothing else of the partition while it is in flight', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 0 });
      const meta = metadata([0]);
      const first = append(acc, 0);
      const [drainedFirst] = acc.drain(meta, 0, 1 << 20, time.hiResMs());
      const second = append(acc, 0);
      expect(second).to.not.equal(first);
      const [drainedSecond] = acc.drain(meta, 0, 1 << 20, time.hiResMs());
      expect([drainedFirst, drainedSecond]).to.deep.equal([first, second]);
      const third = append(acc, 0);
      acc.reenqueue(first, 5, time.hiResMs());
      expect(acc.drain(meta, 0, 1 << 20, time.hiResMs())).to.deep.equal([]); // backoff and second still in flight
      second.complete(1, -1);
      acc.deallocate(second);
      expect(acc.drain(meta, 0, 1 << 20, time.hiResMs())).to.deep.equal([]); // backoff
      time.sleep(5);
      expect(acc.drain(meta, 0, 1 << 20, time.hiResMs())).to.deep.equal([first]);
      expect(acc.drain(meta, 0, 1 << 20, time.hiResMs())).to.deep.equal([]); // retrying: one at a time
      first.complete(0, -1);
      acc.deallocate(first);
      expect(acc.drain(meta, 0, 1 << 20, time.hiResMs())).to.deep.equal([third]);
    });
  });

  describe('#expireBatches', () => {
    it('fails batches waiting longer than delivery.timeout.ms and releases their memory', async () => {
      const time = new MockTime();
      const acc = accumulator(time, { deliveryTimeoutMs: 1000 });
      const batch = append(acc, 0);
      const done = new Promise<Error>((resolve) => batch.addRecordWaiter(0, 1000, () => {}, resolve));
      time.sleep(999);
      expect(acc.expireBatches(time.hiResMs())).to.have.length(0);
      time.sleep(1);
      expect(acc.expireBatches(time.hiResMs())).to.deep.equal([batch]);
      expect(await done)
        .to.be.instanceOf(TimeoutError)
        .and.have.property('message')
        .that.matches(/delivery\.timeout\.ms/);
      expect(acc.memory.availableBytes).to.equal(64 * 1024);
    });
  });

  describe('batches', () => {
    it('build into valid v2 batches holding the appended records', () => {
      const time = new MockTime();
      const acc = accumulator(time, { lingerMs: 0 });
      append(acc, 0);
      append(acc, 0);
      const [batch] = acc.drain(metadata([0]), 0, 1 << 20, time.hiResMs());
      acc.recycle(batch!.closeSync());
      const [view] = [...iterateBatches(batch!.payload!)];
      view!.validate();
      expect(view!.recordCount).to.equal(2);
    });
  });
});

describe('MemoryPool', () => {
  it('serves waiters in order as memory is released', async () => {
    const pool = new MemoryPool(100, new MockTime());
    expect(pool.tryReserve(100)).to.equal(true);
    const order: string[] = [];
    const a = pool.reserve(60, 5000).then(() => order.push('a'));
    const b = pool.reserve(40, 5000).then(() => order.push('b'));
    expect(pool.tryReserve(1)).to.equal(false); // others wait: no overtaking
    expect(pool.exhausted).to.equal(true);
    pool.release(50);
    pool.release(50);
    await Promise.all([a, b]);
    expect(order).to.deep.equal(['a', 'b']);
  });

  it('rejects with TimeoutError after max.block.ms', async () => {
    const pool = new MemoryPool(10, new MockTime());
    pool.tryReserve(10);
    const error = await pool.reserve(5, 20).catch((e: unknown) => e);
    expect(error)
      .to.be.instanceOf(TimeoutError)
      .and.have.property('message')
      .that.matches(/buffer\.memory/);
  });
});
