import { expect } from 'chai';
import fc from 'fast-check';
import {
  DefaultPartitioner,
  murmur2,
  murmur2OfKey,
  partitionForKey,
  StickyPartitionCache,
  toPositive,
} from '../../../lib/client/producer/partitioner.js';

describe('partitioner', () => {
  describe('murmur2', () => {
    // Kafka's UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['1', -1993445489],
      ['12', 126087238],
      ['123', -267702483],
      ['1234', -1614185708],
      ['12345', -1188365604],
    ];
    for (const [input, expected] of vectors) {
      it(`hashes '${input.length > 12 ? `${input.slice(0, 12)}...` : input}' to ${expected} as the Java client does`, () => {
        expect(murmur2(Buffer.from(input, 'utf8'))).to.equal(expected);
        expect(murmur2OfKey(input)).to.equal(expected);
      });
    }

    it("hashes the bytes {'a','b','c'} to 479470107", () => {
      expect(murmur2(new Uint8Array([0x61, 0x62, 0x63]))).to.equal(479470107);
    });

    it('hashes a slice as the same bytes on their own', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(8), (bytes, pad) => {
          const padded = new Uint8Array(pad + bytes.length + 3);
          padded.set(bytes, pad);
          expect(murmur2(padded, pad, pad + bytes.length)).to.equal(murmur2(bytes));
        }),
      );
    });

    it('hashes a string key as its UTF-8 bytes', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
          expect(murmur2OfKey(s)).to.equal(murmur2(Buffer.from(s, 'utf8')));
        }),
      );
    });
  });

  describe('toPositive', () => {
    it('clears the sign bit instead of taking the absolute value', () => {
      expect(toPositive(-2147483648)).to.equal(0);
      expect(toPositive(-1)).to.equal(2147483647);
      expect(toPositive(5)).to.equal(5);
    });
  });

  describe('DefaultPartitioner', () => {
    it('places keyed records by murmur2 over all partitions, even unavailable ones', () => {
      const partitioner = new DefaultPartitioner();
      expect(partitioner.partition('t', 'foobar', 7, [0])).to.equal(toPositive(-790332482) % 7);
      expect(partitionForKey(Buffer.from('foobar'), 7)).to.equal(toPositive(-790332482) % 7);
    });

    it('sticks to one available partition for null keys until onNewBatch, then moves to another', () => {
      let r = 0;
      const randoms = [0.1, 0.1, 0.9, 0.5];
      const partitioner = new DefaultPartitioner(() => randoms[r++ % randoms.length]!);
      const available = [1, 3, 5];
      const first = partitioner.partition('t', null, 6, available);
      expect(available).to.include(first);
      expect(partitioner.partition('t', null, 6, available)).to.equal(first);
      partitioner.onNewBatch('t', first, 6, available);
      const second = partitioner.partition('t', null, 6, available);
      expect(second).to.not.equal(first);
      expect(available).to.include(second);
    });

    it('keeps the sticky partition of a topic apart from another topic', () => {
      const partitioner = new DefaultPartitioner(() => 0.99);
      const a = partitioner.partition('a', null, 4, [0, 1, 2, 3]);
      partitioner.onNewBatch('b', a, 4, [0, 1, 2, 3]);
      expect(partitioner.partition('a', null, 4, [0, 1, 2, 3])).to.equal(a);
    });
  });

  describe('StickyPartitionCache', () => {
    it('ignores onNewBatch for a partition it has already moved away from', () => {
      const cache = new StickyPartitionCache(() => 0);
      const first = cache.partition('t', 3, [0, 1, 2]);
      const moved = cache.nextPartition('t', first, 3, [0, 1, 2]);
      expect(cache.nextPartition('t', first, 3, [0, 1, 2])).to.equal(moved);
    });

    it('picks any partition when none is available', () => {
      const cache = new StickyPartitionCache(() => 0.5);
      expect(cache.partition('t', 4, [])).to.equal(2);
    });
  });
});
