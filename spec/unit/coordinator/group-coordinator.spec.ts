import { expect } from 'chai';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { GroupCoordinator } from '../../../lib/coordinator/group/group-coordinator.js';
import type { GroupMetadataManager, OffsetCommitEntry } from '../../../lib/coordinator/group/group-metadata-manager.js';
import type { GroupMetadataRecord } from '../../../lib/coordinator/group/offsets-record-codec.js';
import { encodeSubscription } from '../../../lib/protocol/consumer-protocol.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../../lib/protocol/messages/index.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';

/** The offsets side, reduced to what the coordinator's rules consult: every group is coordinated here. */
class RecordingOffsets {
  readonly commits: { groupId: string; entries: readonly OffsetCommitEntry[] }[] = [];
  readonly deletions: { groupId: string; partitions: readonly { topic: string; partition: number }[] }[] = [];
  async deleteOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[]): Promise<number> {
    this.deletions.push({ groupId, partitions });
    return ErrorCode.NONE;
  }
  readonly stored: { groupId: string; group: GroupMetadataRecord }[] = [];
  onGroupLoaded: (groupId: string, group: GroupMetadataRecord) => void = () => {};
  expiryViews: Record<string, number | null>[] = [];
  async expireOffsets(_retentionMs: number, emptySinceMs: (groupId: string) => number | null): Promise<number> {
    this.expiryViews.push(Object.fromEntries(['g', 'other'].map((id) => [id, emptySinceMs(id)])));
    return 0;
  }
  async storeGroup(groupId: string, group: GroupMetadataRecord): Promise<number> {
    this.stored.push({ groupId, group });
    return ErrorCode.NONE;
  }
  coordinatorError(): null {
    return null;
  }
  partitionFor(): number {
    return 0;
  }
  hasGroup(): boolean {
    return false;
  }
  groupIds(): string[] {
    return [];
  }
  get isLoading(): boolean {
    return false;
  }
  onLeadershipChange(): void {}
  async commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<number[]> {
    this.commits.push({ groupId, entries });
    return entries.map(() => ErrorCode.NONE);
  }
}

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;
const INITIAL_DELAY_MS = 3000;

function setUp() {
  const time = new MockTime();
  const scheduler = new MockScheduler(time);
  const offsets = new RecordingOffsets();
  const coordinator = new GroupCoordinator(
    offsets as unknown as GroupMetadataManager,
    {
      offsetsRetentionMs: 7 * 24 * 3600_000,
      offsetsRetentionCheckIntervalMs: 600_000,
      groupMinSessionTimeoutMs: 6000,
      groupMaxSessionTimeoutMs: 1_800_000,
      groupInitialRebalanceDelayMs: INITIAL_DELAY_MS,
      groupMaxSize: 3,
    },
    time,
    scheduler,
    silentLogger,
  );
  coordinator.startup();
  const request = (memberId: string, overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
    groupId: 'g',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(memberId || 'new') }],
    ...overrides,
  });
  /** A dynamic member's first join: MEMBER_ID_REQUIRED, then the join with that id (pending until the rebalance ends). */
  const joinNew = async (overrides: Partial<JoinGroupRequest> = {}) => {
    const first = await coordinator.joinGroup(request('', overrides), 'client', '/127.0.0.1');
    expect(first.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).to.match(/^client-[0-9a-f-]{36}$/);
    return {
      memberId: first.memberId,
      response: coordinator.joinGroup(request(first.memberId, overrides), 'client', '/127.0.0.1'),
    };
  };
  return { time, scheduler, offsets, coordinator, request, joinNew };
}

const settled = async <T>(p: Promise<T>): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);

describe('GroupCoordinator', () => {
  describe('#joinGroup', () => {
    it('holds the first rebalance of an empty group for group.initial.rebalance.delay.ms, then answers everyone', async () => {
      const { scheduler, joinNew } = setUp();
      const a = await joinNew();
      const b = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS - 200);
      expect(await settled(a.response)).to.equal('pending');
      await scheduler.tick(300);
      const [ra, rb] = [await a.response, await b.response] as JoinGroupResponse[];
      expect([ra!.generationId, rb!.generationId, ra!.protocolName]).to.deep.equal([1, 1, 'range']);
      expect(ra!.leader).to.equal(a.memberId);
      expect(ra!.members.map((m) => m.memberId)).to.deep.equal([a.memberId, b.memberId]);
      expect(rb!.members).to.deep.equal([]);
    });

    it('refuses session timeouts out of bounds, unknown member ids, protocols no member shares, and too many members', async () => {
      const { coordinator, request, joinNew, scheduler } = setUp();
      const code = async (r: JoinGroupRequest) => (await coordinator.joinGroup(r, 'client', 'h')).errorCode;
      expect(await code(request('', { sessionTimeoutMs: 5999 }))).to.equal(ErrorCode.INVALID_SESSION_TIMEOUT);
      expect(await code(request('nobody'))).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
      const a = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      await a.response;
      expect(await code(request('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }))).to.equal(
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      );
      expect(await code(request('', { protocolType: 'connect' }))).to.equal(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      await joinNew();
      await joinNew();
      expect(await code(request(''))).to.equal(ErrorCode.GROUP_MAX_SIZE_REACHED);
    });

    it('picks the protocol most members list first among those all support', async () => {
      const { scheduler, joinNew } = setUp();
      const proto = (...names: string[]) => ({ protocols: names.map((name) => ({ name, metadata: Buffer.alloc(0) })) });
      const a = await joinNew(proto('range', 'roundrobin'));
      const b = await joinNew(proto('roundrobin', 'range'));
      const c = await joinNew(proto('roundrobin', 'sticky', 'range'));
      await scheduler.tick(INITIAL_DELAY_MS);
      expect((await Promise.all([a.response, b.response, c.response])).map((r) => r.protocolName)).to.deep.equal([
        'roundrobin',
        'roundrobin',
        'roundrobin',
      ]);
    });

    it('drops members that do not rejoin within the rebalance timeout and completes with the rest', async () => {
      const { scheduler, coordinator, request, joinNew } = setUp();
      const a = await joinNew();
      const b = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      const [ra] = await Promise.all([a.response, b.response]);
      await coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      });
      // a's metadata changes: a rebalance starts; b keeps heartbeating but never rejoins.
      const rejoin = coordinator.joinGroup(
        request(a.memberId, { protocols: [{ name: 'range', metadata: Buffer.from('v2') }] }),
        'client',
        'h',
      );
      for (let t = 0; t < REBALANCE_MS; t += 3000) {
        expect(
          coordinator.heartbeat({
            groupId: 'g',
            generationId: ra.generationId,
            memberId: b.memberId,
            groupInstanceId: null,
          }),
        ).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
        await scheduler.tick(3000);
      }
      const r = await rejoin;
      expect([r.generationId, r.members.map((m) => m.memberId)]).to.deep.equal([2, [a.memberId]]);
      expect(
        coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: b.memberId, groupInstanceId: null }),
      ).to.equal(ErrorCode.UNKNOWN_MEMBER_ID);
    });
  });

  describe('#syncGroup', () => {
    it("stores the group with the leader's assignments, then gives each member its own and makes the group Stable", async () => {
      const { scheduler, coordinator, offsets, joinNew } = setUp();
      const a = await joinNew();
      const b = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      await Promise.all([a.response, b.response]);
      const base = {
        groupId: 'g',
        generationId: 1,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
      };
      const follower = coordinator.syncGroup({ ...base, memberId: b.memberId, assignments: [] });
      expect(await settled(follower)).to.equal('pending');
      const leader = await coordinator.syncGroup({
        ...base,
        memberId: a.memberId,
        assignments: [
          { memberId: a.memberId, assignment: Buffer.from('A') },
          { memberId: b.memberId, assignment: Buffer.from('B') },
        ],
      });
      expect([leader.assignment.toString(), (await follower).assignment.toString()]).to.deep.equal(['A', 'B']);
      expect(coordinator.describeGroups(['g'])[0]!.groupState).to.equal('Stable');
      expect(
        offsets.stored.map(({ group }) => [group.generationId, group.members.map((m) => m.assignment.toString())]),
      ).to.deep.equal([[1, ['A', 'B']]]);
      const stale = await coordinator.syncGroup({ ...base, generationId: 0, memberId: b.memberId, assignments: [] });
      expect(stale.errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION);
    });
  });

  describe('#deleteOffsets', () => {
    it('deletes offsets of topics an active consumer group does not subscribe to, and refuses the ones it does', async () => {
      const { scheduler, coordinator, offsets, joinNew } = setUp();
      const subscription = encodeSubscription({ topics: ['orders'], userData: null, ownedPartitions: [] });
      const a = await joinNew({ protocols: [{ name: 'range', metadata: subscription }] });
      await scheduler.tick(INITIAL_DELAY_MS);
      await a.response;
      const answer = await coordinator.deleteOffsets('g', [
        { name: 'orders', partitions: [{ partitionIndex: 0 }] },
        { name: 'audit', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] },
      ]);
      expect(answer.errorCode).to.equal(ErrorCode.NONE);
      expect(answer.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)])).to.deep.equal([
        ['orders', [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
        ['audit', [ErrorCode.NONE, ErrorCode.NONE]],
      ]);
      expect(offsets.deletions).to.deep.equal([
        {
          groupId: 'g',
          partitions: [
            { topic: 'audit', partition: 0 },
            { topic: 'audit', partition: 1 },
          ],
        },
      ]);
      expect((await coordinator.deleteOffsets('unknown', [])).errorCode).to.equal(ErrorCode.GROUP_ID_NOT_FOUND);
    });
  });

  describe('#heartbeat', () => {
    it('expires a member whose heartbeats stop for session.timeout.ms and rebalances the rest', async () => {
      const { scheduler, coordinator, joinNew } = setUp();
      const a = await joinNew();
      const b = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      await Promise.all([a.response, b.response]);
      const base = {
        groupId: 'g',
        generationId: 1,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      };
      await Promise.all([
        coordinator.syncGroup({ ...base, memberId: b.memberId }),
        coordinator.syncGroup({ ...base, memberId: a.memberId }),
      ]);
      for (let t = 0; t < SESSION_MS; t += 2000) {
        await scheduler.tick(2000);
        if (t + 2000 < SESSION_MS)
          expect(
            coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null }),
          ).to.equal(0);
      }
      await scheduler.tick(200);
      expect(
        coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null }),
      ).to.equal(ErrorCode.REBALANCE_IN_PROGRESS);
      expect(coordinator.describeGroups(['g'])[0]!.members.map((m) => m.memberId)).to.deep.equal([a.memberId]);
    });
  });

  describe('#commitOffsets', () => {
    it('takes generation -1 commits only from a group without members, and fences the rest by member and generation', async () => {
      const { scheduler, coordinator, offsets, joinNew } = setUp();
      const entry = [{ topic: 't', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }];
      expect(await coordinator.commitOffsets('g', -1, '', null, entry)).to.deep.equal([0]);
      const a = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      await a.response;
      expect(await coordinator.commitOffsets('g', -1, '', null, entry)).to.deep.equal([ErrorCode.UNKNOWN_MEMBER_ID]);
      expect(await coordinator.commitOffsets('g', 1, a.memberId, null, entry)).to.deep.equal([
        ErrorCode.REBALANCE_IN_PROGRESS,
      ]);
      await coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      });
      expect(await coordinator.commitOffsets('g', 0, a.memberId, null, entry)).to.deep.equal([
        ErrorCode.ILLEGAL_GENERATION,
      ]);
      expect(await coordinator.commitOffsets('g', 1, a.memberId, null, entry)).to.deep.equal([0]);
      expect(offsets.commits.length).to.equal(2);
    });
  });

  describe('loading', () => {
    it('takes a stored group back as Stable with its generation, members and assignments', () => {
      const { coordinator, offsets } = setUp();
      offsets.onGroupLoaded('g', {
        protocolType: 'consumer',
        generationId: 7,
        protocolName: 'range',
        leaderId: 'm1',
        currentStateTimestamp: 0,
        members: [
          {
            memberId: 'm1',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: 'h',
            rebalanceTimeoutMs: REBALANCE_MS,
            sessionTimeoutMs: SESSION_MS,
            subscription: Buffer.from('s'),
            assignment: Buffer.from('a'),
          },
        ],
      });
      expect(coordinator.heartbeat({ groupId: 'g', generationId: 7, memberId: 'm1', groupInstanceId: null })).to.equal(
        0,
      );
      const [described] = coordinator.describeGroups(['g']);
      expect(described).to.include({ groupState: 'Stable', protocolData: 'range' });
      expect(described!.members.map((m) => m.memberAssignment.toString())).to.deep.equal(['a']);
    });
  });

  describe('#expireOffsets', () => {
    it('never expires offsets of a group with members, and counts an emptied group from when it became Empty', async () => {
      const { time, scheduler, coordinator, offsets, joinNew } = setUp();
      const a = await joinNew();
      await scheduler.tick(INITIAL_DELAY_MS);
      await a.response;
      await coordinator.expireOffsets();
      coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
      const emptiedAt = time.milliseconds();
      await coordinator.expireOffsets();
      expect(offsets.expiryViews).to.deep.equal([
        { g: null, other: 0 },
        { g: emptiedAt, other: 0 },
      ]);
    });
  });

  describe('static membership', () => {
    it('replaces a restarted static member without a rebalance and fences its previous member id', async () => {
      const { scheduler, coordinator, request } = setUp();
      const join = (memberId: string) =>
        coordinator.joinGroup(request(memberId, { groupInstanceId: 'i-1' }), 'client', 'h');
      const first = join('');
      await scheduler.tick(INITIAL_DELAY_MS);
      const r1 = await first;
      expect(r1.memberId).to.match(/^i-1-/);
      await coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: r1.memberId,
        groupInstanceId: 'i-1',
        protocolType: null,
        protocolName: null,
        assignments: [{ memberId: r1.memberId, assignment: Buffer.from('mine') }],
      });
      const r2 = await join('');
      expect([r2.errorCode, r2.generationId]).to.deep.equal([0, 1]);
      expect(r2.memberId).not.to.equal(r1.memberId);
      const synced = await coordinator.syncGroup({
        groupId: 'g',
        generationId: 1,
        memberId: r2.memberId,
        groupInstanceId: 'i-1',
        protocolType: null,
        protocolName: null,
        assignments: [],
      });
      expect(synced.assignment.toString()).to.equal('mine');
      expect(
        coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: r1.memberId, groupInstanceId: 'i-1' }),
      ).to.equal(ErrorCode.FENCED_INSTANCE_ID);
    });
  });
});
