import { expect } from 'chai';
import { InvalidArgumentError } from '../../../../lib/common/errors.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../../lib/protocol/consumer-protocol.js';
import { assignorsByName } from '../../../../lib/client/consumer/assignors/assignor-registry.js';
import { rangeAssignor } from '../../../../lib/client/consumer/assignors/range-assignor.js';
import { roundRobinAssignor } from '../../../../lib/client/consumer/assignors/round-robin-assignor.js';

describe('consumer protocol', () => {
  it("writes Kafka's Subscription v1 byte for byte and reads it back", () => {
    const sub = { topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partition: 2 }] };
    expect(encodeSubscription(sub).toString('hex')).to.equal(
      '0001' + '00000001' + '000174' + 'ffffffff' + '00000001' + '000174' + '00000001' + '00000002',
    );
    expect(decodeSubscription(encodeSubscription(sub))).to.deep.equal(sub);
  });

  it('reads a v0 subscription (topics and user data only)', () => {
    expect(decodeSubscription(Buffer.from('0000' + '00000001' + '000161' + '00000001' + '07', 'hex'))).to.deep.equal({
      topics: ['a'],
      userData: Buffer.from([7]),
      ownedPartitions: [],
    });
  });

  it("writes Kafka's Assignment v1 and reads it back; empty bytes are an empty assignment", () => {
    const a = {
      partitions: [
        { topic: 'x', partition: 0 },
        { topic: 'x', partition: 3 },
      ],
      userData: null,
    };
    expect(encodeAssignment(a).toString('hex')).to.equal(
      '0001' + '00000001' + '000178' + '00000002' + '00000000' + '00000003' + 'ffffffff',
    );
    expect(decodeAssignment(encodeAssignment(a))).to.deep.equal(a);
    expect(decodeAssignment(Buffer.alloc(0))).to.deep.equal({ partitions: [], userData: null });
  });

  it('rejects truncated bytes with a clear error', () => {
    expect(() => decodeSubscription(Buffer.from('00010000000500', 'hex'))).to.throw(
      InvalidArgumentError,
      /subscription from the group is malformed.*array of 5 elements cannot fit/,
    );
  });
});

describe('assignors', () => {
  const members = ['m3', 'm1', 'm2'].map((memberId) => ({
    memberId,
    groupInstanceId: null,
    topics: ['a', 'b'],
    ownedPartitions: [],
    userData: null,
  }));
  const counts = new Map([
    ['a', 4],
    ['b', 2],
  ]);
  const show = (m: Map<string, { topic: string; partition: number }[]>) =>
    Object.fromEntries([...m].sort().map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}${tp.partition}`)]));

  it('range: per topic, contiguous ranges over the sorted members, the first ones one more', () => {
    expect(show(rangeAssignor.assign(counts, members))).to.deep.equal({
      m1: ['a0', 'a1', 'b0'],
      m2: ['a2', 'b1'],
      m3: ['a3'],
    });
  });

  it('roundrobin: all partitions dealt over the sorted members, skipping those not subscribed', () => {
    expect(show(roundRobinAssignor.assign(counts, members))).to.deep.equal({
      m1: ['a0', 'a3'],
      m2: ['a1', 'b0'],
      m3: ['a2', 'b1'],
    });
    const mixed = [
      { memberId: 'm1', topics: ['a'] },
      { memberId: 'm2', topics: ['a', 'b'] },
    ].map((m) => ({ ...m, groupInstanceId: null, ownedPartitions: [], userData: null }));
    expect(show(roundRobinAssignor.assign(counts, mixed))).to.deep.equal({
      m1: ['a0', 'a2'],
      m2: ['a1', 'a3', 'b0', 'b1'],
    });
  });

  it("resolves partition.assignment.strategy by short name or Kafka's class name, and names what exists", () => {
    expect(
      assignorsByName(['org.apache.kafka.clients.consumer.RoundRobinAssignor', 'range']).map((a) => a.name),
    ).to.deep.equal(['roundrobin', 'range']);
    expect(() => assignorsByName(['stiky'])).to.throw(
      InvalidArgumentError,
      /available: range, roundrobin, sticky, cooperative-sticky/,
    );
  });
});
