/**
 * The console's HTTP API as types: what each JSON endpoint answers and accepts. Shared by the server
 * (lib/console) and the browser code (lib/console/web), which imports it for types only, so the two cannot drift.
 * The browser's type check (lib/console/web/tsconfig.json, DOM and no Node) reads it and what it imports, so it
 * imports only type files that import nothing themselves: the client's described config (`ConfigEntry`) and offset
 * reset spec (`ResetSpec`), which the API answers and accepts as they are.
 *
 * Conventions: offsets and sizes are numbers (JavaScript integers are exact to 2^53, far past any offset a log
 * reaches here); times are ms since the epoch; `null` means "not known" (a broker that did not answer, a
 * partition without a commit), never zero. Record keys, values and header values travel as base64 so that any
 * bytes survive; the browser decodes them as text, JSON or hex.
 */
import type { ConfigEntry } from '../client/admin/config-entry.js';
import type { ResetSpec } from '../client/admin/reset-spec.js';

/**
 * A broker as the console sees it: `online` (registered in ZooKeeper and answering), `unreachable` (registered
 * but not answering: killed, frozen or cut off, until its ZooKeeper session expires), `offline` (known from
 * earlier or from a replica list, but no longer registered).
 */
export type BrokerStatus = 'online' | 'unreachable' | 'offline';

export interface BrokerView {
  id: number;
  host: string | null;
  port: number | null;
  rack: string | null;
  status: BrokerStatus;
  isController: boolean;
  /** Partitions this broker leads. */
  leaderOf: number;
  /** Partitions this broker holds a replica of without leading them. */
  followerOf: number;
  /** Partitions it leads whose ISR is smaller than their replica list (Kafka's UnderReplicatedPartitions). */
  underReplicated: number;
  /** Bytes of all replicas in its log dirs (DescribeLogDirs); null when it did not answer. */
  sizeBytes: number | null;
  /** How many APIs it serves and their version ranges (its ApiVersions answer); null when it did not answer. */
  apis: ApiVersionRange[] | null;
  /** Why it is not online. */
  problem: string | null;
}

export interface ApiVersionRange {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface PartitionView {
  partition: number;
  /** -1: no leader (offline). */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** The ISR is smaller than the replica list (Kafka's under-replicated). */
  underReplicated: boolean;
  /** Members of the ISR that are not online (they are about to leave it, or the ISR cannot shrink further). */
  isrNotOnline: number[];
  /** The leader is missing or not online: the partition takes no writes or reads now. */
  leaderDown: boolean;
}

export interface TopicSummary {
  name: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  underReplicated: number;
  /** Partitions without a leader. */
  offline: number;
  /** Partitions whose leader or an ISR member does not answer. */
  atRisk: number;
  /** Bytes of the leader replicas (one copy of the data); null when a leader's broker did not answer. */
  sizeBytes: number | null;
  /** Records appended per second over the last refreshes (from the end offsets); null until two samples. */
  messagesPerSec: number | null;
}

/** One ZooKeeper server of the ensemble, as its `srvr` command describes it. */
export interface ZooKeeperServerView {
  address: string;
  /** standalone, leader, follower or observer; null when it did not answer. */
  mode: string | null;
  version: string | null;
  latency: string | null;
  outstanding: number | null;
  znodes: number | null;
  problem: string | null;
}

export interface ZooKeeperView {
  /** host:port[,host:port][/chroot], from --zookeeper or the brokers' zookeeper.connect. */
  connect: string;
  source: string;
  /** Each server's state; null unless the console was started with --zookeeper. */
  servers: ZooKeeperServerView[] | null;
}

export interface GroupSummary {
  groupId: string;
  state: string;
  members: number;
  assignor: string;
  coordinator: number | null;
  /** Sum of the lag of the partitions it has commits for; null when unknown. */
  totalLag: number | null;
}

/** What every view starts from; pushed on each refresh over /api/events. */
export interface ClusterSnapshot {
  takenAt: number;
  refreshIntervalMs: number;
  readOnly: boolean;
  /** Console features available in this run (e.g. `zookeeper` with --zookeeper). */
  features: { zookeeper: boolean };
  clusterId: string | null;
  controllerId: number | null;
  brokers: BrokerView[];
  topics: TopicSummary[];
  totals: { topics: number; partitions: number; underReplicated: number; offline: number; atRisk: number };
  groups: GroupSummary[] | null;
  zookeeper: ZooKeeperView | null;
  /** What this refresh could not read, in words (the rest of the snapshot is still current). */
  problems: string[];
}

/** A topic's or broker's config as DescribeConfigs describes it. */
export type ConfigView = ConfigEntry;

export interface ReplicaView {
  broker: number;
  status: BrokerStatus;
  inSync: boolean;
  /** Bytes of this replica's log (DescribeLogDirs); null when its broker did not answer. */
  sizeBytes: number | null;
  /** How far its log end is behind the high watermark (DescribeLogDirs); null when unknown. */
  lagBehindHighWatermark: number | null;
}

export interface PartitionDetail extends PartitionView {
  /** First offset still in the log; null when the leader did not answer. */
  logStartOffset: number | null;
  /** The high watermark: the end consumers read up to. */
  highWatermark: number | null;
  /** The last stable offset (the end for read_committed readers). */
  lastStableOffset: number | null;
  replicaDetails: ReplicaView[];
}

export interface Point {
  t: number;
  v: number;
}

export interface TopicDetail {
  name: string;
  internal: boolean;
  partitions: PartitionDetail[];
  configs: ConfigView[];
  /** Records appended per second over the console's history window. */
  rate: Point[];
}

export interface SegmentEstimate {
  /** segment.bytes of the topic. */
  segmentBytes: number | null;
  /** ceil(size / segment.bytes) of the leader replica: the fewest segments that hold its bytes. */
  atLeast: number | null;
}

export interface PartitionPage {
  topic: string;
  internal: boolean;
  detail: PartitionDetail;
  segments: SegmentEstimate;
}

/** Bytes as base64; `size` is the full length, `truncated` says only the first bytes came. */
export interface Payload {
  base64: string;
  size: number;
  truncated: boolean;
}

export interface RecordView {
  offset: number;
  timestamp: number;
  key: Payload | null;
  value: Payload | null;
  headers: Array<{ key: string; value: Payload | null }>;
}

export type BrowseFrom =
  | { kind: 'offset'; offset: number }
  | { kind: 'timestamp'; timestampMs: number }
  | { kind: 'beginning' }
  | { kind: 'end' };

export type BrowseOrder = 'newest' | 'oldest';

export interface RecordPage {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  order: BrowseOrder;
  /** In display order. */
  records: RecordView[];
  /** The offsets read to find them, [from, to); equal when nothing was read. */
  scanned: { from: number; to: number; count: number };
  /** Where to continue in the same direction; null at the log's start (newest first) or end (oldest first). */
  next: number | null;
  /** The key filter, when one was given. */
  keyFilter: string | null;
}

export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: number;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset; null without one. */
  committed: number | null;
  endOffset: number | null;
  /** endOffset - committed; null when either is unknown. */
  lag: number | null;
  /** How old the first record the group has not read is (now - its timestamp); 0 when it is caught up. */
  timeLagMs: number | null;
  owner: string | null;
}

export interface GroupMemberView {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: Array<{ topic: string; partition: number }>;
}

export interface GroupDetail {
  groupId: string;
  state: string;
  protocolType: string;
  assignor: string;
  coordinator: number | null;
  members: GroupMemberView[];
  partitions: GroupPartitionLag[];
  totalLag: number | null;
  /** Total lag at each refresh over the console's history window. */
  lagHistory: Point[];
}

export type { ResetSpec };

export interface ResetRequest {
  spec: ResetSpec;
  /** Topics to reset; null: every partition the group has a commit for. */
  topics: string[] | null;
  /** false: only the plan (a dry run); true: carry it out. */
  execute: boolean;
}

export interface ResetResult {
  groupId: string;
  executed: boolean;
  plan: Array<{ topic: string; partition: number; current: number | null; target: number }>;
}

export interface ReassignmentView {
  topic: string;
  partition: number;
  /** The replica list now (target and current replicas together while a move runs). */
  replicas: number[];
  adding: number[];
  removing: number[];
  isr: number[];
}

export interface ReassignmentsPage {
  /** Whether ZooKeeper was read (the console was started with --zookeeper). */
  fromZooKeeper: boolean;
  /** Partition moves in flight (adding/removing replicas in the topic's assignment). */
  inFlight: ReassignmentView[];
  /** A reassignment request the controller has not taken up yet (/admin/reassign_partitions). */
  requested: Array<{ topic: string; partition: number; replicas: number[] }> | null;
  /** A preferred leader election the controller has not finished (/admin/preferred_replica_election). */
  electionRequested: Array<{ topic: string; partition: number }> | null;
  /** Partitions without a leader: waiting for an election. */
  leaderless: Array<{ topic: string; partition: number; replicas: number[]; isr: number[] }>;
  /** Partitions led by a replica other than the preferred (first) one. */
  notPreferredLeader: Array<{ topic: string; partition: number; leader: number; preferred: number }>;
}

export interface NewTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ProduceRequest {
  /** null: let the partitioner choose (by key). */
  partition: number | null;
  key: string | null;
  value: string | null;
  headers: Array<{ key: string; value: string }>;
}

/** The body of every error answer. */
export interface ApiErrorBody {
  error: string;
  /** Kafka's error name when the cluster refused (TOPIC_ALREADY_EXISTS, ...). */
  errorName?: string;
}
