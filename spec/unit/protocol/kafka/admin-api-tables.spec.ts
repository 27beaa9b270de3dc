/**
 * The Kafka-listener tables of DeleteRecords (21), AlterReplicaLogDirs (34), ElectLeaders (43) and
 * IncrementalAlterConfigs (44) against
 * request bytes written out by hand from Kafka's published message schemas (field order, widths, compact lengths
 * as length + 1, a tagged-field count of 0 after each flexible struct), at the oldest and the newest version served.
 * No client at hand speaks AlterReplicaLogDirs, ElectLeaders or IncrementalAlterConfigs (Debian's librdkafka binding
 * and KafkaJS lack them), so this is where their wire layout is pinned; KafkaJS's deleteTopicRecords checks DeleteRecords end to end
 * in spec/integration/kafka-clients.spec.ts.
 */
import { expect } from 'chai';
import { KafkaReader } from '../../../../lib/protocol/kafka/kafka-reader.js';
import { KafkaWriter } from '../../../../lib/protocol/kafka/kafka-writer.js';
import type { KafkaApi } from '../../../../lib/protocol/kafka/kafka-api.js';
import { KAFKA_DELETE_RECORDS } from '../../../../lib/protocol/kafka/messages/delete-records.js';
import { KAFKA_ALTER_REPLICA_LOG_DIRS } from '../../../../lib/protocol/kafka/messages/alter-replica-log-dirs.js';
import { KAFKA_ELECT_LEADERS } from '../../../../lib/protocol/kafka/messages/elect-leaders.js';
import { KAFKA_INCREMENTAL_ALTER_CONFIGS } from '../../../../lib/protocol/kafka/messages/incremental-alter-configs.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeRequest(api: KafkaApi, version: number, bytes: Buffer): unknown {
  const r = new KafkaReader(bytes);
  const body = api.request(version).read(r);
  expect(r.remaining, 'bytes left over').to.equal(0);
  api.adaptRequest(body, version);
  return body;
}

function encodeResponse(api: KafkaApi, version: number, body: object): Buffer {
  const w = new KafkaWriter();
  w.begin();
  api.response(version).write(w, body);
  return Buffer.concat(w.finish()).subarray(4);
}

describe('Kafka-listener tables of the admin APIs, against hand-written wire bytes', () => {
  describe('DeleteRecords', () => {
    const request = { topics: [{ name: 't', partitions: [{ partitionIndex: 1, offset: 5 }] }], timeoutMs: 3000 };
    it('reads v0 (classic) and v2 (flexible) requests', () => {
      const v0 = hex('00000001 0001 74 00000001 00000001 0000000000000005 00000bb8');
      expect(decodeRequest(KAFKA_DELETE_RECORDS, 0, v0)).to.deep.equal(request);
      const v2 = hex('02 02 74 02 00000001 0000000000000005 00 00 00000bb8 00');
      expect(decodeRequest(KAFKA_DELETE_RECORDS, 2, v2)).to.deep.equal(request);
    });
    it('writes the v2 response with the low watermark before the error code', () => {
      const body = {
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 1, lowWatermark: 5, errorCode: 0 }] }],
      };
      expect(encodeResponse(KAFKA_DELETE_RECORDS, 2, body).toString('hex')).to.equal(
        '00000000' + '02' + '0274' + '02' + '00000001' + '0000000000000005' + '0000' + '00' + '00' + '00',
      );
    });
  });

  describe('AlterReplicaLogDirs', () => {
    const request = { dirs: [{ path: '/d', topics: [{ name: 't', partitions: [0, 2] }] }] };
    it('reads v0 (classic) and v2 (flexible) requests', () => {
      const v0 = hex('00000001 0002 2f64 00000001 0001 74 00000002 00000000 00000002');
      expect(decodeRequest(KAFKA_ALTER_REPLICA_LOG_DIRS, 0, v0)).to.deep.equal(request);
      const v2 = hex('02 03 2f64 02 02 74 03 00000000 00000002 00 00 00');
      expect(decodeRequest(KAFKA_ALTER_REPLICA_LOG_DIRS, 2, v2)).to.deep.equal(request);
    });
    it('writes the v0 and v2 responses: topic name, then each partition with its error code', () => {
      const body = {
        throttleTimeMs: 0,
        results: [{ topicName: 't', partitions: [{ partitionIndex: 2, errorCode: 57 }] }],
      };
      expect(encodeResponse(KAFKA_ALTER_REPLICA_LOG_DIRS, 0, body).toString('hex')).to.equal(
        '00000000' + '00000001' + '000174' + '00000001' + '00000002' + '0039',
      );
      expect(encodeResponse(KAFKA_ALTER_REPLICA_LOG_DIRS, 2, body).toString('hex')).to.equal(
        '00000000' + '02' + '0274' + '02' + '00000002' + '0039' + '00' + '00' + '00',
      );
    });
  });

  describe('ElectLeaders', () => {
    it('reads v0 without an election type as a preferred election, and v2 with one', () => {
      const v0 = hex('00000001 0001 74 00000001 00000002 00007530');
      expect(decodeRequest(KAFKA_ELECT_LEADERS, 0, v0)).to.deep.equal({
        electionType: 0,
        topicPartitions: [{ topic: 't', partitions: [2] }],
        timeoutMs: 30000,
      });
      const v2 = hex('01 02 02 74 02 00000002 00 00007530 00');
      expect(decodeRequest(KAFKA_ELECT_LEADERS, 2, v2)).to.deep.equal({
        electionType: 1,
        topicPartitions: [{ topic: 't', partitions: [2] }],
        timeoutMs: 30000,
      });
    });
    it('reads a null topic list (every partition) as null', () => {
      expect(decodeRequest(KAFKA_ELECT_LEADERS, 2, hex('00 00 00007530 00'))).to.deep.include({
        topicPartitions: null,
      });
    });
    it('writes the top-level error code from v1 on, not in v0', () => {
      const body = {
        throttleTimeMs: 0,
        errorCode: 0,
        replicaElectionResults: [
          { topic: 't', partitionResult: [{ partitionId: 2, errorCode: 84, errorMessage: null }] },
        ],
      };
      expect(encodeResponse(KAFKA_ELECT_LEADERS, 0, body).toString('hex')).to.equal(
        '00000000' + '00000001' + '000174' + '00000001' + '00000002' + '0054' + 'ffff',
      );
      expect(encodeResponse(KAFKA_ELECT_LEADERS, 2, body).toString('hex')).to.equal(
        '00000000' + '0000' + '02' + '0274' + '02' + '00000002' + '0054' + '00' + '00' + '00' + '00',
      );
    });
  });

  describe('IncrementalAlterConfigs', () => {
    const request = {
      resources: [
        {
          resourceType: 2,
          resourceName: 't',
          configs: [
            { name: 'retention.ms', configOperation: 0, value: '1000' },
            { name: 'cleanup.policy', configOperation: 1, value: null },
          ],
        },
      ],
      validateOnly: false,
    };
    const name1 = Buffer.from('retention.ms').toString('hex');
    const name2 = Buffer.from('cleanup.policy').toString('hex');
    it('reads v0 (classic) and v1 (flexible) requests, a deleted key with a null value', () => {
      const v0 = hex(`00000001 02 0001 74 00000002 000c ${name1} 00 0004 31303030 000e ${name2} 01 ffff 00`);
      expect(decodeRequest(KAFKA_INCREMENTAL_ALTER_CONFIGS, 0, v0)).to.deep.equal(request);
      const v1 = hex(`02 02 02 74 03 0d ${name1} 00 05 31303030 00 0f ${name2} 01 00 00 00 00 00`);
      expect(decodeRequest(KAFKA_INCREMENTAL_ALTER_CONFIGS, 1, v1)).to.deep.equal(request);
    });
    it('writes the v1 response: error, message, then the resource', () => {
      const body = {
        throttleTimeMs: 0,
        responses: [{ errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't' }],
      };
      expect(encodeResponse(KAFKA_INCREMENTAL_ALTER_CONFIGS, 1, body).toString('hex')).to.equal(
        '00000000' + '02' + '0028' + '04626164' + '02' + '0274' + '00' + '00',
      );
    });
  });
});
