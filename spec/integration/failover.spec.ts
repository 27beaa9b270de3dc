/**
 * Failover without losing acknowledged records (docs/DESIGN-NOTES.md, Testing for loss): a producer sends
 * continuously with acks=all to a topic with RF 3 and min.insync.replicas 2 while, round after round, a broker is
 * taken away at a random moment and brought back. Afterwards every acknowledged record sits at its acknowledged
 * offset on every replica, and the replicas' logs are identical batch for batch.
 *
 * Three ways to lose a broker, one loop each: the partition leader is SIGKILLed; the controller is SIGKILLed; the
 * partition leader is SIGSTOPped past its ZooKeeper session timeout (a zombie: it wakes up still believing it
 * leads, and must not acknowledge acks=all writes it can no longer replicate) and then SIGCONTinued.
 * ZooKeeper sessions are 2 s here, so each round takes a few seconds.
 */
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';

const PARTITIONS = 3;
/** Three rounds per way in `npm test`; `npm run soak` runs twenty (MQ_FAILOVER_ROUNDS=20). */
const ROUNDS = Number(process.env['MQ_FAILOVER_ROUNDS'] ?? 3);
const SESSION_TIMEOUT_MS = 2000;

type Victim = 'leader' | 'controller' | 'zombie leader';

describe('Failover (3 brokers, acks=all, RF 3, min.insync.replicas 2)', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: {
        'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        'replica.lag.time.max.ms': 3000,
        'auto.create.topics.enable': false,
      },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers, 'request.timeout.ms': 3000 });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  async function partitionStates(topic: string) {
    const [t] = await admin.describeTopics([topic]);
    return t!.partitions;
  }

  async function run(topic: string, victim: Victim): Promise<void> {
    await admin.createTopics([
      { name: topic, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const fullIsr = async () => (await partitionStates(topic)).every((p) => p.leader >= 0 && p.isr.length === 3);
    await waitFor(fullIsr, `${topic}: three in-sync replicas everywhere`);
    const producer = defer(
      new Producer({
        'bootstrap.servers': cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 1,
        'request.timeout.ms': 3000,
        'retry.backoff.ms': 50,
        'delivery.timeout.ms': 120_000,
        'metadata.max.age.ms': 500,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, topic, PARTITIONS).start();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const partition = round % PARTITIONS;
        const id =
          victim === 'controller'
            ? (await admin.describeCluster()).controllerId
            : (await partitionStates(topic))[partition]!.leader;
        // A random moment: after a random number of further acknowledgements.
        await load.ackedMore(1 + Math.floor(Math.random() * 60), `round ${round}, before losing broker ${id}`);
        if (victim === 'zombie leader') {
          await cluster.local.signalBroker(id, 'SIGSTOP');
          try {
            await waitFor(
              async () => (await partitionStates(topic))[partition]!.leader !== id,
              `round ${round}: a new leader for ${topic}-${partition} while broker ${id} is frozen`,
              { timeoutMs: 30_000 },
            );
            await load.ackedMore(30, `round ${round}, with broker ${id} frozen`);
          } finally {
            await cluster.local.signalBroker(id, 'SIGCONT');
          }
        } else {
          await cluster.local.killBroker(id);
          await load.ackedMore(30, `round ${round}, with broker ${id} dead`);
          await cluster.local.startBroker(id);
        }
        await waitFor(fullIsr, `round ${round}: broker ${id} back in every ISR`, { timeoutMs: 60_000 });
      }
    } finally {
      await load.stop();
    }
    expect(load.failures.map((e) => e.message).slice(0, 5), 'failed sends').to.deep.equal([]);
    expect(load.acked.size).to.equal(load.sent);
    await expectNoAckedLoss(cluster, topic, PARTITIONS, cluster.local.brokerIds(), load.acked);
  }

  it(`loses no acknowledged record when the partition leader is SIGKILLed ${ROUNDS} times`, () =>
    run('kill-leader', 'leader'));
  it(`loses no acknowledged record when the controller is SIGKILLed ${ROUNDS} times`, () =>
    run('kill-controller', 'controller'));
  it(`loses no acknowledged record when the leader is frozen past its session ${ROUNDS} times`, () =>
    run('zombie', 'zombie leader'));
});
