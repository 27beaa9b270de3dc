/**
 * ConfigChangeListener against a real ZooKeeper: notifications are applied once, in order, topic, broker, user and
 * client ones to their handler, and obsolete ones are purged. The handlers record what they are asked to reload:
 * what is under test is the listener's handling of /config/changes.
 */
import { expect } from 'chai';
import { ConfigChangeListener } from '../../lib/broker/config-change-listener.js';
import { silentLogger } from '../../lib/common/logger.js';
import { SystemTime, type Time } from '../../lib/common/time.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ConfigType, DEFAULT_CONFIG_ENTITY } from '../../lib/zk/zk-paths.js';
import { defer } from '../helpers/cleanup.js';
import { MockTime } from '../helpers/mock-time.js';
import { waitFor } from '../helpers/wait-for.js';
import { sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';

describe('ConfigChangeListener', function () {
  this.timeout(30_000);

  async function setUp(time: Time, changeExpirationMs: number) {
    const zk = defer(
      await KafkaZkClient.connect({
        connect: uniqueChroot((await sharedZooKeeper()).connect),
        sessionTimeoutMs: 6000,
        time: new MockTime(),
      }),
      (c) => c.close(),
    );
    await zk.createTopLevelPaths();
    const reloaded: string[] = [];
    const handlers = {
      topicChanged: (topic: string) => {
        reloaded.push(topic);
        return Promise.resolve();
      },
      brokerChanged: (entity: string) => {
        reloaded.push(`broker ${entity}`);
        return Promise.resolve();
      },
      clientEntityChanged: (entityPath: string) => {
        reloaded.push(entityPath);
        return Promise.resolve();
      },
    };
    return {
      zk,
      reloaded,
      start: () =>
        defer(new ConfigChangeListener(zk, silentLogger, handlers, time, changeExpirationMs), (l) => l.close()).start(),
    };
  }

  it('applies the notifications made after it started, once each and in order', async () => {
    const { zk, reloaded, start } = await setUp(SystemTime, 60_000);
    await zk.changeEntityConfig(ConfigType.Topic, 'before', { 'retention.ms': '1' });
    await start();
    await zk.changeEntityConfig(ConfigType.Topic, 'a', { 'retention.ms': '2' });
    await zk.changeEntityConfig(ConfigType.Broker, DEFAULT_CONFIG_ENTITY, { 'log.retention.hours': '1' });
    await zk.changeEntityConfig(ConfigType.User, 'alice', { producer_byte_rate: '1024' });
    await zk.changeEntityConfig(ConfigType.Topic, 'b', { 'retention.ms': '3' });
    await zk.changeEntityConfig(ConfigType.Broker, '2', { 'num.replica.fetchers': '2' });
    await zk.changeEntityConfig(ConfigType.User, 'alice/clients/c1', { consumer_byte_rate: '2048' });
    await waitFor(() => reloaded.length >= 6, 'the six changes to be applied');
    expect(reloaded).to.deep.equal(['a', 'broker <default>', 'users/alice', 'b', 'broker 2', 'users/alice/clients/c1']);
    expect(await zk.getConfigChangeNotifications()).to.have.length(7);
  });

  it('purges notifications older than the expiration when a new one arrives, as Kafka does after 15 minutes', async () => {
    const clock = { now: Date.now() };
    const { zk, reloaded, start } = await setUp(
      { milliseconds: () => clock.now, hiResMs: () => performance.now() },
      15 * 60_000,
    );
    await zk.changeEntityConfig(ConfigType.Topic, 'old1', { 'retention.ms': '1' });
    await zk.changeEntityConfig(ConfigType.Topic, 'old2', { 'retention.ms': '1' });
    await start();
    clock.now += 16 * 60_000;
    await zk.changeEntityConfig(ConfigType.Topic, 'fresh', { 'retention.ms': '2' });
    await waitFor(
      async () => (await zk.getConfigChangeNotifications()).length === 0,
      'the expired notifications to be purged',
    );
    expect(reloaded).to.deep.equal(['fresh']);
  });
});
