/**
 * Produce and fetch over the real protocol against broker processes: acks 0 and 1 round trips, per-partition
 * errors, long polling, zero-loss restart after SIGKILL, and bad input (bad CRC) rejected without storing.
 */
import { expect } from 'chai';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { CompressionType } from '../../lib/record/record-batch.js';
import { RecordBatchBuilder } from '../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { replicaBatches } from '../helpers/acked-records.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { buildBatch, connectTo, createTopic, fetch, leaderOf, produce, readAll } from '../helpers/wire.js';

describe('Produce and fetch (2 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 2, brokerProps: { 'auto.create.topics.enable': false } });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('round-trips batches with acks=1, offsets assigned in order', async () => {
    await createTopic(cluster, 'rt1', 1, 1);
    const leader = await connectTo(cluster, await leaderOf(cluster, 'rt1', 0));
    const bases: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await produce(leader, 'rt1', 0, buildBatch([`a${i}`, `b${i}`, `c${i}`]), 1);
      const p = res!.responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).to.equal(0);
      bases.push(p.baseOffset);
    }
    expect(bases).to.deep.equal([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
    const all = await readAll(leader, 'rt1', 0);
    expect(all.map((r) => r.offset)).to.deep.equal([...Array(30).keys()]);
    expect(all.slice(0, 3).map((r) => r.value)).to.deep.equal(['a0', 'b0', 'c0']);
    const fromMiddle = await readAll(leader, 'rt1', 0, 7);
    expect(fromMiddle[0]).to.deep.equal({ offset: 7, value: 'b2' });
  });

  it('stores acks=0 produces without answering them', async () => {
    await createTopic(cluster, 'rt0', 1, 1);
    const leader = await connectTo(cluster, await leaderOf(cluster, 'rt0', 0));
    for (let i = 0; i < 20; i++) expect(await produce(leader, 'rt0', 0, buildBatch([`v${i}`]), 0)).to.equal(null);
    const all = await waitFor(async () => {
      const r = await readAll(leader, 'rt0', 0);
      return r.length === 20 ? r : null;
    }, 'all 20 acks=0 records to be readable');
    expect(all.map((r) => r.value)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('answers per partition: unknown topic, not leader, corrupt batch', async () => {
    await createTopic(cluster, 'errs', 2, 1);
    const leaderOf0 = await leaderOf(cluster, 'errs', 0);
    const leaderOf1 = await leaderOf(cluster, 'errs', 1);
    const c = await connectTo(cluster, leaderOf0);
    const corrupt = buildBatch(['x']);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const res = await c.send(ApiKey.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'errs',
          partitionData: [
            { index: 0, records: corrupt },
            { index: 1, records: buildBatch(['y']) },
          ],
        },
        { name: 'no-such-topic', partitionData: [{ index: 0, records: buildBatch(['z']) }] },
      ],
    });
    const codes = res.responses.flatMap((t) => t.partitionResponses.map((p) => [`${t.name}-${p.index}`, p.errorCode]));
    expect(Object.fromEntries(codes)).to.deep.equal({
      'errs-0': ErrorCode.CORRUPT_MESSAGE,
      'errs-1': leaderOf1 === leaderOf0 ? 0 : ErrorCode.NOT_LEADER_OR_FOLLOWER,
      'no-such-topic-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    // Nothing of the corrupt batch was stored.
    const f = await fetch(c, 'errs', 0, 0);
    expect(f.responses[0]!.partitions[0]!.highWatermark).to.equal(0);
    expect(f.responses[0]!.partitions[0]!.records.length).to.equal(0);
    const out = await fetch(c, 'errs', 0, 5);
    expect(out.responses[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('long-poll fetch returns as soon as data arrives', async () => {
    await createTopic(cluster, 'poll', 1, 1);
    const leaderId = await leaderOf(cluster, 'poll', 0);
    const consumer = await connectTo(cluster, leaderId);
    const producer = await connectTo(cluster, leaderId);
    // The leader named by metadata may still be taking the partition on: a fetch then is answered at once.
    await waitFor(
      async () => (await fetch(consumer, 'poll', 0, 0)).responses[0]!.partitions[0]!.errorCode === ErrorCode.NONE,
      'the leader to serve poll-0',
    );
    const started = Date.now();
    const pending = fetch(consumer, 'poll', 0, 0, { maxWaitMs: 10_000, minBytes: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await produce(producer, 'poll', 0, buildBatch(['wake']), 1);
    const res = await pending;
    const elapsed = Date.now() - started;
    expect(res.responses[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.NONE);
    expect(res.responses[0]!.partitions[0]!.records.length).to.be.greaterThan(0);
    expect(elapsed).to.be.below(5000);
    // And with nothing arriving it waits for max.wait.ms.
    const t0 = Date.now();
    const empty = await fetch(consumer, 'poll', 0, 1, { maxWaitMs: 700, minBytes: 1 });
    expect(Date.now() - t0).to.be.within(600, 5000);
    expect(empty.responses[0]!.partitions[0]!.records.length).to.equal(0);
  });

  it('applies a topic config change made with AlterConfigs to the running leader', async () => {
    await createTopic(cluster, 'altered', 1, 1);
    const leader = await connectTo(cluster, await leaderOf(cluster, 'altered', 0));
    const before = await produce(leader, 'altered', 0, buildBatch(['ok']), -1);
    expect(before!.responses[0]!.partitionResponses[0]!.errorCode).to.equal(0);
    const res = await leader.send(ApiKey.AlterConfigs, 0, {
      resources: [{ resourceType: 2, resourceName: 'altered', configs: [{ name: 'min.insync.replicas', value: '2' }] }],
      validateOnly: false,
    });
    expect(res.responses[0]!.errorCode).to.equal(0);
    await waitFor(async () => {
      const r = await produce(leader, 'altered', 0, buildBatch(['refused']), -1);
      return r!.responses[0]!.partitionResponses[0]!.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS;
    }, 'acks=all to be refused once min.insync.replicas=2 applies to the one-replica topic');
    const described = await leader.send(ApiKey.DescribeConfigs, 0, {
      resources: [
        { resourceType: 2, resourceName: 'altered', configurationKeys: ['min.insync.replicas', 'retention.ms'] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const configs = Object.fromEntries(described.results[0]!.configs.map((c) => [c.name, [c.value, c.configSource]]));
    expect(configs).to.deep.equal({ 'min.insync.replicas': ['2', 1], 'retention.ms': ['604800000', 5] });
  });

  it('refuses a keyless record on a compacted topic and appends nothing from that batch, as Kafka does', async () => {
    await createTopic(cluster, 'compacted', 1, 1, { 'cleanup.policy': 'compact' });
    const leader = await connectTo(cluster, await leaderOf(cluster, 'compacted', 0));
    const keyless = new RecordBatchBuilder({ compression: CompressionType.Gzip });
    keyless.append(Date.now(), 'k0', 'keyed');
    keyless.append(Date.now(), null, 'no key');
    const refused = await produce(leader, 'compacted', 0, keyless.buildSync(), 1);
    const p = refused!.responses[0]!.partitionResponses[0]!;
    expect(p.errorCode).to.equal(ErrorCode.INVALID_RECORD);
    expect(p.errorMessage).to.contain(
      'Compacted topic cannot accept message without key in topic partition compacted-0',
    );
    expect(p.recordErrors.map((e) => e.batchIndex)).to.deep.equal([1]);
    const accepted = await produce(leader, 'compacted', 0, buildBatch(['v0', 'v1']), 1);
    expect(accepted!.responses[0]!.partitionResponses[0]).to.include({ errorCode: 0, baseOffset: 0 });
    expect((await readAll(leader, 'compacted', 0)).map((r) => r.value)).to.deep.equal(['v0', 'v1']);
  });

  it("stores batches in the topic's compression.type whatever codec the producer used, on every replica", async () => {
    await createTopic(cluster, 'gzipped', 1, 2, { 'compression.type': 'gzip' });
    const leaderId = await leaderOf(cluster, 'gzipped', 0);
    const leader = await connectTo(cluster, leaderId);
    const snappy = new RecordBatchBuilder({ compression: CompressionType.Snappy });
    snappy.append(Date.now(), 'k2', 'snappy-0');
    snappy.append(Date.now(), 'k3', 'snappy-1');
    for (const records of [buildBatch(['plain-0', 'plain-1']), snappy.buildSync()]) {
      const res = await produce(leader, 'gzipped', 0, records, -1);
      expect(res!.responses[0]!.partitionResponses[0]!.errorCode).to.equal(ErrorCode.NONE);
    }
    const p = (await fetch(leader, 'gzipped', 0, 0)).responses[0]!.partitions[0]!;
    const batches = [...iterateBatches(p.records)];
    expect(batches.map((b) => b.compression)).to.deep.equal([CompressionType.Gzip, CompressionType.Gzip]);
    expect(batches.flatMap((b) => [...b.records()].map((r) => r.value!.toString()))).to.deep.equal([
      'plain-0',
      'plain-1',
      'snappy-0',
      'snappy-1',
    ]);
    // The follower copies the leader's bytes: the same gzip batches, byte for byte, in its segment file.
    const followerId = cluster.local.brokerIds().find((id) => id !== leaderId)!;
    const leaderBatches = replicaBatches(cluster, leaderId, 'gzipped', 0);
    await waitFor(
      () => JSON.stringify(replicaBatches(cluster, followerId, 'gzipped', 0)) === JSON.stringify(leaderBatches),
      "the follower's copy",
    );
  });

  it('keeps every acknowledged record across a SIGKILL and restart', async () => {
    await createTopic(cluster, 'durable', 1, 1);
    const leaderId = await leaderOf(cluster, 'durable', 0);
    const c = await connectTo(cluster, leaderId);
    const acked: string[] = [];
    for (let i = 0; i < 200; i++) {
      const values = [`r${i}-0`, `r${i}-1`, `r${i}-2`, `r${i}-3`];
      const res = await produce(c, 'durable', 0, buildBatch(values), 1);
      if (res!.responses[0]!.partitionResponses[0]!.errorCode === 0) acked.push(...values);
    }
    await cluster.local.killBroker(leaderId);
    await cluster.local.startBroker(leaderId);
    const again = await connectTo(cluster, leaderId);
    const all = await waitFor(
      async () => {
        if ((await leaderOf(cluster, 'durable', 0)) !== leaderId) return null;
        const r = await readAll(again, 'durable', 0);
        return r.length >= acked.length ? r : null;
      },
      'the restarted broker to serve the partition again',
      { timeoutMs: 40_000 },
    );
    expect(all.map((r) => r.value)).to.deep.equal(acked);
    expect(all.map((r) => r.offset)).to.deep.equal([...Array(acked.length).keys()]);
  });
});
