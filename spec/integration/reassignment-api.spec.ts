/**
 * `mq-admin reassign-partitions --bootstrap-server` (AlterPartitionReassignments / ListPartitionReassignments) on one
 * cluster of four broker processes, each claim checked again through the Admin client or ZooKeeper:
 *
 * - `--generate` proposes an assignment of a topic over the listed brokers only, keeping its replication factor;
 * - a move with `--throttle 200000` under acks=all load: the tool sets the brokers' rates and the topic's throttled
 *   replicas, the new replica's copy grows no faster than the throttle (+20%) over any span of 5 s and on the whole,
 *   the move completes, and `--verify` reports it complete and removes every throttle;
 * - `--cancel` of a throttled move in flight restores the old replicas (assignment, ISR), the replicas it had added
 *   delete their logs, and the throttles are gone; before it, a Kafka client (KafkaJS, on the Kafka listener) lists
 *   the move as our Admin client does.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ConfigType } from '../../lib/zk/zk-paths.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { kafkaJs } from '../helpers/kafka-tools.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const THROTTLE = 200_000;
const RATE_KEYS = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'];
const REPLICA_KEYS = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'];

describe('reassign-partitions --bootstrap-server (4 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  let zk: KafkaZkClient;
  let ids: number[];

  before(async () => {
    cluster = await TestCluster.start({ brokers: 4, brokerProps: { 'auto.create.topics.enable': false } });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    zk = await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 });
    ids = cluster.local.brokerIds().sort((a, b) => a - b);
  });
  after(async () => {
    await zk?.close();
    await admin?.close();
    await cluster?.stop();
  });

  const reassign = (...args: string[]) =>
    mqAdmin(['reassign-partitions', '--bootstrap-server', cluster.bootstrapServers, ...args]);

  function moveFile(name: string, topic: string, replicas: number[]): string {
    const path = join(tmpDir('mq-reassign-'), name);
    writeFileSync(path, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas }] }));
    return path;
  }

  /** `bytes` of incompressible records in 10 KiB values, acknowledged by all replicas. */
  async function fill(topic: string, bytes: number): Promise<void> {
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    const records = Array.from({ length: Math.ceil(bytes / 10_240) }, () => ({
      topic,
      partition: 0,
      value: randomBytes(10_240),
    }));
    await producer.sendBatch(records);
  }

  async function createTopic(topic: string, replicas: number[]): Promise<void> {
    await admin.createTopics([{ name: topic, replicaAssignment: { 0: replicas } }]);
    await waitFor(
      async () => (await admin.describeTopics([topic]))[0]!.partitions[0]!.isr.length === replicas.length,
      `${topic}-0 fully in sync`,
    );
  }

  /** Bytes of `topic`-0 on `broker`, or undefined when it holds no replica. */
  async function sizeOn(broker: number, topic: string): Promise<number | undefined> {
    const [d] = await admin.describeLogDirs([broker]);
    return d!.logDirs.flatMap((l) => l.partitions).find((p) => p.topic === topic && p.partition === 0)?.size;
  }

  /** The throttle keys set in ZooKeeper, per broker and for `topic`. */
  async function throttlesInZooKeeper(topic: string): Promise<Record<string, Record<string, string>>> {
    const out: Record<string, Record<string, string>> = {};
    const pick = (config: Record<string, string>, keys: string[]) =>
      Object.fromEntries(Object.entries(config).filter(([k]) => keys.includes(k)));
    for (const id of ids)
      out[`broker ${id}`] = pick(await zk.getEntityConfig(ConfigType.Broker, String(id)), RATE_KEYS);
    out[`topic ${topic}`] = pick(await zk.getEntityConfig(ConfigType.Topic, topic), REPLICA_KEYS);
    return out;
  }

  const noThrottles = (topic: string) => ({
    ...Object.fromEntries(ids.map((id) => [`broker ${id}`, {}])),
    [`topic ${topic}`]: {},
  });

  it('--generate proposes the topic on the listed brokers only, with its replication factor', async () => {
    await createTopic('spread', [ids[0]!, ids[1]!]);
    const topicsFile = join(tmpDir('mq-reassign-'), 'topics.json');
    writeFileSync(topicsFile, '{"version":1,"topics":[{"topic":"spread"}]}');
    const r = await reassign(
      '--generate',
      '--topics-to-move-json-file',
      topicsFile,
      '--broker-list',
      `${ids[2]},${ids[3]}`,
    );
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    const [currentHeader, current, , proposedHeader, proposed] = r.stdout.trimEnd().split('\n');
    expect([currentHeader, proposedHeader]).to.deep.equal([
      'Current partition replica assignment',
      'Proposed partition reassignment configuration',
    ]);
    expect(JSON.parse(current!).partitions).to.deep.equal([
      { topic: 'spread', partition: 0, replicas: (await admin.describeTopics(['spread']))[0]!.partitions[0]!.replicas },
    ]);
    const [move] = JSON.parse(proposed!).partitions as Array<{ replicas: number[] }>;
    expect([...move!.replicas].sort()).to.deep.equal([ids[2], ids[3]]);
    expect(await admin.listPartitionReassignments(), 'nothing was started').to.deep.equal([]);
  });

  it('a throttled move under acks=all load stays within its throttle, completes, and --verify removes the throttles', async () => {
    const [a, b, c] = ids as [number, number, number];
    await createTopic('throttled', [a, b]);
    await fill('throttled', 1_200_000);
    const file = moveFile('throttled.json', 'throttled', [a, c]);

    const producer = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all', 'linger.ms': 0 }),
      (p) => p.close(),
    );
    await producer.connect();
    let loading = true;
    let acked = 0;
    const load = (async () => {
      while (loading) {
        await producer.send({ topic: 'throttled', partition: 0, value: randomBytes(2048) });
        acked++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const executed = await reassign('--execute', '--reassignment-json-file', file, '--throttle', String(THROTTLE));
    expect(executed.stderr).to.equal('');
    expect(executed.code).to.equal(0);
    expect(executed.stdout).to.include(`The inter-broker throttle limit was set to ${THROTTLE} B/s\n`);
    expect(executed.stdout).to.include('Successfully started partition reassignment for throttled-0\n');
    expect(await throttlesInZooKeeper('throttled')).to.deep.equal({
      ...noThrottles('throttled'),
      ...Object.fromEntries(
        [a, b, c].map((id) => [`broker ${id}`, Object.fromEntries(RATE_KEYS.map((k) => [k, String(THROTTLE)]))]),
      ),
      'topic throttled': {
        'leader.replication.throttled.replicas': `0:${a},0:${b}`,
        'follower.replication.throttled.replicas': `0:${c}`,
      },
    });

    // The new replica's size, sampled until the move completes.
    const samples: Array<{ ms: number; bytes: number }> = [];
    let startMs = Date.now();
    await waitFor(
      async () => {
        const bytes = (await sizeOn(c, 'throttled')) ?? 0;
        const ms = Date.now();
        if (bytes === 0) startMs = ms;
        else samples.push({ ms, bytes });
        return (await admin.listPartitionReassignments()).length === 0;
      },
      'the throttled move to complete',
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    loading = false;
    await load;
    expect(acked).to.be.greaterThan(10);

    const final = (await sizeOn(c, 'throttled'))!;
    expect(final).to.be.greaterThan(1_200_000);
    const overallRate = (samples.at(-1)!.bytes * 1000) / (samples.at(-1)!.ms - startMs);
    expect(overallRate, 'bytes/s into the new replica, from the move start to its completion').to.be.at.most(
      THROTTLE * 1.2,
    );
    for (const [i, from] of [{ ms: startMs, bytes: 0 }, ...samples].entries()) {
      const to = samples.slice(i).find((s) => s.ms - from.ms >= 5000);
      if (to === undefined) break;
      const rate = ((to.bytes - from.bytes) * 1000) / (to.ms - from.ms);
      expect(rate, `bytes/s over ${to.ms - from.ms} ms from ${from.ms - startMs} ms`).to.be.at.most(THROTTLE * 1.2);
    }

    await waitFor(async () => {
      const verified = await reassign('--verify', '--reassignment-json-file', file);
      expect(verified.code).to.equal(0);
      return verified.stdout.includes('Reassignment of partition throttled-0 is complete.') ? verified : null;
    }, '--verify to report the move complete').then((verified) =>
      expect(verified.stdout).to.include(
        `Clearing broker-level throttles on brokers ${ids.join(',')}\nClearing topic-level throttles on topic throttled\n`,
      ),
    );
    expect(await throttlesInZooKeeper('throttled')).to.deep.equal(noThrottles('throttled'));
    const state = (await admin.describeTopics(['throttled']))[0]!.partitions[0]!;
    expect(state.replicas).to.deep.equal([a, c]);
    expect([...state.isr].sort()).to.deep.equal([a, c]);
  });

  it('--cancel of a throttled move in flight restores the old replicas and removes the throttles', async () => {
    const [a, b, c, d] = ids as [number, number, number, number];
    await createTopic('cancelled', [a, b]);
    await fill('cancelled', 600_000);
    const file = moveFile('cancelled.json', 'cancelled', [c, d]);

    const executed = await reassign('--execute', '--reassignment-json-file', file, '--throttle', '50000');
    expect(executed.code, executed.stderr).to.equal(0);
    expect(await admin.listPartitionReassignments([{ topic: 'cancelled', partition: 0 }])).to.deep.equal([
      { topic: 'cancelled', partition: 0, replicas: [c, d, a, b], addingReplicas: [c, d], removingReplicas: [a, b] },
    ]);
    // The same through the Kafka listener, to a Kafka client (KafkaJS).
    const kafkaAdmin = defer(kafkaJs(cluster).admin(), (k) => k.disconnect());
    await kafkaAdmin.connect();
    const listed = await kafkaAdmin.listPartitionReassignments({ topics: [{ topic: 'cancelled', partitions: [0] }] });
    // KafkaJS 2 hands out the response's own field names (name, partition), whatever its typings say.
    expect(listed).to.deep.equal({
      topics: [
        {
          name: 'cancelled',
          partitions: [{ partition: 0, replicas: [c, d, a, b], addingReplicas: [c, d], removingReplicas: [a, b] }],
        },
      ],
    });

    const cancelled = await reassign('--cancel', '--reassignment-json-file', file);
    expect(cancelled.stderr).to.equal('');
    expect(cancelled.code).to.equal(0);
    expect(cancelled.stdout).to.equal(
      'Successfully cancelled partition reassignment for: cancelled-0\n' +
        `Clearing broker-level throttles on brokers ${ids.join(',')}\n` +
        'Clearing topic-level throttles on topic cancelled\n',
    );
    expect(await admin.listPartitionReassignments()).to.deep.equal([]);
    const assignment = (await zk.getTopicAssignment('cancelled'))!.partitions.get(0)!;
    expect(assignment).to.deep.equal({ replicas: [a, b], addingReplicas: [], removingReplicas: [] });
    await waitFor(async () => {
      const p = (await admin.describeTopics(['cancelled']))[0]!.partitions[0]!;
      return p.replicas.join() === `${a},${b}` && [...p.isr].sort().join() === `${a},${b}`;
    }, 'metadata to show the old replicas, both in sync');
    await waitFor(
      async () => (await sizeOn(c, 'cancelled')) === undefined && (await sizeOn(d, 'cancelled')) === undefined,
      'the replicas the cancelled move added to delete their logs',
    );
    expect(await throttlesInZooKeeper('cancelled')).to.deep.equal(noThrottles('cancelled'));
  });
});
