import { expect } from 'chai';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { IllegalStateError } from '../../../lib/common/errors.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { FetchRequest } from '../../../lib/protocol/messages/fetch.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { Consumer, type ConsumerRecord } from '../../../lib/client/consumer/consumer.js';
import type { ConsumerOptions } from '../../../lib/client/consumer/consumer-options.js';
import { NoOffsetForPartitionError, OffsetOutOfRangeError } from '../../../lib/client/errors.js';
import { defer } from '../../helpers/cleanup.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MockCluster } from './mock-cluster.js';

/** Appends one batch holding `values` (timestamps 1000, 1001, ...) and returns its base offset. */
function appendValues(
  cluster: MockCluster,
  topic: string,
  partition: number,
  values: string[],
  compression = CompressionType.None,
  firstTimestamp = 1000,
): number {
  const builder = new RecordBatchBuilder({ compression });
  values.forEach((v, i) => builder.append(firstTimestamp + i, `k${i}`, v));
  return cluster.appendBatch(topic, partition, builder.buildSync());
}

async function connectedConsumer(cluster: MockCluster, options: ConsumerOptions = {}): Promise<Consumer> {
  const consumer = defer(
    new Consumer({
      'bootstrap.servers': cluster.bootstrap,
      'retry.backoff.ms': 5,
      'fetch.max.wait.ms': 50,
      ...options,
    }),
    (c) => c.close(),
  );
  await consumer.connect();
  return consumer;
}

async function take(consumer: Consumer, n: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  if (n === 0) return out;
  for await (const record of consumer) {
    out.push(record);
    if (out.length === n) break;
  }
  return out;
}

function fetchRequests(cluster: MockCluster): FetchRequest[] {
  return cluster.requests.filter((r) => r.apiKey === ApiKey.Fetch).map((r) => r.body as FetchRequest);
}

describe('Consumer', () => {
  describe('async iterator', () => {
    it('reads assigned partitions from the beginning, in offset order per partition', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 2);
      appendValues(cluster, 't', 0, ['a', 'b']);
      appendValues(cluster, 't', 1, ['x']);
      appendValues(cluster, 't', 0, ['c']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ]);
      const records = await take(consumer, 4);
      expect(records.filter((r) => r.partition === 0).map((r) => [r.offset, r.value!.toString()])).to.deep.equal([
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ]);
      expect(records.filter((r) => r.partition === 1).map((r) => r.value!.toString())).to.deep.equal(['x']);
      expect(records[0]!.key!.toString()).to.equal('k0');
      expect(await consumer.position({ topic: 't', partition: 0 })).to.equal(3);
    });

    it('starts at the end with auto.offset.reset latest', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['old']);
      const consumer = await connectedConsumer(cluster);
      consumer.assign([{ topic: 't', partition: 0 }]);
      expect(await consumer.position({ topic: 't', partition: 0 })).to.equal(1);
      appendValues(cluster, 't', 0, ['new']);
      expect((await take(consumer, 1))[0]!.value!.toString()).to.equal('new');
    });

    it('decodes compressed batches, zstd included', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const builder = new RecordBatchBuilder({ compression: CompressionType.Zstd });
      builder.append(1, null, 'z1');
      builder.append(2, null, 'z2');
      cluster.appendBatch('t', 0, await builder.build());
      appendValues(cluster, 't', 0, ['g1'], CompressionType.Gzip);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      expect((await take(consumer, 3)).map((r) => r.value!.toString())).to.deep.equal(['z1', 'z2', 'g1']);
    });
  });

  describe('#seek', () => {
    it('skips the records below the sought offset inside a fetched batch', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['r0', 'r1', 'r2', 'r3']);
      const consumer = await connectedConsumer(cluster);
      consumer.assign([{ topic: 't', partition: 0 }]);
      consumer.seek({ topic: 't', partition: 0, offset: 2 });
      expect((await take(consumer, 2)).map((r) => r.offset)).to.deep.equal([2, 3]);
    });

    it('drops records fetched before the seek', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['r0', 'r1']);
      appendValues(cluster, 't', 0, ['r2', 'r3']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const first = await take(consumer, 1);
      consumer.seek({ topic: 't', partition: 0, offset: 0 });
      const again = await take(consumer, 2);
      expect(first.map((r) => r.offset)).to.deep.equal([0]);
      expect(again.map((r) => r.offset)).to.deep.equal([0, 1]);
    });
  });

  describe('#run', () => {
    it('hands whole batches to eachBatch and resolves after stop()', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a', 'b', 'c']);
      appendValues(cluster, 't', 0, ['d']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const seen: string[][] = [];
      await consumer.run({
        eachBatch: ({ batch }) => {
          seen.push([...batch].map((r) => r.value!.toString()));
          expect(batch.highWatermark).to.equal(4);
          if (seen.length === 2) consumer.stop();
        },
      });
      expect(seen).to.deep.equal([['a', 'b', 'c'], ['d']]);
      expect(await consumer.position({ topic: 't', partition: 0 })).to.equal(4);
    });

    it('counts a batch as consumed when eachBatch does not iterate it', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a', 'b']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      await consumer.run({ eachBatch: () => consumer.stop() });
      expect(await consumer.position({ topic: 't', partition: 0 })).to.equal(2);
    });

    it('awaits eachMessage per record', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a', 'b', 'c']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const seen: number[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          await new Promise((r) => setTimeout(r, 1));
          seen.push(message.offset);
          if (message.offset === 2) consumer.stop();
        },
      });
      expect(seen).to.deep.equal([0, 1, 2]);
    });

    it('refuses a second reader', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const consumer = await connectedConsumer(cluster);
      consumer.assign([{ topic: 't', partition: 0 }]);
      const running = consumer.run({ eachMessage: () => {} });
      const error = await consumer.run({ eachMessage: () => {} }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(IllegalStateError);
      consumer.stop();
      await running;
    });
  });

  describe('max.poll.records', () => {
    const letters = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i));

    it('hands a record batch larger than max.poll.records to eachBatch in parts, in order', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, letters(7));
      appendValues(cluster, 't', 0, ['h']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest', 'max.poll.records': 3 });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const seen: string[][] = [];
      await consumer.run({
        eachBatch: ({ batch }) => {
          seen.push([...batch].map((r) => r.value!.toString()));
          if (seen.length === 4) consumer.stop();
        },
      });
      expect(seen).to.deep.equal([['a', 'b', 'c'], ['d', 'e', 'f'], ['g'], ['h']]);
    });

    it('counts only the part handed out as consumed when eachBatch does not iterate it', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, letters(7));
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest', 'max.poll.records': 3 });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const positions: number[] = [];
      const seen: string[][] = [];
      await consumer.run({
        eachBatch: async ({ batch }) => {
          if (seen.length > 0) seen.push([...batch].map((r) => r.value!.toString()));
          else seen.push([]);
          positions.push(await consumer.position({ topic: 't', partition: 0 }));
          if (seen.length === 3) consumer.stop();
        },
      });
      // The first part (a, b, c) was skipped whole; the position moved past it, not past the record batch.
      expect(seen).to.deep.equal([[], ['d', 'e', 'f'], ['g']]);
      expect(positions).to.deep.equal([0, 6, 7]);
    });

    it('counts parts from the position in a record batch fetched from its middle, and drops the rest after a seek', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, letters(7));
      appendValues(
        cluster,
        't',
        0,
        letters(7).map((v) => v.toUpperCase()),
      );
      const consumer = await connectedConsumer(cluster, { 'max.poll.records': 3 });
      consumer.assign([{ topic: 't', partition: 0 }]);
      consumer.seek({ topic: 't', partition: 0, offset: 2 });
      const seen: string[][] = [];
      await consumer.run({
        eachBatch: ({ batch }) => {
          seen.push([...batch].map((r) => r.value!.toString()));
          if (seen.length === 1) consumer.seek({ topic: 't', partition: 0, offset: 12 });
          if (seen.length === 2) consumer.stop();
        },
      });
      expect(seen).to.deep.equal([
        ['c', 'd', 'e'],
        ['F', 'G'],
      ]);
    });

    it('lets the iterator and eachMessage read every record across parts, zstd batches included', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const zstd = new RecordBatchBuilder({ compression: CompressionType.Zstd });
      letters(5).forEach((v, i) => zstd.append(i, null, v));
      cluster.appendBatch('t', 0, await zstd.build());
      appendValues(cluster, 't', 0, ['A', 'B', 'C', 'D']);
      const iterated = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest', 'max.poll.records': 2 });
      iterated.assign([{ topic: 't', partition: 0 }]);
      expect((await take(iterated, 9)).map((r) => `${r.offset}${r.value!.toString()}`)).to.deep.equal([
        '0a',
        '1b',
        '2c',
        '3d',
        '4e',
        '5A',
        '6B',
        '7C',
        '8D',
      ]);
      const handled = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest', 'max.poll.records': 2 });
      handled.assign([{ topic: 't', partition: 0 }]);
      const offsets: number[] = [];
      await handled.run({
        eachMessage: ({ message }) => {
          offsets.push(message.offset);
          if (message.offset === 8) handled.stop();
        },
      });
      expect(offsets).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('refuses a max.poll.records below 1', () => {
      expect(() => new Consumer({ 'bootstrap.servers': 'localhost:9092', 'max.poll.records': 0 })).to.throw(
        /Invalid value 0 for option 'max.poll.records': expected an integer >= 1/,
      );
    });
  });

  describe('fetching', () => {
    it('fetches again only after the reader started on the previous response (one prefetch per partition)', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      for (let i = 0; i < 5; i++) appendValues(cluster, 't', 0, [`v${i}`]);
      const consumer = await connectedConsumer(cluster, {
        'auto.offset.reset': 'earliest',
        'max.partition.fetch.bytes': 1,
      });
      consumer.assign([{ topic: 't', partition: 0 }]);
      await waitFor(() => fetchRequests(cluster).length >= 1, 'the first fetch');
      await new Promise((r) => setTimeout(r, 100));
      expect(fetchRequests(cluster)).to.have.length(1); // nobody reads: nothing more is fetched
      await take(consumer, 1);
      await waitFor(() => fetchRequests(cluster).length >= 2, 'the prefetch');
      await new Promise((r) => setTimeout(r, 100));
      expect(fetchRequests(cluster)).to.have.length(2);
      expect(fetchRequests(cluster)[1]!.topics[0]!.partitions[0]!.fetchOffset).to.equal(1);
    });

    it('follows the leader after NOT_LEADER_OR_FOLLOWER', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 1, () => 0);
      appendValues(cluster, 't', 0, ['a']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      expect((await take(consumer, 1))[0]!.value!.toString()).to.equal('a');
      cluster.moveLeader('t', 0, 1);
      appendValues(cluster, 't', 0, ['b']);
      expect((await take(consumer, 1))[0]!.value!.toString()).to.equal('b');
      expect(cluster.requests.some((r) => r.apiKey === ApiKey.Fetch && r.nodeId === 1)).to.equal(true);
    });

    it('surfaces OFFSET_OUT_OF_RANGE as OffsetOutOfRangeError with auto.offset.reset none', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'none' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      consumer.seek({ topic: 't', partition: 0, offset: 10 });
      const error = await take(consumer, 1).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(OffsetOutOfRangeError).with.property('offset', 10);
    });

    it('resets an out-of-range position by auto.offset.reset earliest', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      consumer.seek({ topic: 't', partition: 0, offset: 10 });
      expect((await take(consumer, 1))[0]!.offset).to.equal(0);
    });

    it('fails reading a partition without a position when auto.offset.reset is none', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'none' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      const error = await take(consumer, 1).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NoOffsetForPartitionError);
    });

    it('retries a retriable fetch error for the partition', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a']);
      cluster.failNext(ApiKey.Fetch, 't', 0, ErrorCode.KAFKA_STORAGE_ERROR, 2);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([{ topic: 't', partition: 0 }]);
      expect((await take(consumer, 1))[0]!.value!.toString()).to.equal('a');
    });
  });

  describe('#pause', () => {
    it('drops fetched records of a paused partition and resumes from its position', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 2);
      appendValues(cluster, 't', 0, ['p0']);
      appendValues(cluster, 't', 1, ['p1']);
      const consumer = await connectedConsumer(cluster, { 'auto.offset.reset': 'earliest' });
      consumer.assign([
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ]);
      await waitFor(() => fetchRequests(cluster).length >= 1, 'a fetch');
      consumer.pause([{ topic: 't', partition: 0 }]);
      expect(consumer.paused()).to.deep.equal([{ topic: 't', partition: 0 }]);
      const [first] = await take(consumer, 1);
      expect(first!.partition).to.equal(1);
      consumer.resume([{ topic: 't', partition: 0 }]);
      const [second] = await take(consumer, 1);
      expect([second!.partition, second!.offset]).to.deep.equal([0, 0]);
    });
  });

  describe('#offsetsForTimes', () => {
    it('finds the first offset at or after each timestamp', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      appendValues(cluster, 't', 0, ['a', 'b', 'c'], CompressionType.None, 1000);
      const consumer = await connectedConsumer(cluster);
      const [found] = await consumer.offsetsForTimes([{ topic: 't', partition: 0, timestamp: 1001 }]);
      expect(found).to.deep.equal({ topic: 't', partition: 0, offset: 1, timestamp: 1001 });
      const [none] = await consumer.offsetsForTimes([{ topic: 't', partition: 0, timestamp: 5000 }]);
      expect(none!.offset).to.equal(-1);
      expect((await consumer.endOffsets([{ topic: 't', partition: 0 }]))[0]!.offset).to.equal(3);
      expect((await consumer.beginningOffsets([{ topic: 't', partition: 0 }]))[0]!.offset).to.equal(0);
    });
  });

  describe('#subscribe', () => {
    it('needs a group.id', async () => {
      const cluster = await MockCluster.start();
      const consumer = await connectedConsumer(cluster);
      expect(() => consumer.subscribe(['t'])).to.throw(IllegalStateError, /needs a group: set 'group.id'/);
    });
  });
});
