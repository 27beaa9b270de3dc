/**
 * Group membership through the wire protocol against three broker processes (the client's side arrives later):
 * members join with MEMBER_ID_REQUIRED, the leader's SyncGroup hands every member its assignment, a newcomer or a
 * leaver makes the others see REBALANCE_IN_PROGRESS and rejoin into the next generation, offset commits are
 * fenced by generation, a static member restarting while the group is Stable gets its assignment back without a
 * rebalance (its old member id fenced), a member that stops heartbeating is removed after its session, and a
 * group keeps its generation and assignments when its coordinator is SIGKILLed (the new one loads it from the log).
 */
import { expect } from 'chai';
import { ErrorCode } from '../../lib/common/error-codes.js';
import type { NetworkClient } from '../../lib/network/network-client.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import type { JoinGroupResponse } from '../../lib/protocol/messages/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo } from '../helpers/wire.js';

/** Up to three connections to one coordinator; the first `members` of them are open. */
type Connections = [NetworkClient, NetworkClient, NetworkClient];

const SESSION_MS = 6000;

describe('Group membership (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'offsets.topic.num.partitions': 5, 'group.initial.rebalance.delay.ms': 200 },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  /**
   * Connections to the group's coordinator, one per member: responses come back in request order on a connection,
   * so a member's JoinGroup waiting for the rebalance would hold back everyone else's requests on a shared one.
   */
  async function coordinatorFor(groupId: string, members: 1 | 2 | 3, via = 1, not = -1): Promise<Connections> {
    const any = await connectTo(cluster, via);
    const id = await waitFor(
      async () => {
        const res = await any.send(ApiKey.FindCoordinator, 0, { key: groupId, keyType: 0 });
        return res.errorCode === 0 && res.nodeId !== not ? res.nodeId : null;
      },
      'a coordinator',
      { timeoutMs: 30_000 },
    );
    const connections = (await Promise.all(
      Array.from({ length: members }, () => connectTo(cluster, id)),
    )) as Connections;
    // Another broker names the leader its ZooKeeper state names, which may not lead yet (NOT_COORDINATOR) or may
    // still be loading the partition (COORDINATOR_LOAD_IN_PROGRESS): a consumer would find the coordinator again.
    await waitFor(
      async () => {
        const res = await connections[0].send(ApiKey.DescribeGroups, 0, {
          groups: [groupId],
          includeAuthorizedOperations: false,
        });
        return res.groups[0]?.errorCode === ErrorCode.NONE;
      },
      `broker ${id} serving group ${groupId}`,
      { timeoutMs: 30_000 },
    );
    return connections;
  }

  const join = (
    c: NetworkClient,
    groupId: string,
    memberId: string,
    groupInstanceId: string | null = null,
    meta = 'sub',
  ) =>
    c.send(
      ApiKey.JoinGroup,
      0,
      {
        groupId,
        sessionTimeoutMs: SESSION_MS,
        rebalanceTimeoutMs: 10_000,
        memberId,
        groupInstanceId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from(meta) }],
      },
      { timeoutMs: 20_000 },
    );

  /** JoinGroup as a consumer does: a dynamic member repeats the join with the id MEMBER_ID_REQUIRED gave it. */
  async function joinAsNew(
    c: NetworkClient,
    groupId: string,
    groupInstanceId: string | null = null,
  ): Promise<JoinGroupResponse> {
    const first = await join(c, groupId, '', groupInstanceId);
    if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) return first;
    return join(c, groupId, first.memberId);
  }

  const sync = (c: NetworkClient, groupId: string, j: JoinGroupResponse, assignments: [string, string][] = []) =>
    c.send(ApiKey.SyncGroup, 0, {
      groupId,
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: assignments.map(([memberId, a]) => ({ memberId, assignment: Buffer.from(a) })),
    });

  const heartbeat = async (
    c: NetworkClient,
    groupId: string,
    memberId: string,
    generationId: number,
    groupInstanceId: string | null = null,
  ) => (await c.send(ApiKey.Heartbeat, 0, { groupId, generationId, memberId, groupInstanceId })).errorCode;

  it("forms generations as members join and leave, hands out the leader's assignments and fences stale commits", async () => {
    const [c, c2, c3] = await coordinatorFor('g1', 3);
    const [a, b] = await Promise.all([joinAsNew(c, 'g1'), joinAsNew(c2, 'g1')]);
    expect([a.errorCode, b.errorCode]).to.deep.equal([0, 0]);
    expect(a.generationId).to.equal(1);
    expect(b.generationId).to.equal(1);
    expect(a.leader).to.equal(b.leader);
    const [leader, follower] = a.leader === a.memberId ? [a, b] : [b, a];
    const [lc, fc] = a.leader === a.memberId ? [c, c2] : [c2, c];
    expect(leader.members.map((m) => m.memberId).sort()).to.deep.equal([a.memberId, b.memberId].sort());
    expect(follower.members).to.deep.equal([]);
    const [ls, fs] = await Promise.all([
      sync(lc, 'g1', leader, [
        [leader.memberId, 'p0,p1'],
        [follower.memberId, 'p2,p3'],
      ]),
      sync(fc, 'g1', follower),
    ]);
    expect([ls.assignment.toString(), fs.assignment.toString()]).to.deep.equal(['p0,p1', 'p2,p3']);
    expect(await heartbeat(c, 'g1', follower.memberId, 1)).to.equal(0);

    const commit = (memberId: string, generationId: number) =>
      c.send(ApiKey.OffsetCommit, 0, {
        groupId: 'g1',
        generationId,
        memberId,
        groupInstanceId: null,
        topics: [
          {
            name: 't',
            partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }],
          },
        ],
      });
    expect((await commit(leader.memberId, 1)).topics[0]!.partitions[0]!.errorCode).to.equal(0);
    expect((await commit(leader.memberId, 0)).topics[0]!.partitions[0]!.errorCode).to.equal(
      ErrorCode.ILLEGAL_GENERATION,
    );
    expect((await commit('', -1)).topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);

    const described = await c.send(ApiKey.DescribeGroups, 0, { groups: ['g1'], includeAuthorizedOperations: false });
    expect(described.groups[0]).to.include({
      errorCode: 0,
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
    });
    expect(described.groups[0]!.members.map((m) => m.memberAssignment.toString()).sort()).to.deep.equal([
      'p0,p1',
      'p2,p3',
    ]);
    expect((await c.send(ApiKey.DeleteGroups, 0, { groupsNames: ['g1'] })).results[0]!.errorCode).to.equal(
      ErrorCode.NON_EMPTY_GROUP,
    );

    // A third member: the others learn of the rebalance through their heartbeats and rejoin.
    const third = joinAsNew(c3, 'g1');
    await waitFor(
      async () => (await heartbeat(lc, 'g1', leader.memberId, 1)) === ErrorCode.REBALANCE_IN_PROGRESS,
      'a rebalance',
    );
    const again = await Promise.all([join(lc, 'g1', leader.memberId), join(fc, 'g1', follower.memberId), third]);
    expect(again.map((j) => [j.errorCode, j.generationId])).to.deep.equal([
      [0, 2],
      [0, 2],
      [0, 2],
    ]);
    const clients = [lc, fc, c3];
    await Promise.all(
      again.map((j, i) =>
        sync(
          clients[i]!,
          'g1',
          j,
          j.memberId === j.leader ? again.map((x) => [x.memberId, 'x'] as [string, string]) : [],
        ),
      ),
    );

    // The follower leaves: the rest rebalance into generation 3 without it.
    const left = await fc.send(ApiKey.LeaveGroup, 0, {
      groupId: 'g1',
      members: [{ memberId: follower.memberId, groupInstanceId: null }],
    });
    expect(left.members[0]!.errorCode).to.equal(0);
    expect(await heartbeat(lc, 'g1', leader.memberId, 2)).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
    const after = await Promise.all([join(lc, 'g1', leader.memberId), join(c3, 'g1', again[2].memberId)]);
    expect(after.map((j) => j.generationId)).to.deep.equal([3, 3]);
    const listed = await fc.send(ApiKey.ListGroups, 0, { statesFilter: [] });
    expect(listed.groups.map((g) => g.groupId)).to.include('g1');
  });

  it('gives a restarted static member its assignment back without a rebalance, and expires a silent member', async () => {
    const [c, cd] = await coordinatorFor('g2', 2);
    const [s, d] = await Promise.all([joinAsNew(c, 'g2', 'instance-1'), joinAsNew(cd, 'g2')]);
    expect([s.errorCode, d.errorCode, s.generationId, d.generationId]).to.deep.equal([0, 0, 1, 1]);
    const leader = s.leader === s.memberId ? s : d;
    await Promise.all([
      sync(
        c,
        'g2',
        s,
        leader === s
          ? [
              [s.memberId, 'static'],
              [d.memberId, 'dynamic'],
            ]
          : [],
      ),
      sync(
        cd,
        'g2',
        d,
        leader === d
          ? [
              [s.memberId, 'static'],
              [d.memberId, 'dynamic'],
            ]
          : [],
      ),
    ]);

    // The static member "restarts": it joins again with no member id and the same group.instance.id.
    const back = await join(c, 'g2', '', 'instance-1');
    expect(back.errorCode).to.equal(0);
    expect(back.generationId).to.equal(1);
    expect(back.memberId).not.to.equal(s.memberId);
    expect((await sync(c, 'g2', back)).assignment.toString()).to.equal('static');
    expect(await heartbeat(c, 'g2', s.memberId, 1, 'instance-1')).to.equal(ErrorCode.FENCED_INSTANCE_ID);
    expect(await heartbeat(cd, 'g2', d.memberId, 1)).to.equal(0);

    // Only the static member keeps heartbeating: the dynamic one is removed after its session, and a rebalance follows.
    const started = Date.now();
    await waitFor(
      async () => (await heartbeat(c, 'g2', back.memberId, 1, 'instance-1')) === ErrorCode.REBALANCE_IN_PROGRESS,
      'the silent member to expire',
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(Date.now() - started).to.be.at.least(SESSION_MS - 1000);
    const alone = await join(c, 'g2', back.memberId, 'instance-1');
    expect([alone.generationId, alone.members.map((m) => m.memberId)]).to.deep.equal([2, [back.memberId]]);
  });

  it("keeps the group's generation and assignments when the coordinator is SIGKILLed", async () => {
    const [c1, c2] = await coordinatorFor('g3', 2);
    const [a, b] = await Promise.all([joinAsNew(c1, 'g3'), joinAsNew(c2, 'g3')]);
    const leaderClient = a.leader === a.memberId ? c1 : c2;
    const assignments: [string, string][] = [
      [a.memberId, 'for-a'],
      [b.memberId, 'for-b'],
    ];
    await Promise.all([
      sync(c1, 'g3', a, a.leader === a.memberId ? assignments : []),
      sync(c2, 'g3', b, b.leader === b.memberId ? assignments : []),
    ]);
    const coordinatorId = cluster.local.brokerIds().find((id) => cluster.local.broker(id).port === leaderClient.port)!;
    await cluster.local.killBroker(coordinatorId);
    const survivor = cluster.local.brokerIds().find((id) => id !== coordinatorId)!;
    const [next] = await coordinatorFor('g3', 1, survivor, coordinatorId);
    await waitFor(
      async () => (await heartbeat(next, 'g3', a.memberId, a.generationId)) === 0,
      'the new coordinator to load the group and accept a heartbeat of the same generation',
      { timeoutMs: 30_000 },
    );
    expect(await heartbeat(next, 'g3', b.memberId, b.generationId)).to.equal(0);
    const described = await next.send(ApiKey.DescribeGroups, 0, {
      groups: ['g3'],
      includeAuthorizedOperations: false,
    });
    expect(described.groups[0]!.groupState).to.equal('Stable');
    expect(described.groups[0]!.members.map((m) => [m.memberId, m.memberAssignment.toString()]).sort()).to.deep.equal(
      [
        [a.memberId, 'for-a'],
        [b.memberId, 'for-b'],
      ].sort(),
    );
  });
});
