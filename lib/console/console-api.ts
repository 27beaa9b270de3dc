/**
 * What each console endpoint does, over the Admin client, a Producer (test records, made on first use) and
 * short-lived Consumers (`RecordReader`), plus the monitor's latest view of the cluster. Every method takes typed,
 * validated input (console-requests.ts) and returns a JSON shape of api-types.ts; the HTTP routing is in
 * console-server.ts.
 *
 * Changes (create/delete topics, add partitions, replace a topic's config overrides, reset a group's offsets,
 * produce a test record) are refused with 403 in read-only mode, before anything is sent. Offset resets follow
 * kafka-consumer-groups: a plan is computed and shown without changing anything unless `execute` is set, and is
 * carried out only for a group without active members.
 *
 * Concurrency: methods run concurrently, one per request; they share the Admin client (safe for concurrent calls)
 * and the producer (created once: concurrent first uses await the same connection).
 */
import type { Admin, TopicDescription } from '../client/admin/admin.js';
import { planGroupReset } from '../client/admin/offset-reset.js';
import { Producer } from '../client/producer/producer.js';
import type { Logger } from '../common/logger.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import type {
  ClusterSnapshot,
  ConfigView,
  GroupDetail,
  NewTopicRequest,
  PartitionDetail,
  PartitionPage,
  ProducedRecord,
  ProduceRequest,
  ReassignmentsPage,
  RecordPage,
  ResetRequest,
  ResetResult,
  TopicDetail,
} from './api-types.js';
import { partitionView } from './cluster-health.js';
import type { ClusterMonitor } from './cluster-monitor.js';
import { ConsoleError } from './console-errors.js';
import type { ResolvedConsoleOptions } from './console-options.js';
import { partitionLags, totalLag, tpKey } from './group-lag.js';
import { offsetsByLeader } from './partition-offsets.js';
import { readZooKeeperReassignments, reassignmentsPage } from './reassignments.js';
import { browse, type BrowseRequest } from './record-browser.js';
import { withRecordReader } from './record-reader.js';

/** How long reading records or the first unread records of a group may take. Unit: ms. */
const READ_TIMEOUT_MS = 5000;
/** How long a topic unknown to the broker asked may still be one that is on its way from ZooKeeper. Unit: ms. */
const TOPIC_PROPAGATION_MS = 2000;

export class ConsoleApi {
  private producer: Promise<Producer> | null = null;

  constructor(
    private readonly admin: Admin,
    private readonly monitor: ClusterMonitor,
    private readonly zk: KafkaZkClient | null,
    private readonly options: ResolvedConsoleOptions,
    private readonly logger: Logger,
  ) {}

  snapshot(): ClusterSnapshot {
    const s = this.monitor.snapshot();
    if (s === null) throw new ConsoleError(503, 'The console has not read the cluster yet; try again in a moment.');
    return s;
  }

  async topicDetail(name: string): Promise<TopicDetail> {
    const [topic, [configs]] = await Promise.all([
      this.describeTopic(name),
      this.admin.describeConfigs([{ type: 'topic', name }], { timeoutMs: this.timeoutMs }),
    ]);
    return {
      name,
      internal: topic.isInternal,
      partitions: await this.partitionDetails(topic),
      configs: configs!.configs,
      rate: this.monitor.topicRates(name),
    };
  }

  async partitionPage(topic: string, partition: number): Promise<PartitionPage> {
    const description = await this.describeTopic(topic);
    const one = description.partitions.find((p) => p.partition === partition);
    if (one === undefined) {
      throw new ConsoleError(
        404,
        `Topic '${topic}' has partitions 0-${description.partitions.length - 1}; there is no partition ${partition}.`,
      );
    }
    const [[detail], [configs]] = await Promise.all([
      this.partitionDetails({ ...description, partitions: [one] }),
      this.admin.describeConfigs([{ type: 'topic', name: topic, keys: ['segment.bytes'] }], {
        timeoutMs: this.timeoutMs,
      }),
    ]);
    const segmentBytes = Number(configs?.configs.find((c) => c.name === 'segment.bytes')?.value ?? NaN);
    const leaderSize = detail!.replicaDetails.find((r) => r.broker === detail!.leader)?.sizeBytes ?? null;
    return {
      topic,
      internal: description.isInternal,
      detail: detail!,
      segments: {
        segmentBytes: Number.isFinite(segmentBytes) ? segmentBytes : null,
        atLeast:
          leaderSize === null || !Number.isFinite(segmentBytes)
            ? null
            : Math.max(1, Math.ceil(leaderSize / segmentBytes)),
      },
    };
  }

  async browseRecords(topic: string, partition: number, req: BrowseRequest): Promise<RecordPage> {
    const tp = { topic, partition };
    const [start, end, atTime] = await Promise.all([
      this.admin.listOffsets([{ ...tp, spec: 'earliest' }], { timeoutMs: this.timeoutMs }),
      this.admin.listOffsets([{ ...tp, spec: 'latest' }], { timeoutMs: this.timeoutMs }),
      req.from.kind === 'timestamp'
        ? this.admin.listOffsets([{ ...tp, spec: req.from.timestampMs }], { timeoutMs: this.timeoutMs })
        : Promise.resolve(null),
    ]);
    const bounds = { logStartOffset: start[0]!.offset, highWatermark: end[0]!.offset };
    return withRecordReader(this.options.clientProperties, this.logger, (reader) =>
      browse(reader, tp, req, bounds, atTime === null ? null : atTime[0]!.offset, READ_TIMEOUT_MS),
    );
  }

  async createTopic(req: NewTopicRequest): Promise<void> {
    this.checkWritable('create topics');
    await this.admin.createTopics(
      [
        {
          name: req.name,
          numPartitions: req.partitions,
          replicationFactor: req.replicationFactor,
          configs: req.configs,
        },
      ],
      { timeoutMs: this.timeoutMs },
    );
  }

  async addPartitions(topic: string, count: number): Promise<void> {
    this.checkWritable('add partitions');
    await this.admin.createPartitions([{ topic, count }], { timeoutMs: this.timeoutMs });
  }

  /** Replaces the topic's config overrides with `configs` (Kafka's AlterConfigs: keys left out go back to default). */
  async setTopicConfigs(topic: string, configs: Record<string, string>): Promise<void> {
    this.checkWritable('change topic configs');
    await this.admin.alterConfigs([{ type: 'topic', name: topic, configs }], { timeoutMs: this.timeoutMs });
  }

  async deleteTopic(topic: string): Promise<void> {
    this.checkWritable('delete topics');
    await this.admin.deleteTopics([topic], { timeoutMs: this.timeoutMs });
  }

  async produce(topic: string, req: ProduceRequest): Promise<ProducedRecord> {
    this.checkWritable('produce records');
    const producer = await this.connectedProducer();
    const sent = await producer.send({
      topic,
      key: req.key,
      value: req.value,
      headers: req.headers,
      ...(req.partition === null ? {} : { partition: req.partition }),
    });
    return { topic, partition: sent.partition, offset: sent.offset };
  }

  async brokerConfigs(brokerId: number): Promise<ConfigView[]> {
    const [described] = await this.admin.describeConfigs([{ type: 'broker', name: String(brokerId) }], {
      timeoutMs: this.timeoutMs,
    });
    return described!.configs;
  }

  async groupDetail(groupId: string): Promise<GroupDetail> {
    const [[group], committed] = await Promise.all([
      this.admin.describeConsumerGroups([groupId], { timeoutMs: this.timeoutMs }),
      this.admin.listConsumerGroupOffsets(groupId, undefined, { timeoutMs: this.timeoutMs }),
    ]);
    if (group!.state === 'Dead') throw new ConsoleError(404, `Consumer group '${groupId}' does not exist.`);
    const leaders = new Map<string, number>();
    for (const t of this.monitor.topics())
      for (const p of t.partitions) leaders.set(tpKey(t.name, p.partition), p.leader);
    const unread = partitionLags(group!, committed, new Map());
    const ends = await offsetsByLeader(
      this.admin,
      unread.map((r) => ({ ...r, leader: leaders.get(tpKey(r.topic, r.partition)) ?? -1 })),
      'latest',
      { online: (id) => this.monitor.status(id) === 'online', timeoutMs: this.timeoutMs },
    );
    const lagging = partitionLags(group!, committed, ends.offsets).filter((r) => r.lag !== null && r.lag > 0);
    const firstUnread = await withRecordReader(this.options.clientProperties, this.logger, (reader) =>
      reader.firstTimestamps(
        lagging.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.committed! })),
        READ_TIMEOUT_MS,
      ),
    );
    const partitions = partitionLags(group!, committed, ends.offsets, firstUnread, Date.now());
    return {
      groupId,
      state: group!.state,
      protocolType: group!.protocolType,
      assignor: group!.partitionAssignor,
      coordinator: group!.coordinator,
      members: group!.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: m.assignment.map((a) => ({ topic: a.topic, partition: a.partition })),
      })),
      partitions,
      totalLag: totalLag(partitions),
      lagHistory: this.monitor.groupLagHistory(groupId),
    };
  }

  /** The reset plan of a group; carried out only with `execute` (and only while the group has no active members). */
  async resetOffsets(groupId: string, req: ResetRequest): Promise<ResetResult> {
    if (req.execute) this.checkWritable('reset offsets');
    const [group] = await this.admin.describeConsumerGroups([groupId], { timeoutMs: this.timeoutMs });
    if (req.execute && group!.state !== 'Empty' && group!.state !== 'Dead') {
      throw new ConsoleError(
        409,
        `Offsets can only be reset while group '${groupId}' has no active members; it is ${group!.state}. ` +
          'Stop its consumers first.',
      );
    }
    const scope =
      req.topics === null
        ? ('committed' as const)
        : (await this.admin.describeTopics(req.topics, { timeoutMs: this.timeoutMs })).flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
          );
    const plan = await planGroupReset(this.admin, groupId, req.spec, scope, { timeoutMs: this.timeoutMs });
    if (req.execute && plan.length > 0)
      await this.admin.alterConsumerGroupOffsets(groupId, plan, { timeoutMs: this.timeoutMs });
    return {
      groupId,
      executed: req.execute,
      plan: plan.map((p) => ({ topic: p.topic, partition: p.partition, current: p.current, target: p.offset })),
    };
  }

  async reassignments(): Promise<ReassignmentsPage> {
    const topics = this.monitor.topics();
    const fromZooKeeper =
      this.zk === null
        ? null
        : await readZooKeeperReassignments(
            this.zk,
            topics.map((t) => t.name),
          );
    return reassignmentsPage(topics, fromZooKeeper);
  }

  /** Closes the producer if one was made. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer !== null) await (await producer.catch(() => null))?.close();
  }

  private get timeoutMs(): number {
    return Math.max(5000, this.options.refreshIntervalMs);
  }

  /**
   * The topic as the brokers describe it. Each broker reads a new topic from ZooKeeper on its own, so the one asked
   * may not know a topic created a moment ago (Kafka's brokers have the same window): UNKNOWN_TOPIC_OR_PARTITION is
   * asked again for up to TOPIC_PROPAGATION_MS before it becomes a 404.
   */
  private async describeTopic(name: string): Promise<TopicDescription> {
    const deadline = Date.now() + TOPIC_PROPAGATION_MS;
    for (;;) {
      try {
        const [topic] = await this.admin.describeTopics([name], { timeoutMs: this.timeoutMs });
        return topic!;
      } catch (e) {
        const unknown = (e as { errorName?: string }).errorName === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (!unknown || Date.now() >= deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private async partitionDetails(topic: TopicDescription): Promise<PartitionDetail[]> {
    const led = topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition, leader: p.leader }));
    const ask = { online: (id: number) => this.monitor.status(id) === 'online', timeoutMs: this.timeoutMs };
    const [starts, ends, stable] = await Promise.all([
      offsetsByLeader(this.admin, led, 'earliest', ask),
      offsetsByLeader(this.admin, led, 'latest', ask),
      offsetsByLeader(this.admin, led, 'latest', { ...ask, readCommitted: true }),
    ]);
    const status = (id: number) => this.monitor.status(id);
    return topic.partitions.map((p) => {
      const key = tpKey(topic.name, p.partition);
      return {
        ...partitionView(p, status),
        logStartOffset: starts.offsets.get(key) ?? null,
        highWatermark: ends.offsets.get(key) ?? null,
        lastStableOffset: stable.offsets.get(key) ?? null,
        replicaDetails: p.replicas.map((broker) => {
          const dir = this.monitor.replicaLogDir(broker, topic.name, p.partition);
          return {
            broker,
            status: status(broker),
            inSync: p.isr.includes(broker),
            sizeBytes: dir?.sizeBytes ?? null,
            lagBehindHighWatermark: dir?.offsetLag ?? null,
          };
        }),
      };
    });
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = new Producer({
        ...this.options.clientProperties,
        'client.id': this.options.clientProperties['client.id'] ?? 'mq-console',
        logger: this.logger,
      });
      await producer.connect();
      return producer;
    })().catch((e: unknown) => {
      this.producer = null;
      throw e;
    });
    return this.producer;
  }

  private checkWritable(what: string): void {
    if (this.options.readOnly)
      throw new ConsoleError(403, `The console runs with --read-only: it cannot ${what}. Restart it without the flag.`);
  }
}
