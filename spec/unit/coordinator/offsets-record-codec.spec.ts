import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetKey,
  encodeOffsetValue,
} from '../../../lib/coordinator/group/offsets-record-codec.js';

const hex = (b: Buffer) => b.toString('hex');

describe('offsets record codec', () => {
  describe('encodeOffsetKey', () => {
    it("writes Kafka's OffsetCommitKey v1: version, group, topic, partition", () => {
      expect(hex(encodeOffsetKey('g', 'tp', 7))).to.equal('0001' + '000167' + '00027470' + '00000007');
      expect(decodeKey(encodeOffsetKey('grüppe', 'orders', 3))).to.deep.equal({
        kind: 'offset',
        group: 'grüppe',
        topic: 'orders',
        partition: 3,
      });
    });

    it('reads version 0 keys as offset keys, version 2 as group keys, and skips later versions', () => {
      const v0 = encodeOffsetKey('g', 't', 1);
      v0.writeInt16BE(0, 0);
      expect(decodeKey(v0)).to.deep.equal({ kind: 'offset', group: 'g', topic: 't', partition: 1 });
      expect(hex(encodeGroupMetadataKey('g'))).to.equal('0002000167');
      expect(decodeKey(encodeGroupMetadataKey('g'))).to.deep.equal({ kind: 'group', group: 'g' });
      expect(decodeKey(Buffer.from('00090000', 'hex'))).to.equal(null);
    });
  });

  describe('encodeOffsetValue', () => {
    it("writes Kafka's OffsetCommitValue v3: version, offset, leader epoch, metadata, commit timestamp", () => {
      const v = { offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1_700_000_000_000 };
      expect(hex(encodeOffsetValue(v))).to.equal(
        '0003' + '000000000000002a' + '00000005' + '00016d' + '0000018bcfe56800',
      );
      expect(decodeOffsetValue(encodeOffsetValue(v))).to.deep.equal(v);
    });

    it('reads v1 values (offset, metadata, commit and expire timestamps) with an unknown leader epoch', () => {
      const v1 = Buffer.from('0001' + '0000000000000064' + '0000' + '0000000000000001' + '0000000000000002', 'hex');
      expect(decodeOffsetValue(v1)).to.deep.equal({ offset: 100, leaderEpoch: -1, metadata: '', commitTimestamp: 1 });
    });

    it('rejects a truncated value or an unknown version with CORRUPT_MESSAGE', () => {
      const full = encodeOffsetValue({ offset: 1, leaderEpoch: 0, metadata: 'abc', commitTimestamp: 0 });
      for (const bad of [full.subarray(0, full.length - 1), Buffer.from('0007', 'hex')]) {
        expect(() => decodeOffsetValue(bad))
          .to.throw(ApiError)
          .with.property('errorName', 'CORRUPT_MESSAGE');
      }
    });
  });

  describe('encodeGroupMetadataValue', () => {
    it("writes Kafka's GroupMetadataValue v3 and reads it back", () => {
      const group = {
        protocolType: 'consumer',
        generationId: 3,
        protocolName: 'range',
        leaderId: 'm',
        currentStateTimestamp: 5,
        members: [
          {
            memberId: 'm',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: '/h',
            rebalanceTimeoutMs: 300000,
            sessionTimeoutMs: 10000,
            subscription: Buffer.from([1, 2]),
            assignment: Buffer.from([3]),
          },
        ],
      };
      const bytes = encodeGroupMetadataValue(group);
      expect(hex(bytes)).to.equal(
        '0003' +
          '0008' +
          Buffer.from('consumer').toString('hex') +
          '00000003' +
          '0005' +
          Buffer.from('range').toString('hex') +
          '00016d' +
          '0000000000000005' +
          '00000001' +
          '00016d' +
          'ffff' +
          '000163' +
          '00022f68' +
          '000493e0' +
          '00002710' +
          '000000020102' +
          '0000000103',
      );
      expect(decodeGroupMetadataValue(bytes)).to.deep.equal(group);
    });
  });
});
