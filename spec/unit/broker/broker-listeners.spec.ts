import { expect } from 'chai';
import { parseBrokerConfig } from '../../../lib/broker/broker-config.js';
import { resolveListeners, type ListenerKeys } from '../../../lib/broker/broker-listeners.js';

const KAFKA_DEFAULT_SECURITY_MAP = [
  'PLAINTEXT:PLAINTEXT',
  'SSL:SSL',
  'SASL_PLAINTEXT:SASL_PLAINTEXT',
  'SASL_SSL:SASL_SSL',
];

function keys(overrides: Partial<ListenerKeys>): ListenerKeys {
  return {
    listeners: ['PLAINTEXT://127.0.0.1:9092'],
    advertisedListeners: [],
    listenerSecurityProtocolMap: KAFKA_DEFAULT_SECURITY_MAP,
    listenerWireProtocolMap: [],
    interBrokerListenerName: '',
    securityInterBrokerProtocol: 'PLAINTEXT',
    ...overrides,
  };
}

const TWO = keys({
  listeners: ['PLAINTEXT://127.0.0.1:9092', 'KAFKA://:9192'],
  listenerSecurityProtocolMap: ['PLAINTEXT:PLAINTEXT', 'KAFKA:PLAINTEXT'],
  listenerWireProtocolMap: ['KAFKA:KAFKA'],
});

describe('broker listeners', () => {
  it("resolves Kafka's defaults to one PLAINTEXT listener speaking MQ", () => {
    expect(resolveListeners(keys({}))).to.deep.equal([
      {
        name: 'PLAINTEXT',
        host: '127.0.0.1',
        port: 9092,
        advertisedHost: '127.0.0.1',
        advertisedPort: 9092,
        securityProtocol: 'PLAINTEXT',
        wireProtocol: 'MQ',
        interBroker: true,
      },
    ]);
  });

  it('gives a listener the wire protocol the map names, and advertises loopback for a wildcard host', () => {
    const [plain, kafka] = resolveListeners(TWO);
    expect(plain!.wireProtocol).to.equal('MQ');
    expect(kafka).to.deep.include({
      name: 'KAFKA',
      host: '',
      port: 9192,
      advertisedHost: '127.0.0.1',
      wireProtocol: 'KAFKA',
    });
  });

  it('advertises the address advertised.listeners gives for a name, the bound one for the others', () => {
    const [plain, kafka] = resolveListeners({ ...TWO, advertisedListeners: ['KAFKA://kafka.example:19092'] });
    expect([plain!.advertisedHost, plain!.advertisedPort]).to.deep.equal(['127.0.0.1', 9092]);
    expect([kafka!.advertisedHost, kafka!.advertisedPort]).to.deep.equal(['kafka.example', 19092]);
  });

  it('needs a security protocol for every listener: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL', () => {
    expect(() => resolveListeners({ ...TWO, listenerSecurityProtocolMap: KAFKA_DEFAULT_SECURITY_MAP })).to.throw(
      /No security protocol defined for listener KAFKA: add KAFKA:PLAINTEXT to listener.security.protocol.map/,
    );
    const [, kafka] = resolveListeners({
      ...TWO,
      listenerSecurityProtocolMap: ['PLAINTEXT:PLAINTEXT', 'KAFKA:SASL_SSL'],
    });
    expect(kafka!.securityProtocol).to.equal('SASL_SSL');
    expect(() =>
      resolveListeners({ ...TWO, listenerSecurityProtocolMap: ['PLAINTEXT:PLAINTEXT', 'KAFKA:KERBEROS'] }),
    ).to.throw(/maps listener KAFKA to KERBEROS, which is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/);
  });

  it('picks the inter-broker listener by inter.broker.listener.name, else by security.inter.broker.protocol', () => {
    const secure = keys({
      listeners: ['INTERNAL://:9091', 'SASL_SSL://:9092', 'SSL://:9093'],
      listenerSecurityProtocolMap: ['INTERNAL:SASL_SSL', 'SASL_SSL:SASL_SSL', 'SSL:SSL'],
    });
    const chosen = (k: Partial<ListenerKeys>) => resolveListeners({ ...secure, ...k }).filter((l) => l.interBroker);
    expect(chosen({ interBrokerListenerName: 'INTERNAL' }).map((l) => l.name)).to.deep.equal(['INTERNAL']);
    expect(chosen({ securityInterBrokerProtocol: 'SSL' }).map((l) => l.name)).to.deep.equal(['SSL']);
    expect(() => resolveListeners(secure)).to.throw(
      /listener named by security.inter.broker.protocol=PLAINTEXT .* listeners has none of that name \(INTERNAL, SASL_SSL, SSL\)/,
    );
  });

  it('keeps the inter-broker listener on MQ, since brokers speak MQ to each other', () => {
    expect(() => resolveListeners({ ...TWO, listenerWireProtocolMap: ['PLAINTEXT:KAFKA'] })).to.throw(
      /inter-broker listener PLAINTEXT .* must speak MQ/,
    );
    expect(() =>
      resolveListeners(keys({ listeners: ['KAFKA://:9192'], listenerSecurityProtocolMap: ['KAFKA:PLAINTEXT'] })),
    ).to.throw(/has none of that name \(KAFKA\)/);
  });

  it('refuses unknown names in the maps and advertised.listeners, bad protocols, and repeated names or ports', () => {
    expect(() => resolveListeners({ ...TWO, listenerWireProtocolMap: ['OTHER:KAFKA'] })).to.throw(
      /listener.wire.protocol.map names listener OTHER, which is not in listeners \(PLAINTEXT, KAFKA\)/,
    );
    expect(() => resolveListeners({ ...TWO, advertisedListeners: ['OTHER://h:1'] })).to.throw(/advertised.listeners/);
    expect(() => resolveListeners({ ...TWO, listenerWireProtocolMap: ['KAFKA:HTTP'] })).to.throw(
      /gives listener KAFKA the protocol HTTP; expected one of MQ, KAFKA/,
    );
    expect(() => resolveListeners({ ...TWO, listenerWireProtocolMap: ['KAFKA'] })).to.throw(
      /'KAFKA' is not NAME:PROTOCOL/,
    );
    expect(() => resolveListeners(keys({ listeners: ['PLAINTEXT://:1', 'PLAINTEXT://:2'] }))).to.throw(
      /PLAINTEXT twice/,
    );
    expect(() =>
      resolveListeners({ ...TWO, listeners: ['PLAINTEXT://127.0.0.1:9092', 'KAFKA://127.0.0.1:9092'] }),
    ).to.throw(/port 9092 twice/);
    expect(() => resolveListeners(keys({ listeners: ['plaintext://:1'] }))).to.throw(/expected NAME:\/\/host:port/);
  });

  it('is checked when the broker config is parsed, naming the keys', () => {
    const base = { 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181' };
    const config = parseBrokerConfig({
      ...base,
      listeners: 'PLAINTEXT://127.0.0.1:9092,KAFKA://127.0.0.1:9192',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT',
      'listener.wire.protocol.map': 'KAFKA:KAFKA',
    });
    expect(config.listenerWireProtocolMap).to.deep.equal(['KAFKA:KAFKA']);
    expect(() =>
      parseBrokerConfig({ ...base, listeners: 'PLAINTEXT://127.0.0.1:9092,KAFKA://127.0.0.1:9192' }),
    ).to.throw(/listener.security.protocol.map/);
    expect(() =>
      parseBrokerConfig({
        ...base,
        'inter.broker.listener.name': 'PLAINTEXT',
        'security.inter.broker.protocol': 'SSL',
      }),
    ).to.throw(/Only one of inter.broker.listener.name and security.inter.broker.protocol should be set/);
  });

  it('takes listener.name.<listener>.<key> overrides for the listeners that exist and the keys that may vary', () => {
    const base = { 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181' };
    const config = parseBrokerConfig({
      ...base,
      listeners: 'PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9093',
      'listener.name.sasl_ssl.ssl.client.auth': 'required',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': 'x required username="a" password="b";',
    });
    expect(config.listenerOverrides).to.deep.equal({
      SASL_SSL: {
        'ssl.client.auth': 'required',
        'scram-sha-512.sasl.jaas.config': 'x required username="a" password="b";',
      },
    });
    expect(() => parseBrokerConfig({ ...base, 'listener.name.other.ssl.client.auth': 'none' })).to.throw(
      /names listener OTHER, which is not in listeners \(PLAINTEXT\)/,
    );
    expect(() => parseBrokerConfig({ ...base, 'listener.name.plaintext.log.dirs': '/x' })).to.throw(
      /'log.dirs' cannot be set per listener/,
    );
    expect(() => parseBrokerConfig({ ...base, 'listener.name.plaintext.ssl.client.auth': 'sometimes' })).to.throw(
      /listener.name.plaintext.ssl.client.auth/,
    );
  });
});
