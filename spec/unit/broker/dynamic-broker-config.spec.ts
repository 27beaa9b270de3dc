import { expect } from 'chai';
import { parseBrokerConfig, type BrokerConfig } from '../../../lib/broker/broker-config.js';
import { DynamicBrokerConfig } from '../../../lib/broker/dynamic-broker-config.js';
import { ApiError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';

function dynamic(props: Record<string, string> = {}) {
  const config = new DynamicBrokerConfig(
    parseBrokerConfig({ 'broker.id': '1', 'zookeeper.connect': 'zk:2181', ...props }),
    silentLogger,
  );
  const applied: Array<[BrokerConfig, BrokerConfig]> = [];
  config.onReconfigure((next, previous) => applied.push([next, previous]));
  return { config, applied };
}

describe('DynamicBrokerConfig', () => {
  describe('#validate', () => {
    it('accepts dynamic keys with valid values, at either level', () => {
      const { config } = dynamic();
      config.validate('default', { 'log.retention.hours': '72', 'log.cleanup.policy': 'compact,delete' });
      config.validate('broker', { 'num.replica.fetchers': '4', 'log.cleaner.backoff.ms': '100' });
    });

    it('refuses static keys, unknown keys and bad values with INVALID_CONFIG and the reason', () => {
      const { config } = dynamic();
      const refused = (overrides: Record<string, string>, message: RegExp) =>
        expect(() => config.validate('broker', overrides))
          .to.throw(ApiError, message)
          .with.property('errorName', 'INVALID_CONFIG');
      refused({ 'broker.id': '5', 'log.dirs': '/x' }, /Cannot update these configs dynamically: broker.id,log.dirs/);
      refused({ 'log.cleaner.threads': '2' }, /Unknown broker config\(s\): log.cleaner.threads/);
      refused({ 'num.replica.fetchers': '0' }, /num.replica.fetchers.*at least 1/);
      refused({ 'log.retention.hours': 'soon' }, /log.retention.hours.*integer/);
    });
  });

  describe('#update', () => {
    it("keeps a secured broker's listener keys and inter-broker listener through an update", () => {
      const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="p";';
      const { config } = dynamic({
        listeners: 'SASL_SSL://:9093,PLAINTEXT://:9092',
        'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT',
        'inter.broker.listener.name': 'SASL_SSL',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas,
      });
      config.update('default', { 'log.retention.hours': '50' });
      expect(config.current.interBrokerListenerName).to.equal('SASL_SSL');
      expect(config.current.listenerOverrides).to.deep.equal({ SASL_SSL: { 'scram-sha-512.sasl.jaas.config': jaas } });
    });

    it('applies per-broker over cluster default over static, and tells the components what changed', () => {
      const { config, applied } = dynamic({ 'log.retention.hours': '100', 'num.replica.fetchers': '2' });
      expect(config.update('default', { 'log.retention.hours': '50', 'num.replica.fetchers': '3' })).to.deep.equal([
        'log.retention.hours',
        'num.replica.fetchers',
      ]);
      expect(config.current.logRetentionHours).to.equal(50);
      expect(config.update('broker', { 'log.retention.hours': '10' })).to.deep.equal(['log.retention.hours']);
      expect(config.current).to.include({ logRetentionHours: 10, numReplicaFetchers: 3 });
      expect(applied.map(([next, previous]) => [previous.logRetentionHours, next.logRetentionHours])).to.deep.equal([
        [100, 50],
        [50, 10],
      ]);
      expect(config.update('default', {})).to.deep.equal(['num.replica.fetchers']);
      expect(config.current).to.include({ logRetentionHours: 10, numReplicaFetchers: 2 });
      expect(config.update('default', {})).to.deep.equal([]);
      expect(applied).to.have.length(3);
      expect(config.staticConfig.logRetentionHours).to.equal(100);
    });

    it('ignores, key by key, overrides from ZooKeeper that are not dynamic or not valid', () => {
      const { config } = dynamic();
      config.update('broker', { 'broker.id': '7', 'num.replica.fetchers': '-1', 'log.retention.hours': '12' });
      expect(config.overrides('broker')).to.deep.equal({ 'log.retention.hours': '12' });
      expect(config.current).to.include({ brokerId: 1, numReplicaFetchers: 1, logRetentionHours: 12 });
    });
  });

  describe('#synonyms', () => {
    it("lists Kafka's sources over the key's synonyms: per-broker, default, static, then defaults meaning a value", () => {
      const { config } = dynamic({ 'log.retention.hours': '100' });
      config.update('default', { 'log.retention.minutes': '30' });
      config.update('broker', { 'log.retention.ms': '5000' });
      expect(config.synonyms('log.retention.ms')).to.deep.equal([
        { name: 'log.retention.ms', value: '5000', source: 'DYNAMIC_BROKER_CONFIG' },
        { name: 'log.retention.minutes', value: '30', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '100', source: 'STATIC_BROKER_CONFIG' },
        { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
      ]);
      expect(config.synonyms('log.retention.ms', false)[0]).to.deep.equal({
        name: 'log.retention.minutes',
        value: '30',
        source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      });
      expect(config.synonyms('num.partitions')).to.deep.equal([
        { name: 'num.partitions', value: '1', source: 'DEFAULT_CONFIG' },
      ]);
    });
  });
});
