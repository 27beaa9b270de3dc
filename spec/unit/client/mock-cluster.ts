/**
 * An in-memory cluster of mock brokers for client specs: real `SocketServer`s on loopback speaking our protocol,
 * sharing one in-memory state (topics, partition leaders, logs as lists of stamped record batches).
 *
 * It implements just enough of each API for the client: Metadata, Produce (acks 0/1/-1; idempotent batches are
 * checked and deduplicated by the broker's own ProducerStateManager), InitProducerId, Fetch (long poll up to
 * maxWaitMs), ListOffsets (earliest, latest, by timestamp), CreateTopics, DeleteTopics, CreatePartitions,
 * DescribeConfigs, AlterConfigs, DescribeCluster. Specs steer it: `moveLeader()`, `failNext()` (answer the next
 * matching partition requests with an error code), `loseNextResponse()` (append, then close the connection instead
 * of answering), `forgetProducers()`, `stop()`/`restart()` a broker, `silence()` one (it reads requests and never
 * answers: a hung or partitioned broker), and `requests` (what each broker received, in order).
 */
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { RequestHeader } from '../../../lib/protocol/request-header.js';
import type {
  CreateTopicsRequest,
  FetchRequest,
  ListOffsetsRequest,
  MetadataRequest,
  ProduceRequest,
  ProduceResponse,
  FetchResponse,
} from '../../../lib/protocol/messages/index.js';
import { ApiError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { ProducerStateManager } from '../../../lib/log/producer-state-manager.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import {
  batchSizeAt,
  lastOffsetDeltaOf,
  stampBatch,
  maxTimestampOf,
  validateBatch,
} from '../../../lib/record/record-batch.js';
import { SocketServer } from '../../../lib/network/socket-server.js';
import { Producer } from '../../../lib/client/producer/producer.js';
import type { ProducerOptions } from '../../../lib/client/producer/producer-options.js';
import type { RequestContext } from '../../../lib/network/request-context.js';
import { defer } from '../../helpers/cleanup.js';

export interface MockPartition {
  leader: number;
  leaderEpoch: number;
  batches: Buffer[];
  baseOffsets: number[];
  logStartOffset: number;
  nextOffset: number;
  /** What the leader knows of idempotent producers (the broker's own class; no snapshots are written). */
  producers: ProducerStateManager;
}

export interface MockTopic {
  partitions: MockPartition[];
  configs: Map<string, string>;
}

export interface ReceivedRequest {
  nodeId: number;
  apiKey: number;
  body: unknown;
}

interface Fault {
  /** -1: append, then close the connection without answering. */
  apiKey: number;
  topic: string;
  partition: number;
  errorCode: number;
  remaining: number;
}

export class MockCluster {
  readonly topics = new Map<string, MockTopic>();
  readonly requests: ReceivedRequest[] = [];
  controllerId = 0;
  autoCreateTopics = false;
  /** Brokers that receive requests and never answer them. */
  readonly silenced = new Set<number>();
  private readonly servers = new Map<number, SocketServer>();
  private readonly ports = new Map<number, number>();
  private readonly faults: Fault[] = [];
  private appendWaiters: Array<() => void> = [];
  private nextProducerId = 1000;

  private constructor(readonly brokerIds: number[]) {}

  static async start(brokerCount = 1): Promise<MockCluster> {
    const cluster = defer(new MockCluster(Array.from({ length: brokerCount }, (_, i) => i)), (c) => c.stop());
    for (const id of cluster.brokerIds) await cluster.startBroker(id);
    return cluster;
  }

  /** `host:port` of every broker, for 'bootstrap.servers'. */
  get bootstrap(): string {
    return [...this.ports.values()].map((p) => `127.0.0.1:${p}`).join(',');
  }

  createTopic(
    name: string,
    partitions: number,
    leaderOf: (partition: number) => number = (p) => p % this.brokerIds.length,
  ): void {
    this.topics.set(name, {
      partitions: Array.from({ length: partitions }, (_, p) => newPartition(name, p, leaderOf(p))),
      configs: new Map(),
    });
  }

  partition(topic: string, partition: number): MockPartition {
    const p = this.topics.get(topic)?.partitions[partition];
    if (p === undefined) throw new Error(`mock: no partition ${topic}-${partition}`);
    return p;
  }

  moveLeader(topic: string, partition: number, leader: number): void {
    const p = this.partition(topic, partition);
    p.leader = leader;
    p.leaderEpoch++;
  }

  /** Answers the next `times` requests of `apiKey` for the partition with `errorCode`. */
  failNext(apiKey: number, topic: string, partition: number, errorCode: number, times = 1): void {
    this.faults.push({ apiKey, topic, partition, errorCode, remaining: times });
  }

  /** Appends the next `times` produce requests of the partition, then closes the connection instead of answering. */
  loseNextResponse(topic: string, partition: number, times = 1): void {
    this.faults.push({ apiKey: -1, topic, partition, errorCode: ErrorCode.NETWORK_EXCEPTION, remaining: times });
  }

  /** Forgets every producer of the partition, as a broker whose producer state expired would. */
  forgetProducers(topic: string, partition: number): void {
    const p = this.partition(topic, partition);
    p.producers.removeExpiredProducers(Number.MAX_SAFE_INTEGER);
  }

  /** Appends a batch built by a spec directly to a partition's log; returns its base offset. */
  appendBatch(topic: string, partition: number, batch: Buffer): number {
    const p = this.partition(topic, partition);
    const copy = Buffer.from(batch);
    const baseOffset = p.nextOffset;
    stampBatch(copy, 0, baseOffset, p.leaderEpoch);
    p.batches.push(copy);
    p.baseOffsets.push(baseOffset);
    p.nextOffset = baseOffset + lastOffsetDeltaOf(copy) + 1;
    p.producers.updateFromBatch(copy, 0, p.nextOffset - 1, 'Client');
    p.producers.updateMapEndOffset(p.nextOffset);
    const waiters = this.appendWaiters;
    this.appendWaiters = [];
    for (const w of waiters) w();
    return baseOffset;
  }

  async stopBroker(id: number): Promise<void> {
    const server = this.servers.get(id);
    this.servers.delete(id);
    await server?.close();
  }

  async startBroker(id: number): Promise<void> {
    const server = new SocketServer({
      host: '127.0.0.1',
      port: this.ports.get(id) ?? 0,
      shutdownTimeoutMs: 200,
      handler: (ctx, header, body) => this.handle(id, ctx, header, body),
    });
    await server.start();
    this.servers.set(id, server);
    this.ports.set(id, server.port);
  }

  async stop(): Promise<void> {
    for (const w of this.appendWaiters.splice(0)) w();
    await Promise.all([...this.servers.keys()].map((id) => this.stopBroker(id)));
  }

  /** Every record value of a partition, decoded, in offset order. */
  values(topic: string, partition: number): string[] {
    const out: string[] = [];
    for (const b of this.partition(topic, partition).batches) {
      for (const view of iterateBatches(b)) for (const r of view.records()) out.push(r.value?.toString() ?? '<null>');
    }
    return out;
  }

  private takeFault(apiKey: number, topic: string, partition: number): number {
    const fault = this.faults.find((f) => f.apiKey === apiKey && f.topic === topic && f.partition === partition);
    if (fault === undefined) return 0;
    if (--fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault.errorCode;
  }

  private async handle(
    nodeId: number,
    _ctx: RequestContext,
    header: RequestHeader,
    body: unknown,
  ): Promise<object | null> {
    this.requests.push({ nodeId, apiKey: header.apiKey, body });
    if (this.silenced.has(nodeId)) return new Promise(() => {});
    switch (header.apiKey) {
      case ApiKey.Metadata:
        return this.metadata(body as MetadataRequest);
      case ApiKey.Produce:
        return this.produce(nodeId, _ctx, body as ProduceRequest);
      case ApiKey.InitProducerId:
        return { throttleTimeMs: 0, errorCode: 0, producerId: this.nextProducerId++, producerEpoch: 0 };
      case ApiKey.Fetch:
        return this.fetch(nodeId, body as FetchRequest);
      case ApiKey.ListOffsets:
        return this.listOffsets(nodeId, body as ListOffsetsRequest);
      case ApiKey.CreateTopics:
        return this.createTopics(nodeId, body as CreateTopicsRequest);
      case ApiKey.DeleteTopics: {
        const b = body as { topicNames: string[] };
        return {
          throttleTimeMs: 0,
          responses: b.topicNames.map((name) => {
            if (nodeId !== this.controllerId) return { name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null };
            const existed = this.topics.delete(name);
            return { name, errorCode: existed ? 0 : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
          }),
        };
      }
      case ApiKey.CreatePartitions: {
        const b = body as { topics: Array<{ name: string; count: number }> };
        return {
          throttleTimeMs: 0,
          results: b.topics.map(({ name, count }) => {
            const t = this.topics.get(name);
            if (t === undefined) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
            if (count <= t.partitions.length)
              return { name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `already ${t.partitions.length}` };
            for (let p = t.partitions.length; p < count; p++)
              t.partitions.push(newPartition(name, p, p % this.brokerIds.length));
            return { name, errorCode: 0, errorMessage: null };
          }),
        };
      }
      case ApiKey.DescribeConfigs: {
        const b = body as {
          resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
        };
        return {
          throttleTimeMs: 0,
          results: b.resources.map((r) => {
            const t = this.topics.get(r.resourceName);
            const configs =
              t === undefined
                ? []
                : [...t.configs]
                    .filter(([k]) => r.configurationKeys === null || r.configurationKeys.includes(k))
                    .map(([name, value]) => ({
                      name,
                      value,
                      readOnly: false,
                      configSource: 1,
                      isSensitive: false,
                      synonyms: [],
                      configType: 2,
                      documentation: null,
                    }));
            return {
              errorCode: t === undefined && r.resourceType === 2 ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
              errorMessage: null,
              resourceType: r.resourceType,
              resourceName: r.resourceName,
              configs,
            };
          }),
        };
      }
      case ApiKey.AlterConfigs: {
        const b = body as {
          resources: Array<{
            resourceType: number;
            resourceName: string;
            configs: Array<{ name: string; value: string | null }>;
          }>;
        };
        return {
          throttleTimeMs: 0,
          responses: b.resources.map((r) => {
            const t = this.topics.get(r.resourceName);
            if (t !== undefined) {
              t.configs.clear();
              for (const c of r.configs) if (c.value !== null) t.configs.set(c.name, c.value);
            }
            return {
              errorCode: t === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0,
              errorMessage: null,
              resourceType: r.resourceType,
              resourceName: r.resourceName,
            };
          }),
        };
      }
      case ApiKey.DescribeCluster:
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          clusterId: 'mock-cluster',
          controllerId: this.controllerId,
          brokers: this.brokerList().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: null })),
          clusterAuthorizedOperations: -2147483648,
        };
      default:
        return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'mock does not serve this API' };
    }
  }

  private brokerList(): Array<{ nodeId: number; host: string; port: number; rack: null }> {
    return [...this.ports].map(([nodeId, port]) => ({ nodeId, host: '127.0.0.1', port, rack: null }));
  }

  private metadata(req: MetadataRequest): object {
    const names = req.topics === null ? [...this.topics.keys()] : req.topics.map((t) => t.name);
    return {
      throttleTimeMs: 0,
      brokers: this.brokerList(),
      clusterId: 'mock-cluster',
      controllerId: this.controllerId,
      topics: names.map((name) => {
        if (!this.topics.has(name) && this.autoCreateTopics && req.allowAutoTopicCreation) this.createTopic(name, 1);
        const t = this.topics.get(name);
        if (t === undefined)
          return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
        return {
          errorCode: 0,
          name,
          isInternal: false,
          partitions: t.partitions.map((p, i) => ({
            errorCode: 0,
            partitionIndex: i,
            leaderId: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: [p.leader],
            isrNodes: [p.leader],
            offlineReplicas: [],
          })),
        };
      }),
    };
  }

  private produce(nodeId: number, ctx: RequestContext, req: ProduceRequest): ProduceResponse | null {
    let lose = false;
    const responses = req.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map(({ index, records }) => {
        const result = {
          index,
          errorCode: 0,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: 0,
          recordErrors: [],
          errorMessage: null,
        };
        const p = this.topics.get(t.name)?.partitions[index];
        const fault = this.takeFault(ApiKey.Produce, t.name, index);
        if (p === undefined) return { ...result, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (p.leader !== nodeId) return { ...result, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
        if (fault !== 0) return { ...result, errorCode: fault };
        lose ||= this.takeFault(-1, t.name, index) !== 0;
        const info = validateBatch(records);
        if (info.producerId >= 0) {
          const duplicate = p.producers.findDuplicate(info);
          if (duplicate !== null) return { ...result, baseOffset: duplicate.firstOffset };
          try {
            p.producers.checkClientBatch(info);
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            return { ...result, errorCode: e.errorCode, errorMessage: e.message };
          }
        }
        return { ...result, baseOffset: this.appendBatch(t.name, index, records), logStartOffset: p.logStartOffset };
      }),
    }));
    if (lose) {
      ctx.closeConnectionAfterResponse = true;
      return null;
    }
    return req.acks === 0 ? null : { responses, throttleTimeMs: 0 };
  }

  private async fetch(nodeId: number, req: FetchRequest): Promise<FetchResponse> {
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      const response = this.fetchNow(nodeId, req);
      let bytes = 0;
      let errors = false;
      for (const t of response.responses)
        for (const p of t.partitions) {
          bytes += p.records.length;
          errors ||= p.errorCode !== 0;
        }
      const remaining = deadline - Date.now();
      if (bytes >= Math.max(req.minBytes, 1) || errors || remaining <= 0 || this.servers.get(nodeId) === undefined)
        return response;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.appendWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private fetchNow(nodeId: number, req: FetchRequest): FetchResponse {
    let budget = req.maxBytes;
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((fp) => {
          const base = {
            partitionIndex: fp.partition,
            errorCode: 0,
            highWatermark: -1,
            lastStableOffset: -1,
            logStartOffset: -1,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: Buffer.alloc(0),
          };
          const p = this.topics.get(t.topic)?.partitions[fp.partition];
          const fault = this.takeFault(ApiKey.Fetch, t.topic, fp.partition);
          if (p === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if (p.leader !== nodeId) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          if (fault !== 0) return { ...base, errorCode: fault };
          const marks = {
            highWatermark: p.nextOffset,
            lastStableOffset: p.nextOffset,
            logStartOffset: p.logStartOffset,
          };
          if (fp.fetchOffset < p.logStartOffset || fp.fetchOffset > p.nextOffset) {
            return { ...base, ...marks, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
          }
          const chosen: Buffer[] = [];
          let size = 0;
          for (let i = 0; i < p.batches.length; i++) {
            const b = p.batches[i]!;
            if (p.baseOffsets[i]! + lastOffsetDeltaOf(b) < fp.fetchOffset) continue;
            if (chosen.length > 0 && (size + b.length > fp.partitionMaxBytes || size + b.length > budget)) break;
            chosen.push(b);
            size += batchSizeAt(b);
          }
          budget -= size;
          return { ...base, ...marks, records: Buffer.concat(chosen) };
        }),
      })),
    };
  }

  private listOffsets(nodeId: number, req: ListOffsetsRequest): object {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partitionIndex, timestamp }) => {
          const p = this.topics.get(t.name)?.partitions[partitionIndex];
          const base = { partitionIndex, errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1 };
          if (p === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          if (p.leader !== nodeId) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          if (timestamp === -2) return { ...base, offset: p.logStartOffset, leaderEpoch: p.leaderEpoch };
          if (timestamp === -1) return { ...base, offset: p.nextOffset, leaderEpoch: p.leaderEpoch };
          for (const b of p.batches) {
            if (maxTimestampOf(b) < timestamp) continue;
            for (const view of iterateBatches(b)) {
              for (const r of view.records())
                if (r.timestamp >= timestamp) return { ...base, offset: r.offset, timestamp: r.timestamp };
            }
          }
          return base;
        }),
      })),
    };
  }

  private createTopics(nodeId: number, req: CreateTopicsRequest): object {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const base = { name: t.name, errorMessage: null, numPartitions: -1, replicationFactor: -1 };
        if (nodeId !== this.controllerId) return { ...base, errorCode: ErrorCode.NOT_CONTROLLER };
        if (this.topics.has(t.name))
          return {
            ...base,
            errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
            errorMessage: `Topic '${t.name}' already exists.`,
          };
        const partitions = t.numPartitions === -1 ? 1 : t.numPartitions;
        if (!req.validateOnly) {
          this.createTopic(t.name, partitions);
          for (const c of t.configs) if (c.value !== null) this.topics.get(t.name)!.configs.set(c.name, c.value);
        }
        return { ...base, errorCode: 0, numPartitions: partitions, replicationFactor: 1 };
      }),
    };
  }
}

function newPartition(topic: string, partition: number, leader: number): MockPartition {
  return {
    leader,
    leaderEpoch: 0,
    batches: [],
    baseOffsets: [],
    logStartOffset: 0,
    nextOffset: 0,
    producers: new ProducerStateManager({
      dir: `/nonexistent/mock-cluster/${topic}-${partition}`,
      topicPartition: { topic, partition },
      logger: silentLogger,
    }),
  };
}

/** A Producer connected to `cluster` (retry.backoff.ms 5 unless given), closed after the test. */
export async function connectedProducer(cluster: MockCluster, options: ProducerOptions = {}): Promise<Producer> {
  const producer = defer(
    new Producer({ 'bootstrap.servers': cluster.bootstrap, 'retry.backoff.ms': 5, ...options }),
    (p) => p.close({ timeoutMs: 1000 }),
  );
  await producer.connect();
  return producer;
}
