/**
 * Retries and dead letters for a consumer group (what Kafka users write by hand): when an eachMessage handler throws,
 * the record is sent — with its original topic, partition and offset, the error and the attempt count in headers
 * (retry-stages.ts) — to the next retry stage, as a delayed delivery back to the same partition of that stage's topic,
 * which this member reads along with the source partition; after the last stage it goes to the dead-letter topic.
 * The source partition keeps flowing meanwhile. A record sent on counts as finished (its offset may be committed)
 * once the send is acknowledged: `handle()` resolves only then.
 *
 * Ordered mode (`retry.ordered`), for keyed records: while a key has records in the stages, its later records —
 * from the source or arriving from a stage — are not handled but sent behind them, to the stage and due time where
 * they wait (OrderedRetryKeys), and handled only when the earlier ones are done (handled by a retry, or
 * dead-lettered). A record at the head of its key's line that fails moves the line to its next stage. The state of
 * each source partition is committed with its offset (commit metadata), so a member taking the partition over holds
 * back the same keys. Keyless records are never held.
 *
 * Topics: the stage topics of a source topic are created (with the source's partition count, the broker's default
 * replication factor) before its stage partitions are read (`prepare`), as is the dead-letter topic; a stage topic
 * with fewer partitions than its source is given more.
 * Concurrency: `handle` is awaited by the consumer's reader one record at a time; `prepare` may run beside it.
 * Ownership: created by a Consumer configured with retries; owns a Producer and an Admin client, closed with it.
 */
import { ApiError, toError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import type { LazyRecord as FetchedRecord } from '../../record/lazy-record.js';
import { Admin } from '../admin/admin.js';
import { Producer } from '../producer/producer.js';
import { OrderedRetryKeys } from './ordered-retry-keys.js';
import {
  retryInfoOf,
  stageTopicName,
  stageTopicSuffix,
  withRetryHeaders,
  type RetryInfo,
  type RetryStage,
} from './retry-stages.js';
import type { TopicPartitionRef } from './subscription-state.js';

export interface RetryRouterOptions {
  groupId: string;
  stages: readonly RetryStage[];
  /** The dead-letter topic; undefined: a record failing its last stage fails the reader, as without retries. */
  deadLetterTopic: string | undefined;
  ordered: boolean;
  /** Options for the producer and admin client the router makes (bootstrap.servers, client.id, ...). */
  clientOptions: Readonly<Record<string, unknown>>;
  /** Largest commit metadata the brokers take (their offset.metadata.max.bytes). */
  maxMetadataBytes: number;
  time: Time;
  logger: Logger;
}

/** What an eachMessage handler receives; `retry` is set for a record read from a retry stage. */
export interface RoutedMessage {
  topic: string;
  partition: number;
  message: FetchedRecord;
  retry?: RetryInfo;
}

export class RetryRouter {
  /** Stage topic name → its source topic and stage index. */
  private readonly stageTopics = new Map<string, { source: string; stage: number }>();
  /** Source topics whose stage topics exist (with enough partitions). */
  private readonly prepared = new Map<string, Promise<void>>();
  /** Per source partition (`topic\0partition`), in ordered mode. */
  private readonly ordered = new Map<string, OrderedRetryKeys>();
  private producer: Promise<Producer> | null = null;
  private admin: Promise<Admin> | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: RetryRouterOptions) {
    this.log = opts.logger.child({ component: 'RetryRouter', groupId: opts.groupId });
  }

  /** Whether `topic` is one of this group's retry stages or its dead-letter topic (never subscribed by pattern). */
  isRetryTopic(topic: string): boolean {
    return (
      topic === this.opts.deadLetterTopic ||
      this.opts.stages.some((s) => topic.endsWith(stageTopicSuffix(this.opts.groupId, s)))
    );
  }

  /** The stage partitions read along with these source partitions (those whose stage topics are ready). */
  stagePartitions(sources: readonly TopicPartitionRef[]): TopicPartitionRef[] {
    return sources.flatMap(({ topic, partition }) =>
      this.stageTopics.has(topic) || !this.isPrepared(topic)
        ? []
        : this.opts.stages.map((stage) => ({ topic: stageTopicName(topic, this.opts.groupId, stage), partition })),
    );
  }

  /** Whether `topic` is a source whose stage topics are ready. */
  isPrepared(topic: string): boolean {
    const stage0 = this.opts.stages[0];
    return stage0 === undefined || this.stageTopics.has(stageTopicName(topic, this.opts.groupId, stage0));
  }

  /** Creates (once) the stage topics of these source topics and the dead-letter topic. */
  prepare(sources: readonly string[]): Promise<void> {
    return Promise.all(
      sources
        .filter((t) => !this.stageTopics.has(t))
        .map((topic) => {
          let done = this.prepared.get(topic);
          if (done === undefined) {
            done = this.createStageTopics(topic);
            done.catch(() => this.prepared.delete(topic));
            this.prepared.set(topic, done);
          }
          return done;
        }),
    ).then(() => undefined);
  }

  /** A source partition was assigned: its ordered state from the metadata of its committed offset. */
  restore(tp: TopicPartitionRef, metadata: string): void {
    if (this.opts.ordered && !this.stageTopics.has(tp.topic))
      this.ordered.set(keyOf(tp), OrderedRetryKeys.decode(metadata));
  }

  /** The partition went to another member (after its last commit). */
  forget(tp: TopicPartitionRef): void {
    this.ordered.delete(keyOf(tp));
  }

  /** The commit metadata of a source partition in ordered mode (its state), else undefined. */
  metadataFor(tp: TopicPartitionRef): string | undefined {
    const state = this.ordered.get(keyOf(tp));
    if (state === undefined) return undefined;
    const { metadata, dropped } = state.encode(this.opts.maxMetadataBytes);
    if (dropped > 0) {
      this.log.warn(
        { topic: tp.topic, partition: tp.partition, dropped },
        'ordered retries: more keys wait than the commit metadata can hold; those left out are not held back by a ' +
          'member that takes the partition over',
      );
    }
    return metadata;
  }

  /**
   * Runs `handler` on a record, or holds it back (ordered mode); routes it to the next stage or the dead-letter topic
   * when the handler throws. Resolves once the record is finished; rejects when it cannot be sent on (or fails its
   * last stage without a dead-letter topic).
   */
  async handle(
    topic: string,
    partition: number,
    message: FetchedRecord,
    handler: (payload: RoutedMessage) => void | Promise<void>,
  ): Promise<void> {
    const stage = this.stageTopics.get(topic);
    const info = stage === undefined ? null : retryInfoOf(message.headers);
    const source = { topic: stage?.source ?? topic, partition };
    const state = message.key === null ? undefined : this.ordered.get(keyOf(source));
    const waiting = state?.get(message.key!);
    if (waiting !== undefined) {
      const atHead =
        stage !== undefined && info !== null && waiting.stage === stage.stage && waiting.dueMs === info.dueMs;
      if (!atHead) {
        // Behind earlier records of its key: joins them where they wait.
        await this.send(source, message, info ?? this.firstInfo(source, message), waiting.stage, waiting.dueMs);
        if (stage === undefined) waiting.count++;
        return;
      }
    }
    try {
      await handler({ topic, partition, message, ...(info === null ? {} : { retry: info }) });
      if (waiting !== undefined) state!.release(message.key!);
    } catch (e) {
      const error = toError(e);
      const attempt = (info?.attempt ?? 0) + 1;
      const next = this.opts.stages[attempt - 1];
      const base = { ...(info ?? this.firstInfo(source, message)), attempt, lastError: error.message };
      if (next !== undefined) {
        const dueMs = this.opts.time.milliseconds() + next.delayMs;
        await this.send(source, message, base, attempt - 1, dueMs);
        if (waiting !== undefined) {
          waiting.stage = attempt - 1;
          waiting.dueMs = dueMs;
        } else if (state !== undefined) {
          state.add(message.key!, attempt - 1, dueMs);
        }
        return;
      }
      if (this.opts.deadLetterTopic === undefined) throw error;
      await this.deadLetter(message, base);
      if (waiting !== undefined) state!.release(message.key!);
    }
  }

  async close(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (this.producer !== null) closing.push(this.producer.then((p) => p.close()));
    if (this.admin !== null) closing.push(this.admin.then((a) => a.close()));
    await Promise.allSettled(closing);
  }

  private firstInfo(source: TopicPartitionRef, message: FetchedRecord): RetryInfo {
    return {
      attempt: 0,
      originalTopic: source.topic,
      originalPartition: source.partition,
      originalOffset: message.offset,
      lastError: '',
      dueMs: -1,
    };
  }

  /** Sends a record to stage `stage` of its source partition, to be delivered at `dueMs`; resolves once stored. */
  private async send(
    source: TopicPartitionRef,
    message: FetchedRecord,
    info: RetryInfo,
    stage: number,
    dueMs: number,
  ): Promise<void> {
    const producer = await this.producerNow();
    await producer.send({
      topic: stageTopicName(source.topic, this.opts.groupId, this.opts.stages[stage]!),
      partition: source.partition,
      key: message.key,
      value: message.value,
      headers: withRetryHeaders(message.headers, { ...info, groupId: this.opts.groupId, dueMs }),
      deliverAt: dueMs,
    });
  }

  private async deadLetter(message: FetchedRecord, info: RetryInfo): Promise<void> {
    const producer = await this.producerNow();
    await producer.send({
      topic: this.opts.deadLetterTopic!,
      key: message.key,
      value: message.value,
      headers: withRetryHeaders(message.headers, { ...info, groupId: this.opts.groupId, dueMs: null }),
      timestamp: message.timestamp,
    });
    this.log.warn(
      {
        topic: info.originalTopic,
        partition: info.originalPartition,
        offset: info.originalOffset,
        attempt: info.attempt,
      },
      `a record failed its last retry; sent to the dead-letter topic ${this.opts.deadLetterTopic}`,
    );
  }

  private producerNow(): Promise<Producer> {
    if (this.producer === null) {
      const producer = new Producer({ ...this.opts.clientOptions, acks: 'all' });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => {
        this.producer = null;
      });
    }
    return this.producer;
  }

  private adminNow(): Promise<Admin> {
    if (this.admin === null) {
      const admin = new Admin(this.opts.clientOptions);
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => {
        this.admin = null;
      });
    }
    return this.admin;
  }

  private async createStageTopics(source: string): Promise<void> {
    const admin = await this.adminNow();
    const names = this.opts.stages.map((s) => stageTopicName(source, this.opts.groupId, s));
    const existing = new Set(await admin.listTopics());
    const [described] = await admin.describeTopics([source]);
    const partitions = described!.partitions.length;
    const wanted = [...names, ...(this.opts.deadLetterTopic === undefined ? [] : [this.opts.deadLetterTopic])];
    for (const name of wanted) {
      if (!existing.has(name)) {
        const numPartitions = name === this.opts.deadLetterTopic ? {} : { numPartitions: partitions };
        await admin.createTopics([{ name, ...numPartitions }]).catch((e: unknown) => {
          if (!(e instanceof ApiError && e.errorName === 'TOPIC_ALREADY_EXISTS')) throw e;
        });
      }
    }
    const stages = await admin.describeTopics(names);
    const short = stages.filter((t) => t.partitions.length < partitions);
    if (short.length > 0) {
      await admin.createPartitions(short.map((t) => ({ topic: t.name, count: partitions })));
    }
    names.forEach((name, stage) => this.stageTopics.set(name, { source, stage }));
    this.log.info({ source, stages: names, deadLetterTopic: this.opts.deadLetterTopic }, 'retry stages ready');
  }
}

function keyOf(tp: TopicPartitionRef): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
