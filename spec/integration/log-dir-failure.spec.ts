/**
 * A disk that fails under a leader (KIP-112; the lean `npm test` version of spec/faults' disk scenario): two brokers
 * on simulated hosts with two log dirs each, two partitions led by broker 1, one in each of its dirs, a client
 * producing acks=all throughout. The next write to one partition's segment fails with EIO (strace): that dir goes
 * offline — DescribeLogDirs answers KAFKA_STORAGE_ERROR for it —, its partition's leadership moves to broker 2 and
 * broker 1 leaves its ISR, while broker 1 stays registered and goes on leading the partition in its healthy dir.
 * Nothing acknowledged is lost; after the broker is restarted (the disk replaced), it catches up and rejoins.
 */
import { expect } from 'chai';
import { Producer } from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'failing-disk';

describe('Log dir failure: a leader whose disk returns EIO', function () {
  let cluster: FaultCluster;

  before(async () => {
    cluster = await FaultCluster.start({ brokers: 2, logDirsPerBroker: 2 });
    await cluster.createTopic(TOPIC, [
      [1, 2],
      [1, 2],
    ]);
  });

  it('takes the dir offline, moves its leadership, keeps the other dir serving and loses nothing', async () => {
    const dirOf = async (partition: number) => {
      const [b1] = await cluster.admin.describeLogDirs([1]);
      return b1!.logDirs.find((d) => d.partitions.some((p) => p.topic === TOPIC && p.partition === partition));
    };
    const failing = (await dirOf(0))!.logDir;
    expect((await dirOf(1))!.logDir, 'the partitions in different dirs').to.not.equal(failing);

    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    const writes = new ContinuousProducer(producer, TOPIC, 2, 5).start();
    await writes.ackedMore(50, 'before the disk fails');

    await cluster.faults.failNextIo(1, 'write', 'EIO', TOPIC, 0);
    const moved = await cluster.waitForState(TOPIC, 0, (s) => s.leader === 2, 'leadership moved to broker 2');
    expect(moved).to.deep.include({ leader: 2, isr: [2], leaderEpoch: 1 });
    const [b1] = await cluster.admin.describeLogDirs([1]);
    const offline = b1!.logDirs.find((d) => d.logDir === failing);
    expect(offline?.error?.errorCode, `${failing} answered as offline`).to.equal(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await cluster.state(TOPIC, 1)).to.deep.include({ leader: 1, leaderEpoch: 0 });
    expect(await cluster.registeredBrokers(), 'broker 1 still registered').to.deep.equal([1, 2]);
    await writes.ackedMore(50, 'with the dir offline');

    await cluster.local.restartBroker(1);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 2, 'broker 1 back in the ISR');
    await writes.ackedMore(50, 'after the restart');
    await writes.stop();
    await cluster.expectNoAckedLoss(TOPIC, 2, writes.acked);
  });
});
