/**
 * A leader cut off from ZooKeeper only (its packets to and from the ZooKeeper port dropped; clients and the other
 * brokers still reach it) for 30 s, three brokers, RF 3, min.insync.replicas 2, while an acks=all producer
 * bootstrapped with every broker keeps sending:
 *
 * - the cut broker fences itself before the controller elects another leader (when its session expires), and the
 *   partition's records are acknowledged again within 3 s of that election, long before the cut heals;
 * - from the moment it fenced itself, and at the latest from the moment its session could have expired (cut +
 *   zookeeper.session.timeout.ms), the cut broker answers no client as leader: its Metadata never names itself
 *   leader, Produce and Fetch get NOT_LEADER_OR_FOLLOWER;
 * - after the heal it registers again (a new session) and rejoins the ISR; nothing acknowledged is lost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { Admin, Producer } from '../../lib/client/index.js';
import { NetworkClient } from '../../lib/network/network-client.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { BrokerIdZNode, TopicPartitionStateZNode } from '../../lib/zk/zk-paths.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { cutProcessFromPort } from '../helpers/faults/process-cut.js';
import { waitFor } from '../helpers/wait-for.js';
import { buildBatch, fetch, metadata, produce } from '../helpers/wire.js';

const SESSION_TIMEOUT_MS = 6000;
const CUT_MS = 30_000;
const TOPIC = 'cut-off';

describe('A leader cut off from ZooKeeper (3 brokers)', function () {
  this.timeout(150_000);

  it('fences itself before a new leader is elected, producers move on within 3 s, and it rejoins after the heal', async () => {
    const cluster = defer(
      await TestCluster.start({
        brokers: 3,
        brokerProps: {
          'auto.create.topics.enable': false,
          'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        },
      }),
      (c) => c.stop(),
    );
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    const zk = defer(await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 }), (c) =>
      c.close(),
    );
    // The cut broker leads the partition and is not the controller, so that only its leadership is at stake.
    const controllerId = await waitFor(async () => await zk.getControllerId(), 'a controller');
    const [cutId, ...others] = [...cluster.local.brokerIds().filter((id) => id !== controllerId), controllerId];
    await admin.createTopics([
      { name: TOPIC, replicaAssignment: { 0: [cutId, ...others] }, configs: { 'min.insync.replicas': '2' } },
    ]);
    const state = () => zk.getPartitionState({ topic: TOPIC, partition: 0 });
    await waitFor(async () => (await state())?.isr.length === 3, 'three in-sync replicas');
    expect((await state())?.leader).to.equal(cutId);

    let election: { leader: number; atMs: number } | undefined;
    deferFn(
      zk.zk.watchData(TopicPartitionStateZNode.path({ topic: TOPIC, partition: 0 }), (node) => {
        if (node === null || election !== undefined) return;
        const leader = TopicPartitionStateZNode.decode({ topic: TOPIC, partition: 0 }, node.data).leader;
        // The znode's mtime is when the controller wrote the new leader (ZooKeeper's clock: this machine's).
        if (leader !== cutId && leader >= 0) election = { leader, atMs: node.stat.mtimeMs };
      }),
    );

    const producer = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all', 'linger.ms': 1 }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, TOPIC, 1, 5).start();
    const registration = async () => (await zk.zk.getData(BrokerIdZNode.path(cutId)))?.stat.czxid;
    const registeredBefore = await registration();
    // The server deletes the registration when it expires the session: that moment, as this process sees it.
    let sessionExpiredAtMs: number | undefined;
    deferFn(
      zk.zk.watchExists(BrokerIdZNode.path(cutId), (stat) => {
        if (stat === null) sessionExpiredAtMs ??= Date.now();
      }),
    );
    const zkPort = Number(cluster.zkServerConnect.split(':')[1]);
    const answers: { atMs: number; claim: string | undefined }[] = [];

    try {
      await load.ackedMore(300, 'before the cut');
      const cutAtMs = Date.now();
      const cut = cutProcessFromPort(cluster.local.broker(cutId).pid, zkPort);
      deferFn(() => cut.heal());
      expect(cut.cutConnections.length, 'the broker had a ZooKeeper connection to cut').to.be.greaterThan(0);

      // Until the heal, ask the cut broker as a client would, from before its session could have expired.
      const probe = defer(
        await NetworkClient.connect({
          host: '127.0.0.1',
          port: cluster.local.broker(cutId).port,
          clientId: 'probe',
          requestTimeoutMs: 5000,
        }),
        (c) => c.close(),
      );
      const probing = (async () => {
        await sleepUntil(cutAtMs + SESSION_TIMEOUT_MS / 2);
        for (let round = 0; Date.now() < cutAtMs + CUT_MS - 500; round++) {
          const atMs = Date.now();
          const md = (await metadata(probe, [TOPIC])).topics[0]!.partitions[0]!;
          const produced = (await produce(probe, TOPIC, 0, buildBatch([`probe-${round}`]), 1))!;
          const produceError = produced.responses[0]!.partitionResponses[0]!.errorCode;
          const fetchError = (await fetch(probe, TOPIC, 0, 0)).responses[0]!.partitions[0]!.errorCode;
          const claim =
            md.leaderId === cutId
              ? `Metadata names broker ${cutId} leader`
              : produceError !== ErrorCode.NOT_LEADER_OR_FOLLOWER
                ? `Produce answered error code ${produceError}`
                : fetchError !== ErrorCode.NOT_LEADER_OR_FOLLOWER
                  ? `Fetch answered error code ${fetchError}`
                  : undefined;
          answers.push({ atMs, claim });
          await sleepUntil(atMs + 250);
        }
      })();

      await waitFor(() => election, 'the controller to elect another leader', { timeoutMs: CUT_MS - 5000 });
      const elected = election!;
      await waitFor(
        () => [...load.acked.values()].some((a) => a.atMs > elected.atMs),
        'an acknowledgement after the election',
        { timeoutMs: CUT_MS },
      );
      const firstAck = Math.min(...[...load.acked.values()].filter((a) => a.atMs > elected.atMs).map((a) => a.atMs));
      await probing;
      await sleepUntil(cutAtMs + CUT_MS);
      cut.heal();
      const healAtMs = Date.now();
      const fencedAtMs = fencedAt(cluster, cutId, cutAtMs);
      const expiredAtMs = sessionExpiredAtMs!;
      console.log(
        `      cut at 0 ms; broker ${cutId} fenced at ${fencedAtMs - cutAtMs} ms; its session expired at ` +
          `${expiredAtMs - cutAtMs} ms; broker ${elected.leader} elected at ${elected.atMs - cutAtMs} ms; first ` +
          `acknowledgement ${firstAck - elected.atMs} ms after the election`,
      );
      expect(fencedAtMs, 'fenced before the server expired the session').to.be.below(expiredAtMs);
      expect(fencedAtMs, 'fenced before the controller elected another leader').to.be.below(elected.atMs);
      // The server expires the session at its first tick after (last time it heard from the broker) + timeout, so
      // no later than cut + timeout + one tick; when exactly is not visible from here (the registration's deletion
      // is seen some time after it). The two assertions above place the fence before both things that follow the
      // expiry; from the fence, and at the latest from cut + timeout, the broker answered nobody as leader.
      const answeringAsFollowerFromMs = Math.min(cutAtMs + SESSION_TIMEOUT_MS, fencedAtMs);
      const claims = answers
        .filter((a) => a.atMs >= answeringAsFollowerFromMs && a.claim !== undefined)
        .map((a) => `${a.atMs - cutAtMs} ms into the cut: ${a.claim}`);
      expect(answers.filter((a) => a.atMs >= answeringAsFollowerFromMs).length, 'answers probed').to.be.greaterThan(40);
      expect(claims, 'answers of the cut broker as leader').to.deep.equal([]);
      expect(firstAck - elected.atMs, 'ms from the election to the first acknowledgement').to.be.at.most(3000);
      expect(firstAck, 'acknowledged again before the heal').to.be.below(healAtMs);

      await waitFor(
        async () => {
          const czxid = await registration();
          return czxid !== undefined && czxid !== registeredBefore;
        },
        `broker ${cutId} to register again`,
        { timeoutMs: 30_000 },
      );
      await waitFor(async () => (await state())?.isr.includes(cutId), `broker ${cutId} back in the ISR`, {
        timeoutMs: 30_000,
      });
      await load.ackedMore(300, 'after the heal');
    } finally {
      await load.stop();
    }
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    await expectNoAckedLoss(cluster, TOPIC, 1, cluster.local.brokerIds(), load.acked);
  });
});

/** When the broker logged that it fenced itself (its log's `time`, Date.now() of that process), after `sinceMs`. */
function fencedAt(cluster: TestCluster, brokerId: number, sinceMs: number): number {
  const line = readFileSync(join(cluster.local.broker(brokerId).dir, 'broker.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"fenced: '))
    .map((l) => JSON.parse(l) as { time: number })
    .find((l) => l.time >= sinceMs);
  expect(line, `broker ${brokerId} logged that it fenced itself`).to.not.equal(undefined);
  return line!.time;
}

function sleepUntil(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));
}
