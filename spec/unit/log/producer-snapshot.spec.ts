import { crc32c } from '@node-rs/crc32';
import { expect } from 'chai';
import { CorruptSnapshotError } from '../../../lib/common/errors.js';
import {
  PRODUCER_SNAPSHOT_VERSION,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
} from '../../../lib/log/producer-snapshot.js';
import { ProducerStateEntry } from '../../../lib/log/producer-state-entry.js';

function entry(producerId: number, epoch: number, batches: [lastSeq: number, lastOffset: number, delta: number][]) {
  const e = new ProducerStateEntry(producerId);
  e.producerEpoch = epoch;
  for (const [lastSeq, lastOffset, delta] of batches)
    e.addBatch(epoch, lastSeq, lastOffset, delta, 1_700_000_000_000 + lastOffset);
  return e;
}

describe('producer snapshot', () => {
  it("lays out Kafka's version 1 format: version, CRC-32C of the rest, count, 46-byte entries", () => {
    const e = entry(2 ** 40 + 5, 3, [
      [9, 100, 4],
      [14, 110, 4],
    ]);
    e.coordinatorEpoch = 6;
    const bytes = encodeProducerSnapshot([e]);
    expect(bytes.length).to.equal(10 + 46);
    expect(bytes.readInt16BE(0)).to.equal(PRODUCER_SNAPSHOT_VERSION);
    expect(bytes.readUInt32BE(2)).to.equal(crc32c(bytes.subarray(6)));
    expect(bytes.readInt32BE(6)).to.equal(1);
    expect(bytes.readBigInt64BE(10)).to.equal(BigInt(2 ** 40 + 5)); // producer id
    expect(bytes.readInt16BE(18)).to.equal(3); // epoch
    expect(bytes.readInt32BE(20)).to.equal(14); // last sequence
    expect(bytes.readBigInt64BE(24)).to.equal(110n); // last offset
    expect(bytes.readInt32BE(32)).to.equal(4); // offset delta
    expect(bytes.readBigInt64BE(36)).to.equal(1_700_000_000_110n); // timestamp
    expect(bytes.readInt32BE(44)).to.equal(6); // coordinator epoch
    expect(bytes.readBigInt64BE(48)).to.equal(-1n); // no open transaction
  });

  it('decodes what it encodes, the last batch of each producer', () => {
    const bytes = encodeProducerSnapshot([entry(1, 0, [[4, 4, 4]]), entry(2, 7, [])]);
    expect(decodeProducerSnapshot(bytes, 'f')).to.deep.equal([
      {
        producerId: 1,
        producerEpoch: 0,
        lastSequence: 4,
        lastOffset: 4,
        offsetDelta: 4,
        timestamp: 1_700_000_000_004,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      },
      {
        producerId: 2,
        producerEpoch: 7,
        lastSequence: -1,
        lastOffset: -1,
        offsetDelta: 0,
        timestamp: -1,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      },
    ]);
    expect(decodeProducerSnapshot(encodeProducerSnapshot([]), 'f')).to.deep.equal([]);
  });

  it('refuses a changed byte, a file cut short, extra bytes and an unknown version, naming the file', () => {
    const good = encodeProducerSnapshot([entry(1, 0, [[0, 0, 0]])]);
    const flipped = Buffer.from(good);
    flipped.writeUInt8(flipped.readUInt8(30) ^ 1, 30);
    const cut = good.subarray(0, good.length - 1);
    const longer = Buffer.concat([good, Buffer.alloc(46)]);
    longer.writeUInt32BE(crc32c(longer.subarray(6)), 2);
    const version = Buffer.from(good);
    version.writeInt16BE(2, 0);
    for (const [bytes, message] of [
      [flipped, /stored CRC/],
      [cut, /stored CRC/],
      [good.subarray(0, 9), /shorter than its 10-byte header/],
      [longer, /declares 1 producers/],
      [version, /version 2/],
    ] as const) {
      expect(() => decodeProducerSnapshot(bytes, '/x/00000000000000000001.snapshot'))
        .to.throw(CorruptSnapshotError, message)
        .with.property('message')
        .that.includes('00000000000000000001.snapshot');
    }
  });
});
