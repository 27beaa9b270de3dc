/**
 * Replication across three broker processes: followers copy the leader's batches byte for byte, the high
 * watermark holds consumers back until the ISR has the data, and a follower stopped with SIGSTOP drops out of the
 * ISR after replica.lag.time.max.ms and rejoins after SIGCONT.
 */
import { expect } from 'chai';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { replicaBatches } from '../helpers/acked-records.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { buildBatch, connectTo, createTopic, fetch, metadata, produce } from '../helpers/wire.js';

describe('Replication (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'replica.lag.time.max.ms': 3000, 'auto.create.topics.enable': false },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('keeps identical logs on every replica after a produce run with acks=all', async () => {
    const md = await createTopic(cluster, 'rf3', 1, 3);
    const leaderId = md.topics[0]!.partitions[0]!.leaderId;
    const leader = await connectTo(cluster, leaderId);
    for (let i = 0; i < 100; i++) {
      const res = await produce(leader, 'rf3', 0, buildBatch([`a${i}`, `b${i}`]), -1);
      expect(res!.responses[0]!.partitionResponses[0]!.errorCode).to.equal(0);
    }
    const onLeader = replicaBatches(cluster, leaderId, 'rf3', 0);
    expect(onLeader).to.have.length(100);
    for (const b of [1, 2, 3]) {
      await waitFor(() => replicaBatches(cluster, b, 'rf3', 0).length === 100, `broker ${b} to have all 100 batches`);
      expect(replicaBatches(cluster, b, 'rf3', 0), `broker ${b}`).to.deep.equal(onLeader);
    }
  });

  it('drops a SIGSTOPped follower from the ISR, holds nothing back meanwhile, and takes it back after SIGCONT', async () => {
    const md = await createTopic(cluster, 'isr', 1, 3);
    const p = md.topics[0]!.partitions[0]!;
    const follower = p.replicaNodes.find((r) => r !== p.leaderId)!;
    const leader = await connectTo(cluster, p.leaderId);
    const isrOf = async () => (await metadata(leader, ['isr'])).topics[0]!.partitions[0]!.isrNodes;
    await cluster.local.signalBroker(follower, 'SIGSTOP');
    try {
      // With the follower stopped, an acks=all produce cannot complete until the ISR shrinks.
      const res = await produce(leader, 'isr', 0, buildBatch(['during-stop']), -1, 20_000);
      expect(res!.responses[0]!.partitionResponses[0]!.errorCode).to.equal(0);
      await waitFor(async () => !(await isrOf()).includes(follower), 'the stopped follower to leave the ISR', {
        timeoutMs: 30_000,
      });
      // The high watermark now covers the record, so a consumer sees it.
      const f = await fetch(leader, 'isr', 0, 0);
      expect(f.responses[0]!.partitions[0]!.highWatermark).to.equal(1);
    } finally {
      await cluster.local.signalBroker(follower, 'SIGCONT');
    }
    await waitFor(async () => (await isrOf()).includes(follower), 'the follower to rejoin the ISR', {
      timeoutMs: 30_000,
    });
    expect(replicaBatches(cluster, follower, 'isr', 0)).to.deep.equal(replicaBatches(cluster, p.leaderId, 'isr', 0));
  });

  it('answers NOT_ENOUGH_REPLICAS when the ISR is smaller than min.insync.replicas', async () => {
    const md = await createTopic(cluster, 'minisr', 1, 3, { 'min.insync.replicas': '4' });
    const leader = await connectTo(cluster, md.topics[0]!.partitions[0]!.leaderId);
    const res = await produce(leader, 'minisr', 0, buildBatch(['x']), -1);
    expect(res!.responses[0]!.partitionResponses[0]!.errorCode).to.equal(ErrorCode.NOT_ENOUGH_REPLICAS);
    const ok = await produce(leader, 'minisr', 0, buildBatch(['y']), 1);
    expect(ok!.responses[0]!.partitionResponses[0]!.errorCode, 'acks=1 ignores min.insync.replicas').to.equal(0);
  });
});
