/**
 * Delivery without holes, from outside, as Kafka's system tests check it: `mq-admin verifiable-producer` sends
 * increasing integers with acks=all to a topic of three partitions (RF 3, min.insync.replicas 2) while the brokers
 * lose the answers to some produce requests after writing them (a proxy in front of every broker cuts the client's
 * connection instead of passing the answer on) and the leader of partition 0 is SIGKILLed once. Then every
 * partition is read back.
 *
 * With enable.idempotence every acknowledged value is in the log exactly once, in send order per partition, with
 * nothing in between; the same run without idempotence writes some values twice, which shows that the faults do
 * cause retries of appended batches (the spec could fail).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { freePort } from '../../lib/network/free-port.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ResponseCuttingProxy } from '../helpers/response-cutting-proxy.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { VerifiableProducerProcess, type AckedValue } from '../helpers/verifiable-producer-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo, createTopic, leaderOf, metadata, readAll } from '../helpers/wire.js';

const PARTITIONS = 3;
const MESSAGES = 3000;
const THROUGHPUT = 500;

interface Run {
  acked: AckedValue[];
  /** How many values were acknowledged when the leader of partition 0 was killed. */
  ackedBeforeKill: number;
  errors: number;
  cuts: number;
  /** Values read back per partition, in offset order. */
  read: Map<number, string[]>;
}

describe('Delivery without holes: the idempotent producer (3 brokers, RF 3, acks=all)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;
  const proxies = new Map<number, ResponseCuttingProxy>();

  before(async () => {
    const ports = new Map<number, number>();
    for (const id of [1, 2, 3]) {
      ports.set(id, await freePort());
      proxies.set(id, await ResponseCuttingProxy.start(ports.get(id)!));
    }
    cluster = await TestCluster.start({
      brokers: 3,
      // Each broker's own PLAINTEXT listener, advertised as its proxy's port; no Kafka-protocol listener.
      kafkaListener: false,
      brokerProps: {
        'zookeeper.session.timeout.ms': 2000,
        'replica.lag.time.max.ms': 3000,
        'auto.create.topics.enable': false,
      },
      brokerPropsFor: (id) => ({
        listeners: `PLAINTEXT://127.0.0.1:${ports.get(id)}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxies.get(id)!.port}`,
      }),
    });
  });
  after(async () => {
    await cluster?.stop();
    for (const proxy of proxies.values()) await proxy.close();
  });

  async function run(topic: string, producerConfig: Record<string, string>): Promise<Run> {
    await createTopic(cluster, topic, PARTITIONS, 3, { 'min.insync.replicas': '2' });
    const any = await connectTo(cluster, 1);
    await waitFor(async () => {
      const md = await metadata(any, [topic]);
      return md.topics[0]!.partitions.every((p) => p.isrNodes.length === 3);
    }, `${topic}: three in-sync replicas everywhere`);
    for (const proxy of proxies.values()) {
      proxy.cuts = 0;
      proxy.maxCuts = 3;
      proxy.cutEvery = 10;
    }
    const configFile = join(tmpDir(), 'producer.properties');
    writeFileSync(
      configFile,
      Object.entries({
        retries: '2147483647',
        'request.timeout.ms': '3000',
        'retry.backoff.ms': '50',
        'metadata.max.age.ms': '500',
        ...producerConfig,
      })
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    const producer = new VerifiableProducerProcess([
      '--bootstrap-server',
      [...proxies.values()].map((p) => `127.0.0.1:${p.port}`).join(','),
      '--topic',
      topic,
      '--max-messages',
      String(MESSAGES),
      '--throughput',
      String(THROUGHPUT),
      '--acks',
      '-1',
      '--producer.config',
      configFile,
    ]);
    await producer.ackedAtLeast(MESSAGES / 3);
    const leader = await leaderOf(cluster, topic, 0);
    await cluster.local.killBroker(leader);
    const ackedBeforeKill = producer.acked.length;
    await producer.ackedAtLeast((MESSAGES * 2) / 3);
    await cluster.local.startBroker(leader);
    expect(await producer.exited, producer.stderrTail).to.equal(0);
    expect(producer.summary).to.include({ sent: MESSAGES });
    let cuts = 0;
    for (const proxy of proxies.values()) {
      cuts += proxy.cuts;
      proxy.cutEvery = 0;
    }
    const read = new Map<number, string[]>();
    for (let p = 0; p < PARTITIONS; p++) {
      const client = await connectTo(cluster, await leaderOf(cluster, topic, p));
      read.set(
        p,
        (await readAll(client, topic, p)).map((r) => r.value),
      );
    }
    return { acked: producer.acked, ackedBeforeKill, errors: producer.errors.length, cuts, read };
  }

  it('with enable.idempotence, reads back every acknowledged value exactly once, in send order, with no gap', async () => {
    const { acked, ackedBeforeKill, errors, cuts, read } = await run('idempotent', { 'enable.idempotence': 'true' });
    expect(errors, 'failed sends').to.equal(0);
    expect(acked).to.have.length(MESSAGES);
    expect(cuts, 'answers the proxies cut').to.be.above(0);
    expect(
      acked.slice(ackedBeforeKill).some((a) => a.partition === 0),
      'partition 0 took writes again under its new leader',
    ).to.equal(true);
    for (let p = 0; p < PARTITIONS; p++) {
      const sentOrder = acked.filter((a) => a.partition === p).sort((a, b) => Number(a.value) - Number(b.value));
      expect(read.get(p), `partition ${p}`).to.deep.equal(sentOrder.map((a) => a.value));
      // Each value sits at the offset it was acknowledged with.
      for (const a of sentOrder) expect(read.get(p)![a.offset], `value ${a.value}`).to.equal(a.value);
    }
  });

  it('without idempotence, the same faults write some values twice', async () => {
    const { acked, cuts, read } = await run('not-idempotent', { 'enable.idempotence': 'false' });
    expect(cuts, 'answers the proxies cut').to.be.above(0);
    const all = [...read.values()].flat();
    const duplicates = all.length - new Set(all).size;
    expect(duplicates, 'values written twice').to.be.above(0);
    // Nothing acknowledged is missing even so: the faults lose answers, not records.
    const present = new Set(all);
    expect(acked.filter((a) => !present.has(a.value))).to.deep.equal([]);
  });
});
