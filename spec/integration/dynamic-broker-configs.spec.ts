/**
 * Dynamic broker configs through `mq-admin configs` against three running brokers (server.properties sets
 * log.retention.hours=100): the cluster default and a per-broker override land in /config/brokers/<default> and
 * /config/brokers/<id> (read back from ZooKeeper), every broker reports them with Kafka's sources and synonyms
 * (through the Admin client), they take effect without a restart (retention deletes old records; the fetchers
 * resize), they survive a restart, and static or unknown keys are refused with the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const HOUR_MS = 3_600_000;

describe('Dynamic broker configs with mq-admin configs (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  let zk: KafkaZkClient;
  const boot = () => ['--bootstrap-server', cluster.bootstrapServers];
  const brokerConfig = async (id: number, name: string) =>
    (await admin.describeConfigs([{ type: 'broker', name: String(id), keys: [name] }]))[0]!.configs[0]!;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'log.retention.hours': 100, 'log.retention.check.interval.ms': 500 },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    zk = await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 10_000 });
  });
  after(async () => {
    await zk?.close();
    await admin?.close();
    await cluster?.stop();
  });

  it('applies a cluster-wide default on every running broker: sources, synonyms, and retention of old records', async () => {
    await admin.createTopics([{ name: 'aged', numPartitions: 1, replicationFactor: 3 }]);
    const producer = new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' });
    await producer.connect();
    try {
      const twoHoursAgo = Date.now() - 2 * HOUR_MS;
      await producer.sendBatch(
        Array.from({ length: 20 }, (_, i) => ({ topic: 'aged', value: `v${i}`, timestamp: twoHoursAgo })),
      );
    } finally {
      await producer.close();
    }

    const altered = await mqAdmin([
      'configs',
      ...boot(),
      '--entity-type',
      'brokers',
      '--entity-default',
      '--alter',
      '--add-config',
      'log.retention.hours=1',
    ]);
    expect(altered).to.include({ code: 0, stdout: 'Completed updating default config for brokers in the cluster.\n' });
    expect(await zk.getEntityConfig('brokers', '<default>')).to.deep.equal({ 'log.retention.hours': '1' });

    for (const id of cluster.local.brokerIds()) {
      await waitFor(
        async () => (await brokerConfig(id, 'log.retention.hours')).value === '1',
        `broker ${id} to apply it`,
      );
      expect(await brokerConfig(id, 'log.retention.hours')).to.deep.include({
        source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
        isReadOnly: false,
        synonyms: [
          { name: 'log.retention.hours', value: '1', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' },
          { name: 'log.retention.hours', value: '100', source: 'STATIC_BROKER_CONFIG' },
          { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
        ],
      });
    }
    // Topics without an override inherit it: the records two hours old go at the next retention check.
    const [retention] = (await admin.describeConfigs([{ type: 'topic', name: 'aged', keys: ['retention.ms'] }]))[0]!
      .configs;
    expect(retention).to.deep.include({ value: String(HOUR_MS), source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' });
    await waitFor(
      async () => (await admin.listOffsets([{ topic: 'aged', partition: 0, spec: 'earliest' }]))[0]!.offset === 20,
      'the old records to be deleted by retention',
    );

    const described = await mqAdmin([
      'configs',
      ...boot(),
      '--entity-type',
      'brokers',
      '--entity-default',
      '--describe',
    ]);
    expect(described.stdout).to.equal(
      'Default configs for brokers in the cluster are:\n' +
        '  log.retention.hours=1 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.hours=1}\n',
    );
  });

  it('puts a per-broker override above the default, applies it at once, and keeps it across a restart', async () => {
    const logFile = join(cluster.local.broker(2).dir, 'broker.log');
    const altered = await mqAdmin([
      'configs',
      ...boot(),
      '--entity-type',
      'brokers',
      '--entity-name',
      '2',
      '--alter',
      '--add-config',
      'log.retention.hours=5,num.replica.fetchers=3',
    ]);
    expect(altered).to.include({ code: 0, stdout: 'Completed updating config for broker 2.\n' });
    expect(await zk.getEntityConfig('brokers', '2')).to.deep.equal({
      'log.retention.hours': '5',
      'num.replica.fetchers': '3',
    });
    expect(await brokerConfig(2, 'log.retention.hours')).to.deep.include({
      value: '5',
      source: 'DYNAMIC_BROKER_CONFIG',
      synonyms: [
        { name: 'log.retention.hours', value: '5', source: 'DYNAMIC_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '1', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '100', source: 'STATIC_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
      ],
    });
    expect((await brokerConfig(1, 'log.retention.hours')).value).to.equal('1');
    expect(readFileSync(logFile, 'utf8')).to.match(/"from":1,"to":3,"msg":"resizing the replica fetchers per leader"/);

    const described = await mqAdmin(['configs', ...boot(), '--broker', '2', '--describe']);
    expect(described.stdout.split('\n').slice(0, 1)).to.deep.equal(['Dynamic configs for broker 2 are:']);
    expect(described.stdout).to.include(
      '  num.replica.fetchers=3 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:num.replica.fetchers=3, DEFAULT_CONFIG:num.replica.fetchers=1}\n',
    );

    await cluster.local.restartBroker(2);
    await waitFor(async () => (await admin.describeCluster()).brokers.length === 3, 'broker 2 back');
    expect(await brokerConfig(2, 'num.replica.fetchers')).to.deep.include({
      value: '3',
      source: 'DYNAMIC_BROKER_CONFIG',
    });

    const deleted = await mqAdmin([
      'configs',
      ...boot(),
      '--entity-type',
      'brokers',
      '--entity-name',
      '2',
      '--alter',
      '--delete-config',
      'log.retention.hours',
    ]);
    expect(deleted.code).to.equal(0);
    expect(await brokerConfig(2, 'log.retention.hours')).to.deep.include({
      value: '1',
      source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
    });
  });

  it('refuses static and unknown keys with the reason, and changes nothing', async () => {
    const staticKey = await mqAdmin([
      'configs',
      ...boot(),
      '--entity-type',
      'brokers',
      '--entity-name',
      '1',
      '--alter',
      '--add-config',
      'log.dirs=/elsewhere,log.retention.hours=2',
    ]);
    expect(staticKey.code).to.equal(1);
    expect(staticKey.stderr).to.match(
      /Cannot update these configs dynamically: log\.dirs.*server\.properties.*INVALID_CONFIG/,
    );
    const unknown = await mqAdmin([
      'configs',
      ...boot(),
      '--broker-defaults',
      '--alter',
      '--add-config',
      'log.cleaner.threads=2',
    ]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('Unknown broker config(s): log.cleaner.threads');
    expect(await zk.getEntityConfig('brokers', '1')).to.deep.equal({});
    expect(await zk.getEntityConfig('brokers', '<default>')).to.deep.equal({ 'log.retention.hours': '1' });
    expect(await brokerConfig(1, 'log.dirs')).to.deep.include({ isReadOnly: true, source: 'STATIC_BROKER_CONFIG' });
  });
});
