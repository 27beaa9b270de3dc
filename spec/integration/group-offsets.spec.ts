/**
 * Committed offsets of a group through the wire protocol against three broker processes: FindCoordinator creates
 * `__consumer_offsets` and names the coordinator; OffsetCommit (no membership: generation -1) and OffsetFetch
 * round-trip; other brokers answer NOT_COORDINATOR; and after the coordinator is SIGKILLed the new coordinator
 * loads the partition from its log and answers with the same offsets.
 */
import { expect } from 'chai';
import { Consumer, Producer } from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import type { NetworkClient } from '../../lib/network/network-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo, createTopic } from '../helpers/wire.js';

const GROUP = 'billing';

describe('Group offsets (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'offsets.topic.num.partitions': 5, 'auto.create.topics.enable': false },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  async function findCoordinatorOf(groupId: string, via: number): Promise<number> {
    const client = await connectTo(cluster, via);
    return waitFor(
      async () => {
        const res = await client.send(ApiKey.FindCoordinator, 0, { key: groupId, keyType: 0 });
        return res.errorCode === 0 ? res.nodeId : null;
      },
      `a coordinator for group ${groupId}`,
      { timeoutMs: 30_000 },
    );
  }
  const findCoordinator = (via: number) => findCoordinatorOf(GROUP, via);

  const commit = (client: NetworkClient, offsets: number[], generationId = -1, memberId = '') =>
    client.send(ApiKey.OffsetCommit, 0, {
      groupId: GROUP,
      generationId,
      memberId,
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: offsets.map((committedOffset, partitionIndex) => ({
            partitionIndex,
            committedOffset,
            committedLeaderEpoch: 0,
            committedMetadata: `m${partitionIndex}`,
          })),
        },
      ],
    });

  const fetchOffsets = (client: NetworkClient) =>
    client.send(ApiKey.OffsetFetch, 0, {
      groupId: GROUP,
      topics: [{ name: 'orders', partitionIndexes: [0, 1, 2, 3] }],
      requireStable: false,
    });

  it('lets a consumer with a group.id resume from the positions it committed, and start from the reset without any', async () => {
    await createTopic(cluster, 'ledger', 2, 3);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: 'ledger', partition: 0, value: `e${i}` })));
    const consumer = async (groupId: string) => {
      const c = defer(
        new Consumer({
          'bootstrap.servers': cluster.bootstrapServers,
          'group.id': groupId,
          'auto.offset.reset': 'earliest',
        }),
        (x) => x.close(),
      );
      await c.connect();
      c.assign([
        { topic: 'ledger', partition: 0 },
        { topic: 'ledger', partition: 1 },
      ]);
      return c;
    };
    const read = async (c: Consumer, n: number) => {
      const out: number[] = [];
      for await (const r of c) {
        out.push(r.offset);
        if (out.length === n) break;
      }
      return out;
    };
    const first = await consumer('readers');
    expect(await read(first, 6)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    // The loop left while holding offset 5 (a break or a throw end it alike): commit() counts up to before it.
    await first.commit();
    await first.close();

    const second = await consumer('readers');
    expect(
      await second.committed([
        { topic: 'ledger', partition: 0 },
        { topic: 'ledger', partition: 1 },
      ]),
    ).to.deep.equal([
      { topic: 'ledger', partition: 0, offset: 5, leaderEpoch: -1, metadata: '' },
      { topic: 'ledger', partition: 1, offset: 0, leaderEpoch: -1, metadata: '' },
    ]);
    expect(await read(second, 5)).to.deep.equal([5, 6, 7, 8, 9]);
    const other = await consumer('auditors');
    expect(await other.committed([{ topic: 'ledger', partition: 0 }])).to.deep.equal([null]);
    expect(await read(other, 2)).to.deep.equal([0, 1]);

    // DeleteGroups writes tombstones: the group's offsets are gone; a group that never committed is not found.
    const coordinator = await connectTo(cluster, await findCoordinatorOf('readers', 1));
    const deleted = await coordinator.send(ApiKey.DeleteGroups, 0, { groupsNames: ['readers'] });
    expect(deleted.results).to.deep.equal([{ groupId: 'readers', errorCode: 0 }]);
    expect(await second.committed([{ topic: 'ledger', partition: 0 }])).to.deep.equal([null]);
  });

  it('commits and fetches offsets at the coordinator, which survives a SIGKILL with its offsets intact', async () => {
    await createTopic(cluster, 'orders', 4, 3);
    const coordinatorId = await findCoordinator(1);
    const coordinator = await connectTo(cluster, coordinatorId);
    const committed = await waitFor(async () => {
      const res = await commit(coordinator, [10, 20, 30]);
      const codes = res.topics[0]!.partitions.map((p) => p.errorCode);
      return codes.every((c) => c === 0) ? res : null;
    }, 'the commit to be accepted once the partition is loaded');
    expect(committed.topics[0]!.partitions.map((p) => p.partitionIndex)).to.deep.equal([0, 1, 2]);

    const fetched = await fetchOffsets(coordinator);
    expect(fetched.errorCode).to.equal(0);
    expect(fetched.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).to.deep.equal([
      [0, 10, 'm0'],
      [1, 20, 'm1'],
      [2, 30, 'm2'],
      [3, -1, ''],
    ]);

    const member = await commit(coordinator, [11], 4, 'consumer-1-abc');
    expect(member.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
    const other = await connectTo(
      cluster,
      cluster.local.brokerIds().find((id) => id !== coordinatorId)!,
    );
    expect((await fetchOffsets(other)).errorCode).to.equal(ErrorCode.NOT_COORDINATOR);

    await cluster.local.killBroker(coordinatorId);
    const survivor = cluster.local.brokerIds().find((id) => id !== coordinatorId)!;
    const next = await waitFor(
      async () => {
        const id = await findCoordinator(survivor);
        return id !== coordinatorId ? id : null;
      },
      'a new coordinator after the SIGKILL',
      { timeoutMs: 30_000 },
    );
    const nextClient = await connectTo(cluster, next);
    const after = await waitFor(
      async () => {
        const res = await fetchOffsets(nextClient);
        return res.errorCode === 0 ? res : null;
      },
      'the new coordinator to load the group',
      { timeoutMs: 30_000 },
    );
    expect(
      after.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]),
    ).to.deep.equal([
      [0, 10, 0, 'm0'],
      [1, 20, 0, 'm1'],
      [2, 30, 0, 'm2'],
      [3, -1, -1, ''],
    ]);
  });
});
