import { expect } from 'chai';
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { FrameEncoder } from '../../../lib/protocol/frame-encoder.js';
import { MSGPACK_OPTIONS } from '../../../lib/protocol/msgpack.js';

const unpackr = new Unpackr(MSGPACK_OPTIONS);
const bigintUnpackr = new Unpackr({ ...MSGPACK_OPTIONS, int64AsType: 'bigint' });

/** Checks the frame's length prefix and returns its msgpack body. */
function frameBody(chunks: Buffer[]): Buffer {
  const frame = Buffer.concat(chunks);
  expect(frame.readInt32BE(0)).to.equal(frame.length - 4);
  return frame.subarray(4);
}

const decode = (chunks: Buffer[]): unknown => unpackr.unpack(frameBody(chunks));

/** Plain data as handlers and clients produce it: every msgpack type we write, nested. */
const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.integer({ min: -40, max: 300 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(
      fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 20 },
    ),
  ),
}));

describe('FrameEncoder', () => {
  describe('#encode', () => {
    it('writes standard msgpack that msgpackr decodes to the same value', () => {
      const encoder = new FrameEncoder();
      fc.assert(
        fc.property(valueArb, (value) => {
          expect(decode(encoder.encode(value))).to.deep.equal(value);
        }),
        { numRuns: 200 },
      );
    });

    it('keeps earlier frames intact while later ones are encoded, across slab replacements', () => {
      const encoder = new FrameEncoder({ slabBytes: 64, zeroCopyThresholdBytes: 100 });
      fc.assert(
        fc.property(fc.array(valueArb, { minLength: 1, maxLength: 8 }), (values) => {
          const frames = values.map((v) => encoder.encode(v));
          frames.forEach((chunks, i) => expect(decode(chunks)).to.deep.equal(values[i]));
        }),
        { numRuns: 80 },
      );
    });

    it('emits each Buffer at or above the threshold as its own chunk, by identity', () => {
      const encoder = new FrameEncoder({ zeroCopyThresholdBytes: 1024 });
      const big1 = Buffer.alloc(1024, 1);
      const big2 = Buffer.alloc(70000, 2);
      const small = Buffer.alloc(1023, 3);
      const value = {
        topics: [
          { name: 't', records: big1 },
          { name: 'u', records: big2, small },
        ],
        n: 1,
      };
      const chunks = encoder.encode(value);
      expect(chunks).to.include(big1);
      expect(chunks).to.include(big2);
      expect(chunks).not.to.include(small);
      expect(chunks).to.have.length(5);
      expect(decode(chunks)).to.deep.equal(value);
    });

    it('passes a Uint8Array view through without copying its bytes', () => {
      const backing = new Uint8Array(4096).fill(5);
      const view = backing.subarray(10, 2010);
      const chunks = new FrameEncoder().encode({ records: view });
      const chunk = chunks.find((c) => c.length === 2000)!;
      expect(chunk.buffer).to.equal(backing.buffer);
      expect(chunk.byteOffset).to.equal(10);
    });

    it('writes integers beyond 32 bits as int64/uint64 and bigints exactly', () => {
      const encoder = new FrameEncoder();
      const value = { a: 2 ** 40 + 3, b: -(2 ** 40) - 3, c: 2n ** 63n - 1n, d: -(2n ** 63n), e: 2n ** 64n - 1n };
      const body = frameBody(encoder.encode(value));
      expect(body.includes(Buffer.from([0xcf, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03]))).to.equal(true);
      expect(bigintUnpackr.unpack(body)).to.deep.equal({
        a: 2n ** 40n + 3n,
        b: -(2n ** 40n) - 3n,
        c: 2n ** 63n - 1n,
        d: -(2n ** 63n),
        e: 2n ** 64n - 1n,
      });
      expect(unpackr.unpack(body).a).to.equal(2 ** 40 + 3);
    });

    it('uses the smallest integer formats, as msgpack asks', () => {
      const encoder = new FrameEncoder();
      const cases: [number, number[]][] = [
        [0, [0x00]],
        [127, [0x7f]],
        [-32, [0xe0]],
        [128, [0xcc, 0x80]],
        [-33, [0xd0, 0xdf]],
        [65535, [0xcd, 0xff, 0xff]],
        [-32768, [0xd1, 0x80, 0x00]],
        [2 ** 32 - 1, [0xce, 0xff, 0xff, 0xff, 0xff]],
        [-(2 ** 31), [0xd2, 0x80, 0x00, 0x00, 0x00]],
      ];
      for (const [n, bytes] of cases) expect([...frameBody(encoder.encode(n))], String(n)).to.deep.equal(bytes);
    });

    it('skips map keys whose value is undefined and writes undefined elsewhere as nil', () => {
      const encoder = new FrameEncoder();
      expect(decode(encoder.encode({ a: 1, b: undefined, c: [undefined] }))).to.deep.equal({ a: 1, c: [null] });
    });

    it('rejects values that are not plain data, naming what was found', () => {
      const encoder = new FrameEncoder();
      expect(() => encoder.encode({ when: new Date() })).to.throw(InvalidArgumentError, /Date/);
      expect(() => encoder.encode(new Map())).to.throw(InvalidArgumentError, /Map/);
      expect(() => encoder.encode({ f: () => 1 })).to.throw(InvalidArgumentError, /function/);
      expect(() => encoder.encode(2n ** 64n)).to.throw(InvalidArgumentError, /64 bits/);
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      expect(() => encoder.encode(cycle)).to.throw(InvalidArgumentError, /deeper/);
      expect(decode(encoder.encode({ ok: true }))).to.deep.equal({ ok: true });
    });
  });
});
