import { expect } from 'chai';
import fc from 'fast-check';
import { ApiError } from '../../../lib/common/errors.js';
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from '../../../lib/record/varint.js';

/** Protobuf sint64 encoding computed with BigInt, as an oracle independent of the number arithmetic. */
function referenceVarlong(value: number): Buffer {
  const v = BigInt(value);
  let raw = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const bytes: number[] = [];
  while (raw > 0x7fn) {
    bytes.push(Number(raw & 0x7fn) | 0x80);
    raw >>= 7n;
  }
  bytes.push(Number(raw));
  return Buffer.from(bytes);
}

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarint(buf, 0, value));
}

function encodeVarlong(value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(buf, 0, value));
}

function expectCorrupt(fn: () => unknown, message: RegExp): void {
  expect(fn).to.throw(ApiError, message).with.property('errorName', 'CORRUPT_MESSAGE');
}

const KNOWN: Array<[number, string]> = [
  [0, '00'],
  [-1, '01'],
  [1, '02'],
  [-2, '03'],
  [63, '7e'],
  [-64, '7f'],
  [64, '8001'],
  [-65, '8101'],
  [300, 'd804'],
  [2147483647, 'feffffff0f'],
  [-2147483648, 'ffffffff0f'],
];

describe('varint', () => {
  describe('#writeVarint', () => {
    for (const [value, hex] of KNOWN) {
      it(`encodes ${value} as ${hex}`, () => {
        expect(encodeVarint(value).toString('hex')).to.equal(hex);
        expect(sizeOfVarint(value)).to.equal(hex.length / 2);
      });
    }

    it('round-trips every int32 through VarintReader with the size sizeOfVarint predicts', () => {
      const reader = new VarintReader();
      fc.assert(
        fc.property(fc.integer(), (value) => {
          const bytes = encodeVarint(value);
          expect(bytes.length).to.equal(sizeOfVarint(value));
          expect(bytes).to.deep.equal(referenceVarlong(value));
          reader.reset(bytes);
          expect(reader.readVarint()).to.equal(value);
          expect(reader.pos).to.equal(bytes.length);
        }),
      );
    });

    it('returns the position after the value and leaves the bytes around it alone', () => {
      const buf = Buffer.alloc(8, 0xee);
      expect(writeVarint(buf, 2, 64)).to.equal(4);
      expect(buf.toString('hex')).to.equal('eeee8001eeeeeeee');
    });
  });

  describe('#writeVarlong', () => {
    for (const [value, hex] of KNOWN) {
      it(`encodes ${value} as ${hex}, like the varint`, () => {
        expect(encodeVarlong(value).toString('hex')).to.equal(hex);
      });
    }

    const EDGES = [
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      2 ** 35 - 1,
      1_700_000_000_000,
      -1_700_000_000_000,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 53,
      -(2 ** 53),
    ];
    for (const value of EDGES) {
      it(`matches the BigInt encoding and round-trips ${value}`, () => {
        const bytes = encodeVarlong(value);
        expect(bytes.toString('hex')).to.equal(referenceVarlong(value).toString('hex'));
        expect(sizeOfVarlong(value)).to.equal(bytes.length);
        expect(new VarintReader(bytes).readVarlong()).to.equal(value);
      });
    }

    it('round-trips every safe integer and matches the BigInt encoding', () => {
      const reader = new VarintReader();
      fc.assert(
        fc.property(fc.maxSafeInteger(), (value) => {
          const bytes = encodeVarlong(value);
          expect(bytes).to.deep.equal(referenceVarlong(value));
          expect(bytes.length).to.equal(sizeOfVarlong(value));
          reader.reset(bytes);
          expect(reader.readVarlong()).to.equal(value);
          expect(reader.pos).to.equal(bytes.length);
        }),
      );
    });
  });

  describe('VarintReader', () => {
    it('reads consecutive values, advancing its position', () => {
      const buf = Buffer.alloc(32);
      let pos = writeVarint(buf, 0, -5);
      pos = writeVarlong(buf, pos, 1_700_000_000_123);
      pos = writeVarint(buf, pos, 2147483647);
      const reader = new VarintReader(buf, 0, pos);
      expect([reader.readVarint(), reader.readVarlong(), reader.readVarint()]).to.deep.equal([
        -5, 1_700_000_000_123, 2147483647,
      ]);
      expect(reader.pos).to.equal(pos);
    });

    it('rejects a varint longer than 5 bytes as CORRUPT_MESSAGE', () => {
      expectCorrupt(() => new VarintReader(Buffer.from('ffffffff8001', 'hex')).readVarint(), /longer than 5 bytes/);
    });

    it('rejects a varlong longer than 10 bytes as CORRUPT_MESSAGE', () => {
      expectCorrupt(
        () => new VarintReader(Buffer.from('ffffffffffffffffff8001', 'hex')).readVarlong(),
        /longer than 10 bytes/,
      );
    });

    it('rejects a value cut off by the end of the readable range', () => {
      const buf = Buffer.from('8001', 'hex');
      expectCorrupt(() => new VarintReader(buf, 0, 1).readVarint(), /runs past the end/);
      expectCorrupt(() => new VarintReader(buf, 0, 1).readVarlong(), /runs past the end/);
      expectCorrupt(() => new VarintReader(buf, 2).readVarlong(), /runs past the end/);
    });
  });
});
