/**
 * Partition reassignment through /admin/reassign_partitions with four broker processes, under acks=all load:
 *
 * - a partition with data moves from three brokers to a set that drops its leader and adds the fourth broker;
 *   afterwards the assignment and ISR are the new replicas, the dropped broker no longer holds the log, the new
 *   broker's copy is identical, and no acknowledged record is lost;
 * - twelve partitions move while two target brokers restart cleanly, one after the other — the controller first, so
 *   that another controller takes the moves over — each while moves that name it are pending and other moves
 *   complete without it: every partition still ends at its target with a full ISR (an accepted move waits for a
 *   restarting target), `--verify` says complete, the znode is gone and no partition stays under-replicated;
 * - a move naming a broker that is down is refused before anything is written, by mq-admin, and by the controller
 *   when the znode is written by hand.
 *
 * Then through the API (`reassign-partitions --bootstrap-server`: AlterPartitionReassignments and
 * ListPartitionReassignments), each claim checked again through the Admin client or ZooKeeper:
 * - `--generate` proposes an assignment of a topic over the listed brokers only, keeping its replication factor;
 * - a move with `--throttle 200000` under acks=all load: the tool sets the brokers' rates and the topic's throttled
 *   replicas, the new replica's copy grows no faster than the throttle (+20%) over any span of 5 s and on the whole,
 *   the move completes, and `--verify` reports it complete and removes every throttle;
 * - `--cancel` of a throttled move in flight restores the old replicas (assignment, ISR), the replicas it had added
 *   delete their logs, and the throttles are gone; before it, a Kafka client (KafkaJS, on the Kafka listener) lists
 *   the move as our Admin client does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ConfigType, ReassignPartitionsZNode, replicaAssignment, TopicZNode } from '../../lib/zk/zk-paths.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { sumMetric } from '../helpers/broker-metrics.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { kafkaJs } from '../helpers/kafka-tools.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const THROTTLE = 200_000;
const RATE_KEYS = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'];
const REPLICA_KEYS = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'];

describe('Partition reassignment (4 brokers)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 4,
      brokerProps: { 'auto.create.topics.enable': false, 'metrics.port': 0 },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Numbered records sent with acks=all to every partition of `topic` (stop it to wait for what is in flight). */
  async function loadOn(topic: string, partitions: number): Promise<ContinuousProducer> {
    const producer = defer(
      new Producer({
        'bootstrap.servers': cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 1,
        'retry.backoff.ms': 50,
        'metadata.max.age.ms': 1000,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    return new ContinuousProducer(producer, topic, partitions).start();
  }

  async function connectZooKeeper(): Promise<KafkaZkClient> {
    return defer(await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 }), (c) =>
      c.close(),
    );
  }

  it('moves a partition to new replicas under acks=all load, leader included, losing nothing', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      { name: 'moving', numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const state = async () => (await admin.describeTopics(['moving']))[0]!.partitions[0]!;
    await waitFor(async () => (await state()).isr.length === 3, 'three in-sync replicas');
    const before = await state();
    const outsider = cluster.local.brokerIds().find((id) => !before.replicas.includes(id))!;
    const dropped = before.leader;
    const target = [...before.replicas.filter((id) => id !== dropped), outsider];

    const load = await loadOn('moving', 1);
    const zk = await connectZooKeeper();
    try {
      await load.ackedMore(500, 'before the reassignment');
      expect(await zk.createPartitionReassignment([{ topic: 'moving', partition: 0, replicas: target }])).to.equal(
        true,
      );
      await waitFor(
        async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
        'the controller to complete the reassignment and delete /admin/reassign_partitions',
        { timeoutMs: 60_000 },
      );
      await load.ackedMore(500, 'after the reassignment');
    } finally {
      await load.stop();
    }
    // Brokers learn the new assignment from their own ZooKeeper watches, so metadata trails the znode's deletion
    // by a watch round trip (in Kafka, by the controller's UpdateMetadata): wait for it before checking the rest.
    const settled = (s: { replicas: readonly number[]; isr: readonly number[] }) =>
      s.replicas.join() === target.join() && [...s.isr].sort().join() === [...target].sort().join();
    await waitFor(async () => settled(await state()), 'metadata to show the new replicas, all in sync');
    expect(target).to.include((await state()).leader);
    await waitFor(
      () => !existsSync(join(cluster.local.broker(dropped).dir, 'logs', 'moving-0')),
      `broker ${dropped} to delete its replica`,
    );
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    await expectNoAckedLoss(cluster, 'moving', 1, target, load.acked);
  });

  it('completes twelve moves while two target brokers restart, each in the middle of moves that name it', async () => {
    const topic = 'spread';
    const partitions = Array.from({ length: 12 }, (_, p) => p);
    // Partition p lives on the three brokers other than p % 4 + 1 and moves from its first replica onto that broker.
    const original = (p: number) => [1, 2, 3].map((k) => ((p + k) % 4) + 1);
    const target = (p: number) => [(p % 4) + 1, ...original(p).slice(1)];
    const naming = (id: number) => partitions.filter((p) => target(p).includes(id));
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      {
        name: topic,
        replicaAssignment: Object.fromEntries(partitions.map((p) => [p, original(p)])),
        configs: { 'min.insync.replicas': '2' },
      },
    ]);
    const describe = async () => (await admin.describeTopics([topic]))[0]!.partitions;
    await waitFor(async () => (await describe()).every((p) => p.isr.length === 3), 'every partition fully in sync');

    const load = await loadOn(topic, partitions.length);
    const zk = await connectZooKeeper();
    const pending = async () => new Set(((await zk.getPartitionReassignment()) ?? []).map((r) => r.partition));
    const file = join(tmpDir(), 'move.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: partitions.map((p) => ({ topic, partition: p, replicas: target(p) })) }),
    );
    const reassign = (action: string) =>
      mqAdmin([
        'reassign-partitions',
        '--zookeeper',
        cluster.zookeeperConnect,
        '--reassignment-json-file',
        file,
        action,
      ]);
    try {
      await load.ackedMore(2000, 'before the reassignment');
      const started = await reassign('--execute');
      expect(started.stderr).to.equal('');
      expect(started.stdout).to.include('Successfully started reassignment of partitions.');

      // The controller first (its successor resumes the moves from ZooKeeper), then another broker.
      const controllerId = (await zk.getControllerId())!;
      for (const id of [controllerId, (controllerId % 4) + 1]) {
        const before = await pending();
        const waiting = naming(id).filter((p) => before.has(p));
        const others = [...before].filter((p) => !naming(id).includes(p));
        expect(waiting.length, `moves naming broker ${id} pending when it stops`).to.be.greaterThan(0);
        expect(others.length, `moves not naming broker ${id} pending when it stops`).to.be.greaterThan(0);
        expect(await cluster.local.stopBroker(id), `broker ${id} stops cleanly`).to.equal(true);
        // The controller advances the moves that do not need this broker while it is down ...
        await waitFor(
          async () => {
            const now = await pending();
            return others.some((p) => !now.has(p));
          },
          `a move not naming broker ${id} to complete while it is down`,
          { timeoutMs: 30_000 },
        );
        // ... and keeps those that name it, in their intermediate layout, until it is back. (One may have completed
        // just before the stop, if the broker had caught up; none may be dropped half-done.)
        const now = await pending();
        const layout = (await zk.getTopicAssignment(topic))!.partitions;
        const stillMoving = waiting.filter((p) => now.has(p) && layout.get(p)!.addingReplicas.length > 0);
        const completed = waiting.filter(
          (p) => !now.has(p) && JSON.stringify(layout.get(p)) === JSON.stringify(replicaAssignment(target(p))),
        );
        expect(
          waiting.filter((p) => !stillMoving.includes(p) && !completed.includes(p)),
          `moves naming broker ${id} dropped while it was down`,
        ).to.deep.equal([]);
        expect(stillMoving.length, `moves naming broker ${id} waiting for it while it is down`).to.be.greaterThan(0);
        await cluster.local.startBroker(id);
      }

      await waitFor(
        async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
        'every move to complete and /admin/reassign_partitions to be deleted',
        { timeoutMs: 60_000 },
      );
      await load.ackedMore(500, 'after the reassignment');
    } finally {
      await load.stop();
    }
    const verified = await reassign('--verify');
    expect(verified.code).to.equal(0);
    expect(verified.stdout.trimEnd().split('\n').slice(1)).to.deep.equal(
      partitions.map((p) => `Reassignment of partition ${topic}-${p} completed successfully`),
    );
    await waitFor(
      async () =>
        (await describe()).every(
          (p) =>
            p.replicas.join() === target(p.partition).join() &&
            [...p.isr].sort().join() === [...target(p.partition)].sort().join() &&
            target(p.partition).includes(p.leader),
        ),
      'metadata to show every partition on its target replicas, all in sync',
    );
    const layout = (await zk.getTopicAssignment(topic))!.partitions;
    for (const p of partitions) {
      expect(layout.get(p), `${topic}-${p} assignment`).to.deep.equal({
        replicas: target(p),
        addingReplicas: [],
        removingReplicas: [],
      });
    }
    await waitFor(
      async () => (await sumMetric(cluster, 'kafka_server_replicamanager_underreplicatedpartitions')) === 0,
      'no under-replicated partition on any broker',
    );
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    await expectNoAckedLoss(cluster, topic, partitions.length, target, load.acked);
  });

  it('refuses a move naming a broker that is down, in mq-admin and in the controller, saying why', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([{ name: 'staying', replicaAssignment: { 0: [1, 2, 3] } }]);
    const zk = await connectZooKeeper();
    const file = join(tmpDir(), 'move.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: [{ topic: 'staying', partition: 0, replicas: [2, 3, 4] }] }),
    );
    expect(await cluster.local.stopBroker(4), 'broker 4 stops cleanly').to.equal(true);
    deferFn(() => cluster.local.startBroker(4));

    const refused = await mqAdmin([
      'reassign-partitions',
      '--zookeeper',
      cluster.zookeeperConnect,
      '--reassignment-json-file',
      file,
      '--execute',
    ]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('brokers that are not registered: 4 (live brokers: 1,2,3)');
    expect(refused.stdout).to.not.include('Successfully started');
    expect(await zk.zk.getData(ReassignPartitionsZNode.path), 'nothing written').to.equal(null);

    // Written by hand (zkCli.sh, an older tool): the controller refuses it, removes it and logs the reason.
    expect(await zk.createPartitionReassignment([{ topic: 'staying', partition: 0, replicas: [2, 3, 4] }])).to.equal(
      true,
    );
    await waitFor(
      async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
      'the controller to refuse the move and delete /admin/reassign_partitions',
    );
    expect((await zk.getTopicAssignment('staying'))!.partitions.get(0)).to.deep.equal({
      replicas: [1, 2, 3],
      addingReplicas: [],
      removingReplicas: [],
    });
    const controllerId = (await zk.getControllerId())!;
    const refusals = readFileSync(join(cluster.local.broker(controllerId).dir, 'broker.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('refusing a partition reassignment'))
      .map((line) => JSON.parse(line) as { partition: string; reason: string });
    expect(refusals.map((r) => [r.partition, r.reason])).to.deep.include([
      'staying-0',
      'broker 4 is not registered in ZooKeeper (live brokers: 1,2,3)',
    ]);
    expect((await zk.zk.getData(TopicZNode.path('staying'))) !== null).to.equal(true);
  });

  describe('through the API: reassign-partitions --bootstrap-server', () => {
    let admin: Admin;
    let zk: KafkaZkClient;
    let ids: number[];

    before(async () => {
      admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
      await admin.connect();
      zk = await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 });
      ids = cluster.local.brokerIds().sort((a, b) => a - b);
    });
    after(async () => {
      await zk?.close();
      await admin?.close();
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
      await createTopic('generated', [ids[0]!, ids[1]!]);
      const topicsFile = join(tmpDir('mq-reassign-'), 'topics.json');
      writeFileSync(topicsFile, '{"version":1,"topics":[{"topic":"generated"}]}');
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
        {
          topic: 'generated',
          partition: 0,
          replicas: (await admin.describeTopics(['generated']))[0]!.partitions[0]!.replicas,
        },
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
});
