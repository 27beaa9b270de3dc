/**
 * The admin client's consumer-group operations against three brokers (what kafka-consumer-groups.sh does): list
 * the groups of the cluster, describe one with its members and their partitions, read its committed offsets, and
 * delete it, which the coordinator refuses while the group has members.
 */
import { expect } from 'chai';
import { ApiError, Consumer, Producer } from '../../lib/client/index.js';
import { useGroupCluster } from '../helpers/group-cluster.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Admin consumer groups (3 brokers)', function () {
  this.timeout(120_000);
  const env = useGroupCluster();

  it('lists, describes, reads the offsets of, and deletes a consumer group', async () => {
    await env.admin.createTopics([{ name: 'ledger', numPartitions: 4, replicationFactor: 3 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': env.cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    await producer.sendBatch(
      Array.from({ length: 40 }, (_, i) => ({ topic: 'ledger', partition: i % 4, value: `e${i}` })),
    );
    const members = await Promise.all(
      ['teller-1', 'teller-2'].map(async (clientId) => {
        const c = defer(
          new Consumer({
            'bootstrap.servers': env.cluster.bootstrapServers,
            'group.id': 'accounts',
            'client.id': clientId,
            'auto.offset.reset': 'earliest',
            'heartbeat.interval.ms': 200,
            'auto.commit.interval.ms': 100,
          }),
          (x) => x.close(),
        );
        await c.connect();
        c.subscribe(['ledger']);
        return c;
      }),
    );
    let read = 0;
    const readers = members.map((c) =>
      c.run({
        eachMessage: () => {
          read++;
        },
      }),
    );
    await waitFor(() => read >= 40, 'the group to read the 40 records');

    await waitFor(
      async () => (await env.admin.listConsumerGroups()).some((g) => g.groupId === 'accounts' && g.state === 'Stable'),
      'the group to be listed as Stable',
    );
    expect((await env.admin.listConsumerGroups()).find((g) => g.groupId === 'accounts')).to.deep.equal({
      groupId: 'accounts',
      protocolType: 'consumer',
      state: 'Stable',
    });

    const [accounts, unknown] = await env.admin.describeConsumerGroups(['accounts', 'no-such-group']);
    expect(accounts!.state).to.equal('Stable');
    expect(accounts!.partitionAssignor).to.equal('range');
    expect(accounts!.members.map((m) => m.clientId).sort()).to.deep.equal(['teller-1', 'teller-2']);
    expect(
      accounts!.members.flatMap((m) => m.assignment.map((tp) => `${tp.topic}-${tp.partition}`)).sort(),
    ).to.deep.equal(['ledger-0', 'ledger-1', 'ledger-2', 'ledger-3']);
    expect(unknown).to.include({ groupId: 'no-such-group', state: 'Dead' });
    expect(unknown!.members).to.deep.equal([]);

    await waitFor(
      async () => (await env.admin.listConsumerGroupOffsets('accounts')).reduce((n, o) => n + o.offset, 0) === 40,
      'auto commit to store every position',
    );
    const offsets = await env.admin.listConsumerGroupOffsets('accounts');
    expect(offsets.map((o) => `${o.topic}-${o.partition}@${o.offset}`).sort()).to.deep.equal([
      'ledger-0@10',
      'ledger-1@10',
      'ledger-2@10',
      'ledger-3@10',
    ]);

    const refused = await env.admin.deleteConsumerGroups(['accounts']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(ApiError).and.to.have.property('errorName', 'NON_EMPTY_GROUP');
    for (const c of members) c.stop();
    await Promise.all(readers);
    await Promise.all(members.map((c) => c.close()));
    await env.admin.deleteConsumerGroups(['accounts']);
    expect(await env.admin.listConsumerGroupOffsets('accounts')).to.deep.equal([]);
    expect((await env.admin.listConsumerGroups()).map((g) => g.groupId)).to.not.include('accounts');
  });
});
