import { expect } from 'chai';
import fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { LogManager } from '../../../lib/log/log-manager.js';
import { defer } from '../../helpers/cleanup.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { FakeZk } from './fake-zk.js';
import { brokerFixture, producerBatch, type BrokerFixture } from './replication-fixtures.js';

/** Broker 1 alone leads t-0 (RF 1) over two log dirs; the log is created in the first. */
async function jbodBroker(
  dirs = [tmpDir(), tmpDir()],
  config: NonNullable<Parameters<typeof brokerFixture>[2]>['config'] = {},
): Promise<BrokerFixture & { dirs: string[] }> {
  const zk = new FakeZk();
  zk.createTopic('t', { 0: [1] });
  zk.setState('t', 0, { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 });
  const broker = brokerFixture(zk, 1, { logDirs: dirs, time: new MockTime(), config });
  await broker.replicaManager.startup();
  return { ...broker, dirs };
}

async function produce(broker: BrokerFixture, batches: number, recordsEach = 10): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const [r] = await broker.replicaManager.appendRecords({
      acks: 1,
      timeoutMs: 1000,
      entries: [{ topic: 't', partition: 0, records: producerBatch(recordsEach, 100) }],
    });
    expect(r!.errorCode).to.equal(ErrorCode.NONE);
  }
}

const partitionDir = (broker: BrokerFixture) => resolve(dirname(broker.replicaManager.getPartition('t', 0)!.log.dir));

function countRecords(broker: BrokerFixture): number {
  const log = broker.replicaManager.getPartition('t', 0)!.log;
  let n = 0;
  for (let offset = log.logStartOffset; offset < log.logEndOffset;) {
    const read = log.read(offset, 1 << 20, { minOneBatch: true });
    for (const b of iterateBatches(read.records)) {
      n += b.recordCount;
      offset = b.lastOffset + 1;
    }
  }
  return n;
}

describe('Moving a replica between log dirs (AlterReplicaLogDirs)', () => {
  it('copies the replica into a future log while appends go on, then swaps it in and deletes the old copy', async () => {
    const broker = await jbodBroker(undefined, { replicaFetchMaxBytes: 4096 });
    const [source, target] = broker.dirs.map((d) => resolve(d));
    expect(partitionDir(broker)).to.equal(source);
    await produce(broker, 20);
    const [moved] = broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: target! }]);
    expect(moved!.errorCode).to.equal(ErrorCode.NONE);
    const future = fs.readdirSync(target!).find((n) => n.endsWith('-future'));
    expect(future).to.match(/^t-0\.[0-9a-f]{32}-future$/);

    const during = broker.replicaManager.describeLogDirs(null);
    expect(during.find((d) => d.logDir === target)!.partitions).to.deep.include({
      topic: 't',
      partition: 0,
      size: 0,
      offsetLag: 200,
      isFuture: true,
    });
    await broker.scheduler.tick();
    await produce(broker, 5);
    for (let i = 0; i < 50 && partitionDir(broker) !== target; i++) await broker.scheduler.tick();

    expect(partitionDir(broker)).to.equal(target);
    expect(fs.readdirSync(target!).filter((n) => n.startsWith('t-0'))).to.deep.equal(['t-0']);
    expect(fs.readdirSync(source!).filter((n) => n.startsWith('t-0'))).to.have.length(1);
    expect(fs.readdirSync(source!).find((n) => n.startsWith('t-0'))).to.match(/-delete$/);
    expect(countRecords(broker)).to.equal(250);
    const after = broker.replicaManager.describeLogDirs(null);
    expect(after.find((d) => d.logDir === source)!.partitions).to.deep.equal([]);
    expect(after.find((d) => d.logDir === target)!.partitions.map((p) => p.isFuture)).to.deep.equal([false]);
    await produce(broker, 1);
    expect(countRecords(broker)).to.equal(260);
  });

  it('answers LOG_DIR_NOT_FOUND, REPLICA_NOT_AVAILABLE (creating the replica in that dir later), NONE when already there', async () => {
    const broker = await jbodBroker();
    const [source, target] = broker.dirs.map((d) => resolve(d));
    const results = broker.replicaManager.alterReplicaLogDirs([
      { topic: 't', partition: 0, dir: '/not/a/log/dir' },
      { topic: 't', partition: 0, dir: source! },
      { topic: 'later', partition: 3, dir: target! },
    ]);
    expect(results.map((r) => r.errorCode)).to.deep.equal([
      ErrorCode.LOG_DIR_NOT_FOUND,
      ErrorCode.NONE,
      ErrorCode.REPLICA_NOT_AVAILABLE,
    ]);
    expect(broker.logManager.getFutureLog({ topic: 't', partition: 0 })).to.equal(undefined);
    const created = broker.logManager.getOrCreateLog({ topic: 'later', partition: 3 });
    expect(resolve(dirname(created.dir))).to.equal(target);
  });

  it('cancels a running move when asked for the current dir, and replaces it when asked for a third dir', async () => {
    const dirs = [tmpDir(), tmpDir(), tmpDir()];
    const broker = await jbodBroker(dirs, { replicaAlterLogDirsIoMaxBytesPerSecond: 1 });
    await produce(broker, 5);
    const [source, second, third] = dirs.map((d) => resolve(d));
    const futureDir = () => broker.logManager.futureLogDirOf({ topic: 't', partition: 0 });
    const entries = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('t-0'));
    broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: second! }]);
    expect(futureDir()).to.equal(dirs[1]);
    broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: third! }]);
    expect(futureDir()).to.equal(dirs[2]);
    expect(entries(second!)[0]).to.match(/-delete$/);
    const [cancelled] = broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: source! }]);
    expect(cancelled!.errorCode).to.equal(ErrorCode.NONE);
    expect(futureDir()).to.equal(undefined);
    expect(broker.replicaManager.getPartition('t', 0)!.futureLog).to.equal(undefined);
    expect(entries(third!)[0]).to.match(/-delete$/);
    for (let i = 0; i < 5; i++) await broker.scheduler.tick(100);
    expect(partitionDir(broker)).to.equal(source);
    expect(countRecords(broker)).to.equal(50);
  });

  it('copies no faster than replica.alter.log.dirs.io.max.bytes.per.second', async () => {
    const broker = await jbodBroker(undefined, {
      replicaFetchMaxBytes: 1024,
      replicaAlterLogDirsIoMaxBytesPerSecond: 10_000,
    });
    await produce(broker, 40);
    const target = resolve(broker.dirs[1]!);
    broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: target }]);
    const future = () => broker.logManager.getFutureLog({ topic: 't', partition: 0 });
    for (let i = 0; i < 20; i++) await broker.scheduler.tick(100);
    // 2 s at 10,000 B/s (the quota's first window included): about 20 kB of the ~46 kB, one batch over at most.
    const copied = future()!.size;
    expect(copied).to.be.greaterThan(10_000);
    expect(copied).to.be.at.most(20_000 + 1300);
    broker.replicaManager.alterLogDirsQuota.setRate(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 100 && future() !== undefined; i++) await broker.scheduler.tick(100);
    expect(future()).to.equal(undefined);
    expect(partitionDir(broker)).to.equal(target);
  });

  it('resumes a move after a restart from the future log left on disk, and discards a future log with no current one', async () => {
    const dirs = [tmpDir(), tmpDir()];
    const first = await jbodBroker(dirs, { replicaAlterLogDirsIoMaxBytesPerSecond: 5000 });
    await produce(first, 30);
    first.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: resolve(dirs[1]!) }]);
    await first.scheduler.tick(100);
    expect(first.logManager.getFutureLog({ topic: 't', partition: 0 })!.logEndOffset).to.be.within(1, 299);
    await first.replicaManager.shutdown();
    await first.logManager.shutdown();

    const stray = join(dirs[1]!, `gone-0.${'ab'.repeat(16)}-future`);
    fs.cpSync(
      fs
        .readdirSync(dirs[1]!)
        .map((n) => join(dirs[1]!, n))
        .find((p) => p.endsWith('-future'))!,
      stray,
      {
        recursive: true,
      },
    );
    const second = await jbodBroker(dirs);
    expect(fs.existsSync(stray)).to.equal(false);
    for (let i = 0; i < 100 && partitionDir(second) !== resolve(dirs[1]!); i++) await second.scheduler.tick(100);
    expect(partitionDir(second)).to.equal(resolve(dirs[1]!));
    expect(countRecords(second)).to.equal(300);
  });

  it('keeps the future log in step when the current log is truncated', async () => {
    const broker = await jbodBroker(undefined, { replicaAlterLogDirsIoMaxBytesPerSecond: 3000 });
    await produce(broker, 10);
    broker.replicaManager.alterReplicaLogDirs([{ topic: 't', partition: 0, dir: resolve(broker.dirs[1]!) }]);
    await broker.scheduler.tick();
    const p = broker.replicaManager.getPartition('t', 0)!;
    expect(p.futureLog!.logEndOffset).to.be.within(30, 40);
    p.truncateTo(20);
    expect([p.log.logEndOffset, p.futureLog!.logEndOffset]).to.deep.equal([20, 20]);
    await produce(broker, 3);
    broker.replicaManager.alterLogDirsQuota.setRate(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < 20 && p.futureLog !== undefined; i++) await broker.scheduler.tick(100);
    expect(partitionDir(broker)).to.equal(resolve(broker.dirs[1]!));
    expect(countRecords(broker)).to.equal(50);
  });

  it('loads a future log as such at start and refuses two current copies of one partition', () => {
    const dirs = [tmpDir(), tmpDir()];
    fs.mkdirSync(join(dirs[0]!, 't-0'), { recursive: true });
    fs.mkdirSync(join(dirs[1]!, `t-0.${'cd'.repeat(16)}-future`), { recursive: true });
    const manager = defer(new LogManager({ logDirs: dirs }), (m) => m.shutdown());
    expect(manager.futureLogDirOf({ topic: 't', partition: 0 })).to.equal(dirs[1]);
    expect(manager.logDirOf({ topic: 't', partition: 0 })).to.equal(dirs[0]);
    fs.mkdirSync(join(dirs[1]!, 't-1'), { recursive: true });
    fs.mkdirSync(join(dirs[0]!, 't-1'), { recursive: true });
    expect(() => new LogManager({ logDirs: dirs })).to.throw(/Duplicate log directories for t-1/);
  });
});
