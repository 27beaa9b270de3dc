/**
 * One consumer group as its coordinator holds it (Kafka's GroupMetadata + MemberMetadata): state, generation,
 * protocol type and chosen protocol, leader, members with their protocols, assignment and liveness, and the
 * static members (group.instance.id → member id).
 *
 * Invariants: state moves only through `transitionTo` (Kafka's valid-previous-state table); a member awaiting a
 * JoinGroup or SyncGroup answer holds exactly one pending callback, answered once; `leaderId` is a member. Owned by
 * the GroupCoordinator, which serialises every operation on a group (single event loop, no await inside one).
 */
import { CONSUMER_PROTOCOL_TYPE, decodeSubscription } from '../../protocol/consumer-protocol.js';
import type { JoinGroupResponse, SyncGroupResponse } from '../../protocol/messages/index.js';
import { GROUP_STATE_TRANSITIONS, type GroupState } from './group-state.js';

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export class MemberMetadata {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoin: ((response: JoinGroupResponse) => void) | null = null;
  awaitingSync: ((response: SyncGroupResponse) => void) | null = null;
  /** Monotonic time after which the member is expired (no heartbeat within the session timeout). */
  heartbeatDeadlineMs = 0;
  /** Joined during the current rebalance (Kafka's isNew): expired if it does not complete the join. */
  isNew = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocols: MemberProtocol[],
  ) {}

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** Same protocols, in the same order, with the same metadata. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
    );
  }
}

export class GroupMetadata {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not joined yet. */
  readonly pendingMembers = new Set<string>();
  /** Wall-clock time the group last became Empty (offsets expire one retention period after it); 0 if never. */
  emptySinceMs = 0;
  /** Monotonic time the current rebalance must end by. */
  rebalanceDeadlineMs = 0;
  /** While an initial (from Empty) rebalance is delayed: no completion before this. */
  initialDelayUntilMs = 0;

  constructor(readonly groupId: string) {}

  transitionTo(state: GroupState): void {
    GROUP_STATE_TRANSITIONS.assertValidTransition(`group ${this.groupId}`, this.state, state);
    this.state = state;
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  /**
   * The topics a consumer group's members subscribe to, read from their subscriptions under the chosen protocol;
   * null when that cannot be told (not a consumer group, no protocol chosen yet, unreadable metadata), which callers
   * treat as "possibly subscribed to anything", as Kafka does.
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values())
        for (const t of decodeSubscription(m.metadataFor(this.protocolName)).topics) topics.add(t);
    } catch {
      return null;
    }
    return topics;
  }

  add(member: MemberMetadata): void {
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** Protocols every member supports, in the first member's order. */
  private commonProtocols(): string[] {
    const all = [...this.members.values()];
    const first = all[0];
    if (!first) return [];
    return first.protocols
      .map((p) => p.name)
      .filter((name) => all.every((m) => m.protocols.some((q) => q.name === name)));
  }

  /** Whether a member offering `protocols` of `protocolType` can join (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const common = new Set(this.commonProtocols());
    return protocols.some((p) => common.has(p.name));
  }

  /**
   * Kafka's selectProtocol: each member votes for the first protocol in its own list that every member supports;
   * the most votes win, ties going to the earlier protocol in the first member's list.
   */
  selectProtocol(): string {
    const candidates = this.commonProtocols();
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** Every member has rejoined (members given an id with MEMBER_ID_REQUIRED are not waited for, as in Kafka). */
  get allMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  /** The longest rebalance timeout of the members (the time a rebalance may take). */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }
}
