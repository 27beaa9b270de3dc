/**
 * Protocol-level helpers for integration specs: a NetworkClient per broker of a TestCluster and typed request
 * shortcuts (create topic, produce a batch, fetch), so specs can exercise the broker below the client library.
 */
import { NetworkClient } from '../../lib/network/network-client.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import type { FetchResponse, MetadataResponse, ProduceResponse } from '../../lib/protocol/messages/index.js';
import { RecordBatchBuilder } from '../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { defer } from './cleanup.js';
import { waitFor } from './wait-for.js';
import type { TestCluster } from './cluster-harness.js';

export async function connectTo(cluster: TestCluster, brokerId: number): Promise<NetworkClient> {
  const { port } = cluster.local.broker(brokerId);
  return defer(
    await NetworkClient.connect({ host: '127.0.0.1', port, clientId: 'spec', maxInFlightRequests: 100 }),
    (c) => c.close(),
  );
}

export function metadata(
  client: NetworkClient,
  topics: string[] | null,
  allowAutoTopicCreation = false,
): Promise<MetadataResponse> {
  return client.send(ApiKey.Metadata, 0, {
    topics: topics === null ? null : topics.map((name) => ({ name })),
    allowAutoTopicCreation,
  });
}

/** Creates a topic through the controller and waits until every partition's leader serves it. */
export async function createTopic(
  cluster: TestCluster,
  topic: string,
  numPartitions: number,
  replicationFactor: number,
  configs: Record<string, string> = {},
): Promise<MetadataResponse> {
  const any = await connectTo(cluster, cluster.local.brokerIds()[0]!);
  const controllerId = await waitFor(async () => {
    const id = (await metadata(any, [])).controllerId;
    return id >= 0 ? id : null;
  }, 'a controller to be elected');
  const controller = await connectTo(cluster, controllerId);
  const res = await controller.send(ApiKey.CreateTopics, 0, {
    topics: [
      {
        name: topic,
        numPartitions,
        replicationFactor,
        assignments: [],
        configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
    timeoutMs: 20000,
    validateOnly: false,
  });
  const r = res.topics[0]!;
  if (r.errorCode !== 0) throw new Error(`CreateTopics ${topic} failed with code ${r.errorCode}: ${r.errorMessage}`);
  const md = await waitFor(async () => {
    const md = await metadata(any, [topic]);
    const t = md.topics[0]!;
    return t.errorCode === 0 && t.partitions.length === numPartitions && t.partitions.every((p) => p.leaderId >= 0)
      ? md
      : null;
  }, `leaders for every partition of ${topic}`);
  // The broker asked may show a leader a moment before that leader has applied its leadership (each broker follows
  // ZooKeeper on its own): until it has, it answers UNKNOWN_TOPIC_OR_PARTITION, which a client would retry.
  const leaders = new Map<number, NetworkClient>();
  for (const p of md.topics[0]!.partitions) {
    const leader = leaders.get(p.leaderId) ?? (await connectTo(cluster, p.leaderId));
    leaders.set(p.leaderId, leader);
    await waitFor(
      async () => (await fetch(leader, topic, p.partitionIndex, 0)).responses[0]!.partitions[0]!.errorCode === 0,
      `broker ${p.leaderId} to serve ${topic}-${p.partitionIndex} as its leader`,
    );
  }
  return md;
}

export async function leaderOf(cluster: TestCluster, topic: string, partition: number): Promise<number> {
  const any = await connectTo(cluster, cluster.local.brokerIds()[0]!);
  const md = await metadata(any, [topic]);
  return md.topics[0]!.partitions.find((p) => p.partitionIndex === partition)!.leaderId;
}

export function buildBatch(values: string[], keyPrefix = 'k'): Buffer {
  const b = new RecordBatchBuilder();
  values.forEach((v, i) => b.append(Date.now(), `${keyPrefix}${i}`, v));
  return b.buildSync();
}

export function produce(
  client: NetworkClient,
  topic: string,
  partition: number,
  records: Buffer,
  acks: -1 | 0 | 1 = 1,
  timeoutMs = 10000,
): Promise<ProduceResponse | null> {
  const body = {
    transactionalId: null,
    acks,
    timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
  return acks === 0
    ? client.send(ApiKey.Produce, 0, body, { expectResponse: false })
    : client.send(ApiKey.Produce, 0, body);
}

export function fetch(
  client: NetworkClient,
  topic: string,
  partition: number,
  fetchOffset: number,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {},
): Promise<FetchResponse> {
  return client.send(
    ApiKey.Fetch,
    0,
    {
      replicaId: -1,
      maxWaitMs: opts.maxWaitMs ?? 0,
      minBytes: opts.minBytes ?? 1,
      maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
      isolationLevel: 0,
      topics: [
        {
          topic,
          partitions: [
            {
              partition,
              currentLeaderEpoch: -1,
              fetchOffset,
              logStartOffset: -1,
              partitionMaxBytes: opts.maxBytes ?? 10 * 1024 * 1024,
            },
          ],
        },
      ],
    },
    { timeoutMs: (opts.maxWaitMs ?? 0) + 10000 },
  );
}

/** Every record value from `offset` on, decoded from fetch responses until the high watermark. */
export async function readAll(
  client: NetworkClient,
  topic: string,
  partition: number,
  offset = 0,
): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = [];
  let next = offset;
  for (;;) {
    const res = await fetch(client, topic, partition, next);
    const p = res.responses[0]!.partitions[0]!;
    if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition}@${next} failed with code ${p.errorCode}`);
    let progressed = false;
    for (const batch of iterateBatches(p.records)) {
      for (const r of batch.records()) {
        if (r.offset < next) continue;
        out.push({ offset: r.offset, value: r.value!.toString() });
        next = r.offset + 1;
        progressed = true;
      }
    }
    if (!progressed || next >= p.highWatermark) return out;
  }
}

/** The group as its coordinator describes it (FindCoordinator, then DescribeGroups there). */
export async function describeGroup(cluster: TestCluster, groupId: string) {
  const any = await connectTo(cluster, cluster.local.brokerIds()[0]!);
  const found = await any.send(ApiKey.FindCoordinator, 0, { key: groupId, keyType: 0 });
  const coordinator = await connectTo(cluster, found.nodeId);
  return (await coordinator.send(ApiKey.DescribeGroups, 0, { groups: [groupId], includeAuthorizedOperations: false }))
    .groups[0]!;
}
