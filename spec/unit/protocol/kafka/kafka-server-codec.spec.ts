import { expect } from 'chai';
import { ApiError } from '../../../../lib/common/errors.js';
import { ErrorCode } from '../../../../lib/common/error-codes.js';
import { ApiKey } from '../../../../lib/protocol/api-keys.js';
import { ApiVersions } from '../../../../lib/protocol/api-versions.js';
import { FrameDecoder } from '../../../../lib/protocol/frame-decoder.js';
import { InvalidFrameError } from '../../../../lib/protocol/invalid-frame-error.js';
import { KafkaServerCodec } from '../../../../lib/protocol/kafka/kafka-server-codec.js';
import type { DecodedRequest } from '../../../../lib/protocol/server-codec.js';
import { API_DEFINITIONS } from '../../../../lib/protocol/messages/index.js';
import { kafkaRequestFrame } from '../../../helpers/kafka-wire.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const codec = new KafkaServerCodec(ApiVersions.defaults());

/** Request frames as real clients sent them (size prefix included), captured from librdkafka 2.0.2 and KafkaJS 2.2.4. */
const GOLDEN = {
  rdkafkaApiVersionsV3: '00000024 0012 0003 00000001 0007 72646b61666b61 00 0b 6c696272646b61666b61 06 322e302e32 00',
  rdkafkaMetadataV4: '00000016 0003 0004 00000003 0007 72646b61666b61 ffffffff 01',
  rdkafkaOffsetFetchV7:
    '00000023 0009 0007 00000007 0007 72646b61666b61 00 04 707967 02 04 707931 02 00000000 00 01 00',
  rdkafkaLeaveGroupV1:
    '00000044 000d 0001 00000009 0007 72646b61666b61 0003 707967 002c ' +
    Buffer.from('rdkafka-95b2ff0f-c194-4131-8395-264b937f4f8b').toString('hex'),
  rdkafkaProduceV7:
    '00000083 0000 0007 00000004 0007 72646b61666b61 ffff ffff 00007530 00000001 0006 676f6c64656e 00000001 00000000 ' +
    '00000052 000000000000000000000046000000000266f4511d000000000000000001a24e7b9f4e000001a24e7b9f4effffffffffff' +
    'ffffffffffffffff0000000128000000086b6579310c76616c7565310202680276',
  kafkajsApiVersionsV2: '0000000d 0012 0002 00000000 0003 6b6a73',
  kafkajsFetchV11:
    '0000008e 0001 000b 00000000 0003 6b6a73 ffffffff 00001388 00000001 00a00000 01 00000000 ffffffff 00000001 ' +
    '0004 6b6a7331 00000003 ' +
    '00000001 ffffffff 0000000000000000 ffffffffffffffff 00100000 ' +
    '00000000 ffffffff 0000000000000000 ffffffffffffffff 00100000 ' +
    '00000002 ffffffff 0000000000000000 ffffffffffffffff 00100000 ' +
    '00000000 0000',
  kafkajsJoinGroupV5:
    '00000055 000b 0005 00000003 0003 6b6a73 0004 6b6a7367 00007530 0000ea60 0000 ffff 0008 636f6e73756d6572 ' +
    '00000001 0012 526f756e64526f62696e41737369676e6572 00000010 00000000000100046b6a733100000000',
  kafkajsLeaveGroupV3:
    '00000043 000d 0003 0000000d 0003 6b6a73 0004 6b6a7367 00000001 0028 ' +
    Buffer.from('kjs-86babfff-05aa-4d8c-bd52-efcb63e8563b').toString('hex') +
    ' ffff',
};

/** Feeds a whole frame (size prefix included) through a FrameDecoder split at `split`, returns the decoded request. */
function decodeFrame(frame: Buffer, split = frame.length): DecodedRequest {
  const frames: Buffer[] = [];
  const decoder = new FrameDecoder((f) => frames.push(f));
  decoder.push(frame.subarray(0, split));
  decoder.push(frame.subarray(split));
  expect(frames).to.have.length(1);
  return codec.decodeRequest(frames[0]!);
}

const encodeResponse = (request: DecodedRequest, body: object) => Buffer.concat(codec.encodeResponse(request, body));

describe('KafkaServerCodec', () => {
  describe('requests of real clients', () => {
    it('decodes librdkafka ApiVersions v3 (request header v2, compact strings, tagged fields)', () => {
      const request = decodeFrame(hex(GOLDEN.rdkafkaApiVersionsV3));
      expect(request.error).to.equal(null);
      expect(request.header).to.deep.equal({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
      expect(request.body).to.deep.equal({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    });

    it('decodes KafkaJS ApiVersions v2, whose body is empty', () => {
      const request = decodeFrame(hex(GOLDEN.kafkajsApiVersionsV2));
      expect(request.header).to.deep.equal({ apiKey: 18, apiVersion: 2, correlationId: 0, clientId: 'kjs' });
      expect(request.body).to.deep.equal({ clientSoftwareName: '', clientSoftwareVersion: '' });
    });

    it('decodes librdkafka Metadata v4 for all topics', () => {
      expect(decodeFrame(hex(GOLDEN.rdkafkaMetadataV4)).body).to.deep.include({
        topics: null,
        allowAutoTopicCreation: true,
      });
    });

    it('decodes librdkafka OffsetFetch v7, a flexible version', () => {
      expect(decodeFrame(hex(GOLDEN.rdkafkaOffsetFetchV7)).body).to.deep.equal({
        groupId: 'pyg',
        topics: [{ name: 'py1', partitionIndexes: [0] }],
        requireStable: true,
      });
    });

    it('decodes librdkafka Produce v7, its record batch a zero-copy slice of the frame', () => {
      const frame = hex(GOLDEN.rdkafkaProduceV7);
      const body = decodeFrame(frame).body as {
        acks: number;
        topicData: { name: string; partitionData: { index: number; records: Buffer }[] }[];
      };
      expect(body).to.deep.include({ transactionalId: null, acks: -1, timeoutMs: 30000 });
      const { name, partitionData } = body.topicData[0]!;
      expect([name, partitionData[0]!.index]).to.deep.equal(['golden', 0]);
      const records = partitionData[0]!.records;
      expect(records.length).to.equal(0x52);
      expect(records.buffer).to.equal(frame.buffer);
      expect(records.readInt8(16)).to.equal(2); // magic of a record batch v2
    });

    it('decodes KafkaJS Fetch v11: a sessionless full fetch of three partitions, read committed', () => {
      const body = decodeFrame(hex(GOLDEN.kafkajsFetchV11)).body;
      expect(body).to.deep.include({
        replicaId: -1,
        maxWaitMs: 5000,
        minBytes: 1,
        maxBytes: 10485760,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      });
      const partitions = (body as { topics: { partitions: { partition: number; logStartOffset: number }[] }[] })
        .topics[0]!.partitions;
      expect(partitions.map((p) => [p.partition, p.logStartOffset])).to.deep.equal([
        [1, -1],
        [0, -1],
        [2, -1],
      ]);
    });

    it('decodes KafkaJS JoinGroup v5 and LeaveGroup v3', () => {
      expect(decodeFrame(hex(GOLDEN.kafkajsJoinGroupV5)).body).to.deep.include({
        groupId: 'kjsg',
        sessionTimeoutMs: 30000,
        rebalanceTimeoutMs: 60000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
      });
      expect(decodeFrame(hex(GOLDEN.kafkajsLeaveGroupV3)).body).to.deep.equal({
        groupId: 'kjsg',
        memberId: '',
        members: [{ memberId: 'kjs-86babfff-05aa-4d8c-bd52-efcb63e8563b', groupInstanceId: null }],
      });
    });

    it('turns librdkafka LeaveGroup v1, one member id, into the member list handlers take', () => {
      expect(decodeFrame(hex(GOLDEN.rdkafkaLeaveGroupV1)).body).to.deep.include({
        groupId: 'pyg',
        members: [{ memberId: 'rdkafka-95b2ff0f-c194-4131-8395-264b937f4f8b', groupInstanceId: null }],
      });
    });

    it('decodes every golden frame split at every byte boundary, and writes it back byte for byte', () => {
      for (const [name, text] of Object.entries(GOLDEN)) {
        const frame = hex(text);
        const whole = decodeFrame(frame);
        for (let split = 1; split < frame.length; split++) {
          expect(decodeFrame(frame, split), `${name} split at ${split}`).to.deep.equal(whole);
        }
        const { apiKey, apiVersion, correlationId, clientId } = whole.header;
        expect(
          kafkaRequestFrame(apiKey, apiVersion, whole.body as object, correlationId, clientId),
          name,
        ).to.deep.equal(frame);
      }
    });

    it('refuses every truncated body and any byte left over, as a frame that cannot be answered', () => {
      for (const [name, text] of Object.entries(GOLDEN)) {
        const frame = hex(text).subarray(4);
        for (let end = 8; end < frame.length; end++) {
          expect(() => codec.decodeRequest(frame.subarray(0, end)), `${name} cut at ${end}`).to.throw(
            InvalidFrameError,
          );
        }
        expect(() => codec.decodeRequest(Buffer.concat([frame, hex('00')])), name).to.throw(/1 bytes are left over/);
      }
    });
  });

  describe('versions', () => {
    it('lists the served versions of the APIs the broker handles, and only those', () => {
      const some = new KafkaServerCodec(
        new ApiVersions(API_DEFINITIONS.filter((d) => d.apiKey === ApiKey.Produce || d.apiKey === ApiKey.ApiVersions)),
      );
      expect(some.apiVersions).to.deep.equal([
        { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 9 },
        { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
      ]);
      expect(() => some.decodeRequest(kafkaRequestFrame(ApiKey.Metadata, 1, { topics: null }).subarray(4))).to.throw(
        InvalidFrameError,
        /API key 3 \(Metadata\) is not served/,
      );
    });

    it('answers ApiVersions of an unknown version in v0: UNSUPPORTED_VERSION and its own range (KIP-511)', () => {
      const frame = hex('0000000f 0012 0009 0000000c 0003 6b6a73 00 00'); // v9, header v2, a body it cannot know
      const request = codec.decodeRequest(frame.subarray(4));
      expect(request.error?.errorName).to.equal('UNSUPPORTED_VERSION');
      expect(Buffer.concat(codec.encodeError(request, request.error!)!)).to.deep.equal(
        hex('00000010 0000000c 0023 00000001 0012 0000 0003'),
      );
    });

    it('closes on any other API of a version it does not serve, as Kafka cannot parse it either', () => {
      const fetchV3 = hex('00000010 0001 0003 00000001 ffff ffffffff 00000000 00000000');
      expect(() => codec.decodeRequest(fetchV3.subarray(4))).to.throw(InvalidFrameError, /Fetch v3 is not served/);
      expect(() => codec.decodeRequest(hex('0063 0000 00000001 ffff'))).to.throw(InvalidFrameError, /API key 99/);
    });
  });

  describe('responses', () => {
    const request = (apiKey: number, version: number, body: object = {}) =>
      codec.decodeRequest(kafkaRequestFrame(apiKey, version, body, 7).subarray(4));

    it('writes ApiVersions v3 with a v0 response header (no tagged fields) and a flexible body', () => {
      const body = {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 3, maxVersion: 9 },
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
        ],
        throttleTimeMs: 0,
      };
      expect(encodeResponse(request(ApiKey.ApiVersions, 3), body)).to.deep.equal(
        hex('0000001a 00000007 0000 03 0000 0003 0009 00 0012 0000 0003 00 00000000 00'),
      );
    });

    it('writes a flexible response with header v1 and a classic one with header v0', () => {
      expect(encodeResponse(request(ApiKey.Heartbeat, 4), { throttleTimeMs: 0, errorCode: 27 })).to.deep.equal(
        hex('0000000c 00000007 00 00000000 001b 00'),
      );
      expect(encodeResponse(request(ApiKey.Heartbeat, 0), { throttleTimeMs: 0, errorCode: 27 })).to.deep.equal(
        hex('00000006 00000007 001b'),
      );
    });

    it('writes Produce v0 and v3 without the fields later versions added', () => {
      const body = {
        responses: [
          {
            name: 'ab',
            partitionResponses: [
              {
                index: 0,
                errorCode: 0,
                baseOffset: 5,
                logAppendTimeMs: -1,
                logStartOffset: 0,
                recordErrors: [],
                errorMessage: null,
              },
            ],
          },
        ],
        throttleTimeMs: 0,
      };
      const produce = request(ApiKey.Produce, 3, { transactionalId: null, acks: 1, timeoutMs: 1, topicData: [] });
      expect(encodeResponse(produce, body)).to.deep.equal(
        hex('0000002a 00000007 00000001 0002 6162 00000001 00000000 0000 0000000000000005 ffffffffffffffff 00000000'),
      );
      // v0: no logAppendTimeMs (v2+) and no throttleTimeMs (v1+); transactionalId (v3+) decodes as null.
      const v0 = request(ApiKey.Produce, 0, { acks: 1, timeoutMs: 1, topicData: [] });
      expect(v0.body).to.deep.include({ transactionalId: null });
      expect(encodeResponse(v0, body)).to.deep.equal(
        hex('0000001e 00000007 00000001 0002 6162 00000001 00000000 0000 0000000000000005'),
      );
    });

    it('answers PRODUCER_FENCED as INVALID_PRODUCER_EPOCH to versions before KIP-588, as Kafka does', () => {
      const ids = { transactionalId: 't', producerId: 4, producerEpoch: 1 };
      const fenced = { throttleTimeMs: 0, errorCode: ErrorCode.PRODUCER_FENCED };
      expect(encodeResponse(request(ApiKey.EndTxn, 1, { ...ids, committed: true }), fenced)).to.deep.equal(
        hex('0000000a 00000007 00000000 002f'),
      );
      expect(encodeResponse(request(ApiKey.EndTxn, 2, { ...ids, committed: true }), fenced)).to.deep.equal(
        hex('0000000a 00000007 00000000 005a'),
      );
      const add = request(ApiKey.AddPartitionsToTxn, 0, { ...ids, topics: [{ name: 'a', partitions: [0] }] });
      expect(add.body).to.deep.include({ topics: [{ name: 'a', partitions: [0] }] });
      const results = [{ name: 'a', results: [{ partitionIndex: 0, errorCode: ErrorCode.PRODUCER_FENCED }] }];
      expect(encodeResponse(add, { throttleTimeMs: 0, results })).to.deep.equal(
        hex('00000019 00000007 00000000 00000001 0001 61 00000001 00000000 002f'),
      );
      const init = { throttleTimeMs: 0, errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 };
      const initV3 = request(ApiKey.InitProducerId, 3, { transactionalId: 't', transactionTimeoutMs: 1 });
      expect(encodeResponse(initV3, init).subarray(13, 15)).to.deep.equal(hex('002f'));
    });

    it('decodes TxnOffsetCommit v0 with the group metadata v3 added defaulted (no generation, no member)', () => {
      const v0 = request(ApiKey.TxnOffsetCommit, 0, {
        transactionalId: 't',
        groupId: 'g',
        producerId: 4,
        producerEpoch: 1,
        topics: [{ name: 'a', partitions: [{ partitionIndex: 0, committedOffset: 10, committedMetadata: null }] }],
      });
      expect(v0.body).to.deep.include({ generationId: -1, memberId: '', groupInstanceId: null });
      expect(v0.body).to.have.nested.property('topics[0].partitions[0].committedLeaderEpoch', -1);
    });

    it("writes a fetch response's record data as their own chunk, never copied", () => {
      const records = Buffer.alloc(4096, 1);
      const fetch = request(ApiKey.Fetch, 4, { maxBytes: 1, topics: [] });
      const chunks = codec.encodeResponse(fetch, {
        throttleTimeMs: 0,
        errorCode: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 9,
                lastStableOffset: 9,
                logStartOffset: 0,
                abortedTransactions: null,
                preferredReadReplica: -1,
                records,
              },
            ],
          },
        ],
      });
      expect(chunks).to.have.length(2);
      expect(chunks[1]).to.equal(records);
      expect(chunks[0]).to.deep.equal(
        hex(
          '00001031 00000007 00000000 00000001 0001 74 00000001 00000000 0000 0000000000000009 0000000000000009 ' +
            'ffffffff 00001000',
        ),
      );
    });

    it('says LEADER_NOT_AVAILABLE for LISTENER_NOT_FOUND before Metadata v6, as Kafka does', () => {
      const body = {
        throttleTimeMs: 0,
        brokers: [],
        clusterId: null,
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: 't',
            isInternal: false,
            partitions: [
              {
                errorCode: ErrorCode.LISTENER_NOT_FOUND,
                partitionIndex: 0,
                leaderId: -1,
                leaderEpoch: 0,
                replicaNodes: [],
                isrNodes: [],
                offlineReplicas: [],
              },
            ],
          },
        ],
      };
      const partitionError = (version: number) => {
        const bytes = encodeResponse(request(ApiKey.Metadata, version, { topics: null }), body);
        return bytes.readInt16BE(bytes.indexOf(hex('0001 74')) + 3 + (version >= 1 ? 1 : 0) + 4);
      };
      expect(partitionError(5)).to.equal(ErrorCode.LEADER_NOT_AVAILABLE);
      expect(partitionError(6)).to.equal(ErrorCode.LISTENER_NOT_FOUND);
    });

    it('folds the member error into LeaveGroup v0-2 and the group error into OffsetFetch v1 partitions', () => {
      const leave = request(ApiKey.LeaveGroup, 1, { groupId: 'g', memberId: 'm' });
      const leaveBody = {
        throttleTimeMs: 0,
        errorCode: 0,
        members: [{ memberId: 'm', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
      };
      expect(encodeResponse(leave, leaveBody)).to.deep.equal(hex('0000000a 00000007 00000000 0019'));

      const fetch = request(ApiKey.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [3] }] });
      const fetchBody = { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
      expect(encodeResponse(fetch, fetchBody)).to.deep.equal(
        hex('0000001f 00000007 00000001 0001 74 00000001 00000003 ffffffffffffffff 0000 000e'),
      );
    });

    it('writes JoinGroup errors before v7 with an empty protocol name instead of null', () => {
      const join = request(ApiKey.JoinGroup, 5, { groupId: 'g', protocols: [] });
      const body = {
        throttleTimeMs: 0,
        errorCode: ErrorCode.MEMBER_ID_REQUIRED,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        memberId: 'm-1',
        members: [],
      };
      expect(encodeResponse(join, body)).to.deep.equal(
        hex('0000001b 00000007 00000000 004f ffffffff 0000 0000 0003 6d2d31 00000000'),
      );
    });
  });

  describe('request semantics of older versions', () => {
    it('reads an empty Metadata v0 topic list as all topics, and gives JoinGroup v0 its session timeout to rebalance', () => {
      expect(
        codec.decodeRequest(kafkaRequestFrame(ApiKey.Metadata, 0, { topics: [] }).subarray(4)).body,
      ).to.deep.include({
        topics: null,
        allowAutoTopicCreation: true,
      });
      const join = kafkaRequestFrame(ApiKey.JoinGroup, 0, { groupId: 'g', sessionTimeoutMs: 6000, protocols: [] });
      expect(codec.decodeRequest(join.subarray(4)).body).to.deep.include({
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: 6000,
      });
    });
  });

  describe('whole-request errors', () => {
    const fetchBody = (partition: number, sessionEpoch = -1) => ({
      replicaId: -1,
      maxBytes: 100,
      sessionEpoch,
      topics: [{ topic: 't', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 100 }] }],
    });

    it("answers a body the API's validator refuses in the response's errorCode, when the version has one", () => {
      const request = codec.decodeRequest(kafkaRequestFrame(ApiKey.Fetch, 7, fetchBody(-1), 5).subarray(4));
      expect(request.error?.errorName).to.equal('INVALID_REQUEST');
      expect(request.error?.message).to.match(/topics\[0\]\.partitions\[0\]\.partition/);
      const bytes = Buffer.concat(codec.encodeError(request, request.error!)!);
      expect(bytes).to.deep.equal(hex('00000012 00000005 00000000 002a 00000000 00000000'));
    });

    it('has no way to answer it in a version without a top-level errorCode, so the connection closes', () => {
      const request = codec.decodeRequest(kafkaRequestFrame(ApiKey.Fetch, 6, fetchBody(-1)).subarray(4));
      expect(request.error?.errorName).to.equal('INVALID_REQUEST');
      expect(codec.encodeError(request, request.error!)).to.equal(null);
      expect(codec.encodeError(request, new ApiError('UNKNOWN_SERVER_ERROR'))).to.equal(null);
    });

    it('answers an incremental fetch FETCH_SESSION_ID_NOT_FOUND: this broker keeps no fetch sessions', () => {
      const full = codec.decodeRequest(kafkaRequestFrame(ApiKey.Fetch, 11, fetchBody(0, 0)).subarray(4));
      expect(full.error).to.equal(null);
      const incremental = codec.decodeRequest(kafkaRequestFrame(ApiKey.Fetch, 11, fetchBody(0, 4)).subarray(4));
      expect(incremental.error?.errorCode).to.equal(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    });
  });
});
