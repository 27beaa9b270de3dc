import { expect } from 'chai';
import fc from 'fast-check';
import { MalformedZNodeError } from '../../../lib/zk/zk-errors.js';
import {
  BrokerIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ConfigType,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  IsrChangeNotificationSequenceZNode,
  LogDirEventNotificationSequenceZNode,
  PERSISTENT_PATHS,
  PreferredReplicaElectionZNode,
  ProducerIdBlockZNode,
  randomKafkaUuid,
  ReassignPartitionsZNode,
  replicaAssignment,
  TopicPartitionStateZNode,
  TopicZNode,
  type BrokerInfo,
  type ReplicaAssignment,
} from '../../../lib/zk/zk-paths.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const tp = { topic: 'orders', partition: 3 };

function expectMalformed(fn: () => unknown, ...fragments: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(MalformedZNodeError);
  for (const f of fragments) expect((error as Error).message).to.contain(f);
}

describe('zk-paths', () => {
  describe('ClusterIdZNode', () => {
    it("encodes Kafka's payload with a string version", () => {
      expect(ClusterIdZNode.encode('Qe2iFZJ7RzuQ0KEJrDShGw').toString()).to.equal(
        '{"version":"1","id":"Qe2iFZJ7RzuQ0KEJrDShGw"}',
      );
      expect(ClusterIdZNode.path).to.equal('/cluster/id');
    });

    it('decodes what it encodes', () => {
      expect(ClusterIdZNode.decode(ClusterIdZNode.encode('abc'))).to.equal('abc');
    });

    it('rejects a payload without an id', () => {
      expectMalformed(() => ClusterIdZNode.decode(b('{"version":"1"}')), '/cluster/id', 'field "id" must be a string');
    });
  });

  describe('randomKafkaUuid', () => {
    it('gives 22 url-safe base64 characters that never start with a dash', () => {
      const ids = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const id = randomKafkaUuid();
        expect(id).to.match(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
        ids.add(id);
      }
      expect(ids.size).to.equal(1000);
    });
  });

  describe('ControllerZNode', () => {
    it("encodes Kafka's payload with the timestamp as a string", () => {
      expect(ControllerZNode.encode(2, 1700000000123).toString()).to.equal(
        '{"version":1,"brokerid":2,"timestamp":"1700000000123"}',
      );
    });

    it('decodes the broker id', () => {
      expect(ControllerZNode.decode(b('{"version":1,"brokerid":7,"timestamp":"1"}'))).to.equal(7);
    });

    it('rejects malformed JSON naming the znode', () => {
      expectMalformed(() => ControllerZNode.decode(b('{"version":1,"brokerid":')), '/controller', 'not valid JSON');
      expectMalformed(
        () => ControllerZNode.decode(b('{"brokerid":"7"}')),
        'field "brokerid" must be an integer, found "7"',
      );
    });
  });

  describe('ControllerEpochZNode', () => {
    it('is plain integer text', () => {
      expect(ControllerEpochZNode.encode(12).toString()).to.equal('12');
      expect(ControllerEpochZNode.decode(b('12'))).to.equal(12);
      expect(ControllerEpochZNode.decode(b(' 4\n'))).to.equal(4);
    });

    it('rejects text that is not an integer', () => {
      expectMalformed(() => ControllerEpochZNode.decode(b('{"epoch":1}')), '/controller_epoch', 'expected an integer');
    });
  });

  describe('BrokerIdZNode', () => {
    const info: BrokerInfo = {
      id: 1,
      endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }],
    };

    it('encodes version 5 as Kafka 2.8 writes it', () => {
      expect(BrokerIdZNode.path(1)).to.equal('/brokers/ids/1');
      expect(BrokerIdZNode.encode(info, 1700000000000).toString()).to.equal(
        '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},' +
          '"endpoints":["PLAINTEXT://127.0.0.1:9092"],"jmx_port":-1,"port":9092,"host":"127.0.0.1",' +
          '"version":5,"timestamp":"1700000000000"}',
      );
    });

    it('writes rack, features, several listeners and IPv6 hosts', () => {
      const json = JSON.parse(
        BrokerIdZNode.encode(
          {
            id: 2,
            rack: 'r1',
            jmxPort: 9999,
            features: { 'feature.a': { minVersion: 1, maxVersion: 3 } },
            endpoints: [
              { listenerName: 'INTERNAL', securityProtocol: 'SSL', host: '::1', port: 9093 },
              { listenerName: 'CLIENT', securityProtocol: 'PLAINTEXT', host: 'h2', port: 9094 },
            ],
          },
          5,
        ).toString(),
      );
      expect(json).to.deep.equal({
        features: { 'feature.a': { min_version: 1, max_version: 3 } },
        listener_security_protocol_map: { INTERNAL: 'SSL', CLIENT: 'PLAINTEXT' },
        endpoints: ['INTERNAL://[::1]:9093', 'CLIENT://h2:9094'],
        rack: 'r1',
        jmx_port: 9999,
        port: 9094,
        host: 'h2',
        version: 5,
        timestamp: '5',
      });
    });

    it('has no legacy host and port without a PLAINTEXT endpoint', () => {
      const json = JSON.parse(
        BrokerIdZNode.encode(
          {
            id: 3,
            endpoints: [{ listenerName: 'SSL', securityProtocol: 'SSL', host: 'h', port: 1 }],
          },
          5,
        ).toString(),
      );
      expect(json.host).to.equal(null);
      expect(json.port).to.equal(-1);
    });

    it('round-trips', () => {
      const decoded = BrokerIdZNode.decode(1, BrokerIdZNode.encode({ ...info, rack: 'r' }, 42));
      expect(decoded).to.deep.equal({ ...info, rack: 'r', jmxPort: -1, features: {}, version: 5, timestampMs: 42 });
    });

    it('decodes a version 4 registration with a rack', () => {
      const decoded = BrokerIdZNode.decode(
        4,
        b(
          '{"listener_security_protocol_map":{"CLIENT":"SASL_SSL"},' +
            '"endpoints":["CLIENT://host1:9092"],"rack":"dc1","jmx_port":9999,"host":null,"timestamp":"2233345666",' +
            '"port":-1,"version":4}',
        ),
      );
      expect(decoded.endpoints).to.deep.equal([
        { listenerName: 'CLIENT', securityProtocol: 'SASL_SSL', host: 'host1', port: 9092 },
      ]);
      expect(decoded.rack).to.equal('dc1');
      expect(decoded.jmxPort).to.equal(9999);
      expect(decoded.timestampMs).to.equal(2233345666);
    });

    it('decodes version 2 (listener names are protocols) and version 1 (host and port only)', () => {
      const v2 = BrokerIdZNode.decode(
        5,
        b(
          '{"version":2,"host":"h","port":9092,"jmx_port":-1,"timestamp":"1",' +
            '"endpoints":["PLAINTEXT://h:9092","SSL://h:9093"]}',
        ),
      );
      expect(v2.endpoints.map((e) => e.securityProtocol)).to.deep.equal(['PLAINTEXT', 'SSL']);
      const v1 = BrokerIdZNode.decode(
        6,
        b('{"version":1,"host":"localhost","port":9092,"jmx_port":-1,"timestamp":"1"}'),
      );
      expect(v1.endpoints).to.deep.equal([
        { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'localhost', port: 9092 },
      ]);
      expect(v1.rack).to.equal(null);
    });

    it('rejects malformed endpoints and unknown protocols', () => {
      expectMalformed(
        () => BrokerIdZNode.decode(1, b('{"version":5,"endpoints":["localhost:9092"],"jmx_port":-1}')),
        '/brokers/ids/1',
        'endpoint "localhost:9092"',
      );
      expectMalformed(
        () =>
          BrokerIdZNode.decode(
            1,
            b(
              '{"version":5,"endpoints":["X://h:1"],' + '"listener_security_protocol_map":{"X":"MAGIC"},"jmx_port":-1}',
            ),
          ),
        'listener X has no known security protocol',
      );
      expectMalformed(() => BrokerIdZNode.decode(1, b('{"version":0}')), 'unsupported broker registration version 0');
    });
  });

  describe('TopicZNode', () => {
    const partitions = new Map<number, ReplicaAssignment>([
      [1, replicaAssignment([2, 1])],
      [0, replicaAssignment([1, 2])],
    ]);

    it('encodes version 3 with the topic id, partitions ascending', () => {
      expect(TopicZNode.path('orders')).to.equal('/brokers/topics/orders');
      expect(TopicZNode.encode({ topicId: 'vNPbbxmDRqK5ZsmZ4BmKcQ', partitions }).toString()).to.equal(
        '{"partitions":{"0":[1,2],"1":[2,1]},"topic_id":"vNPbbxmDRqK5ZsmZ4BmKcQ",' +
          '"adding_replicas":{},"removing_replicas":{},"version":3}',
      );
    });

    it('encodes version 2 without a topic id, with replicas being reassigned', () => {
      const moving = new Map([[0, replicaAssignment([1, 2, 3], [3], [1])]]);
      expect(TopicZNode.encode({ topicId: null, partitions: moving }).toString()).to.equal(
        '{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[1]}}',
      );
    });

    it('decodes version 1', () => {
      const a = TopicZNode.decode('t', b('{"version":1,"partitions":{"2":[1],"1":[1],"0":[1]}}'));
      expect(a.topicId).to.equal(null);
      expect([...a.partitions.keys()].sort()).to.deep.equal([0, 1, 2]);
      expect(a.partitions.get(2)).to.deep.equal({ replicas: [1], addingReplicas: [], removingReplicas: [] });
    });

    it('round-trips any assignment', () => {
      const replicas = fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 5 });
      fc.assert(
        fc.property(
          fc.dictionary(fc.integer({ min: 0, max: 9999 }).map(String), fc.tuple(replicas, replicas, replicas)),
          fc.option(fc.constant(randomKafkaUuid())),
          (dict, topicId) => {
            const map = new Map(Object.entries(dict).map(([p, [r, a, d]]) => [Number(p), replicaAssignment(r, a, d)]));
            expect(TopicZNode.decode('t', TopicZNode.encode({ topicId, partitions: map }))).to.deep.equal({
              topicId,
              partitions: map,
            });
          },
        ),
      );
    });

    it('rejects malformed partitions naming the field', () => {
      expectMalformed(
        () => TopicZNode.decode('t', b('{"version":2,"partitions":{"0":[1,"x"]}}')),
        '/brokers/topics/t',
        'field "partitions.0[1]" must be an integer, found "x"',
      );
      expectMalformed(
        () => TopicZNode.decode('t', b('{"version":2,"partitions":{"zero":[1]}}')),
        'partition "zero" is not a partition number',
      );
    });
  });

  describe('TopicPartitionStateZNode', () => {
    const state = { leader: 1, leaderEpoch: 4, isr: [1, 2], controllerEpoch: 3 };

    it("encodes Kafka's payload", () => {
      expect(TopicPartitionStateZNode.path(tp)).to.equal('/brokers/topics/orders/partitions/3/state');
      expect(TopicPartitionStateZNode.encode(state).toString()).to.equal(
        '{"controller_epoch":3,"leader":1,"version":1,"leader_epoch":4,"isr":[1,2]}',
      );
    });

    it('round-trips any state', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -1, max: 1000 }),
          fc.nat(),
          fc.array(fc.nat({ max: 1000 })),
          fc.nat(),
          (leader, leaderEpoch, isr, controllerEpoch) => {
            const s = { leader, leaderEpoch, isr, controllerEpoch };
            expect(TopicPartitionStateZNode.decode(tp, TopicPartitionStateZNode.encode(s))).to.deep.equal(s);
          },
        ),
      );
    });

    it('rejects a state without an ISR', () => {
      expectMalformed(
        () => TopicPartitionStateZNode.decode(tp, b('{"controller_epoch":3,"leader":1,"leader_epoch":4}')),
        '/brokers/topics/orders/partitions/3/state',
        'field "isr" must be an array of integers, found nothing',
      );
    });
  });

  describe('ConfigEntityZNode', () => {
    it("encodes Kafka's payload with string values", () => {
      expect(ConfigEntityZNode.path(ConfigType.Topic, 'orders')).to.equal('/config/topics/orders');
      expect(ConfigEntityZNode.encode({ 'retention.ms': '1000', 'cleanup.policy': 'compact' }).toString()).to.equal(
        '{"version":1,"config":{"retention.ms":"1000","cleanup.policy":"compact"}}',
      );
    });

    it('decodes an empty znode or a missing config as no overrides', () => {
      expect(ConfigEntityZNode.decode('topics', 't', Buffer.alloc(0))).to.deep.equal({});
      expect(ConfigEntityZNode.decode('topics', 't', b('{"version":1}'))).to.deep.equal({});
      expect(ConfigEntityZNode.decode('topics', 't', ConfigEntityZNode.encode({ a: 'b' }))).to.deep.equal({ a: 'b' });
    });

    it('rejects values that are not strings', () => {
      expectMalformed(
        () => ConfigEntityZNode.decode('topics', 't', b('{"version":1,"config":{"retention.ms":1000}}')),
        '/config/topics/t',
        'field "config.retention.ms" must be a string, found 1000',
      );
    });
  });

  describe('ConfigEntityChangeNotificationSequenceZNode', () => {
    it('encodes version 2 with the entity path', () => {
      expect(ConfigEntityChangeNotificationSequenceZNode.createPath).to.equal('/config/changes/config_change_');
      expect(ConfigEntityChangeNotificationSequenceZNode.encode('topics/orders').toString()).to.equal(
        '{"version":2,"entity_path":"topics/orders"}',
      );
    });

    it('decodes versions 1 and 2', () => {
      const path = '/config/changes/config_change_0000000001';
      expect(
        ConfigEntityChangeNotificationSequenceZNode.decode(path, b('{"version":2,"entity_path":"topics/t"}')),
      ).to.equal('topics/t');
      expect(
        ConfigEntityChangeNotificationSequenceZNode.decode(
          path,
          b('{"version":1,"entity_type":"topics","entity_name":"t"}'),
        ),
      ).to.equal('topics/t');
      expectMalformed(
        () => ConfigEntityChangeNotificationSequenceZNode.decode(path, b('{"version":3}')),
        'unsupported config change notification version 3',
      );
    });
  });

  describe('ReassignPartitionsZNode', () => {
    it("encodes and decodes Kafka's legacy reassignment request", () => {
      const r = [{ topic: 't', partition: 0, replicas: [1, 2, 3] }];
      expect(ReassignPartitionsZNode.path).to.equal('/admin/reassign_partitions');
      expect(ReassignPartitionsZNode.encode(r).toString()).to.equal(
        '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}',
      );
      expect(ReassignPartitionsZNode.decode(ReassignPartitionsZNode.encode(r))).to.deep.equal(r);
    });

    it('ignores log_dirs and rejects entries without replicas', () => {
      expect(
        ReassignPartitionsZNode.decode(
          b('{"version":1,"partitions":[{"topic":"t","partition":1,' + '"replicas":[2],"log_dirs":["any"]}]}'),
        ),
      ).to.deep.equal([{ topic: 't', partition: 1, replicas: [2] }]);
      expectMalformed(
        () => ReassignPartitionsZNode.decode(b('{"version":1,"partitions":[{"topic":"t","partition":1}]}')),
        'field "partitions[0].replicas" must be an array of integers',
      );
    });
  });

  describe('PreferredReplicaElectionZNode', () => {
    it('encodes and decodes the partitions to elect', () => {
      expect(PreferredReplicaElectionZNode.path).to.equal('/admin/preferred_replica_election');
      expect(PreferredReplicaElectionZNode.encode([tp]).toString()).to.equal(
        '{"version":1,"partitions":[{"topic":"orders","partition":3}]}',
      );
      expect(PreferredReplicaElectionZNode.decode(PreferredReplicaElectionZNode.encode([tp]))).to.deep.equal([tp]);
    });
  });

  describe('IsrChangeNotificationSequenceZNode', () => {
    it("encodes Kafka's payload under isr_change_", () => {
      expect(IsrChangeNotificationSequenceZNode.path()).to.equal('/isr_change_notification/isr_change_');
      expect(IsrChangeNotificationSequenceZNode.encode([tp, { topic: 'a', partition: 0 }]).toString()).to.equal(
        '{"version":1,"partitions":[{"topic":"orders","partition":3},{"topic":"a","partition":0}]}',
      );
    });

    it('decodes and extracts sequence numbers', () => {
      const path = IsrChangeNotificationSequenceZNode.path('0000000007');
      expect(IsrChangeNotificationSequenceZNode.sequenceNumber(path)).to.equal('0000000007');
      expect(IsrChangeNotificationSequenceZNode.sequenceNumber('isr_change_0000000008')).to.equal('0000000008');
      expect(
        IsrChangeNotificationSequenceZNode.decode(path, IsrChangeNotificationSequenceZNode.encode([tp])),
      ).to.deep.equal([tp]);
      expectMalformed(
        () => IsrChangeNotificationSequenceZNode.decode(path, b('{"version":1,"partitions":[3]}')),
        path,
        'field "partitions[0]" must be an object, found 3',
      );
    });
  });

  describe('LogDirEventNotificationSequenceZNode', () => {
    it('encodes a log dir failure of a broker', () => {
      expect(LogDirEventNotificationSequenceZNode.path()).to.equal('/log_dir_event_notification/log_dir_event_');
      expect(LogDirEventNotificationSequenceZNode.encode(4).toString()).to.equal('{"version":1,"broker":4,"event":1}');
      expect(
        LogDirEventNotificationSequenceZNode.decode('/x', LogDirEventNotificationSequenceZNode.encode(4)),
      ).to.equal(4);
    });
  });

  describe('ProducerIdBlockZNode', () => {
    it('writes the block bounds as strings', () => {
      const block = { brokerId: 1, blockStartId: 0, blockEndId: 999 };
      expect(ProducerIdBlockZNode.encode(block).toString()).to.equal(
        '{"version":1,"broker":1,"block_start":"0","block_end":"999"}',
      );
      expect(ProducerIdBlockZNode.decode(ProducerIdBlockZNode.encode(block))).to.deep.equal(block);
      expectMalformed(
        () => ProducerIdBlockZNode.decode(b('{"version":1,"broker":1,"block_start":0,"block_end":"9"}')),
        'field "block_start" must be an integer written as a string, found 0',
      );
    });
  });

  describe('PERSISTENT_PATHS', () => {
    it('lists every parent a broker expects', () => {
      expect([...PERSISTENT_PATHS].sort()).to.deep.equal([
        '/admin/delete_topics',
        '/brokers/ids',
        '/brokers/seqid',
        '/brokers/topics',
        '/cluster',
        '/config/brokers',
        '/config/changes',
        '/config/clients',
        '/config/topics',
        '/config/users',
        '/isr_change_notification',
        '/latest_producer_id_block',
        '/log_dir_event_notification',
      ]);
      expect(DeleteTopicsTopicZNode.path('t')).to.equal('/admin/delete_topics/t');
    });
  });
});
