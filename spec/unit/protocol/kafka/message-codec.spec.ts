import { expect } from 'chai';
import { InvalidFrameError } from '../../../../lib/protocol/invalid-frame-error.js';
import { compileMessage } from '../../../../lib/protocol/kafka/message-codec.js';
import { KafkaReader } from '../../../../lib/protocol/kafka/kafka-reader.js';
import { KafkaWriter } from '../../../../lib/protocol/kafka/kafka-writer.js';
import { arrayOf, field, parseVersions, ZERO_UUID, type Field } from '../../../../lib/protocol/kafka/kafka-schema.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The bytes `fields` at `version` encode `value` into (the frame's 4-byte size stripped). */
function encode(fields: readonly Field[], version: number, flexible: boolean, value: object, w = new KafkaWriter()) {
  w.begin();
  compileMessage(fields, version, flexible).write(w, value);
  const chunks = w.finish();
  const bytes = Buffer.concat(chunks);
  expect(bytes.readInt32BE(0)).to.equal(bytes.length - 4);
  return { bytes: bytes.subarray(4), chunks };
}

function decode(fields: readonly Field[], version: number, flexible: boolean, bytes: Buffer) {
  const r = new KafkaReader(bytes);
  const value = compileMessage(fields, version, flexible).read(r);
  expect(r.remaining, 'bytes left over').to.equal(0);
  return value;
}

/** Every proper prefix of `bytes` must fail to decode with InvalidFrameError, never throw anything else. */
function expectEveryTruncationRefused(fields: readonly Field[], version: number, flexible: boolean, bytes: Buffer) {
  for (let end = 0; end < bytes.length; end++) {
    const r = new KafkaReader(bytes.subarray(0, end));
    expect(() => compileMessage(fields, version, flexible).read(r), `truncated at ${end}`).to.throw(InvalidFrameError);
  }
}

// A message exercising every type, with a field added in v1, one removed after v0, and a nullable one.
const TOPIC = [field('name', 'string'), field('partitions', arrayOf('int32'))];
const MESSAGE = [
  field('i8', 'int8'),
  field('i16', 'int16'),
  field('i32', 'int32'),
  field('i64', 'int64'),
  field('flag', 'bool'),
  field('id', 'uuid', { versions: '1+' }),
  field('legacy', 'string', { versions: '0' }),
  field('note', 'string', { nullable: '0+' }),
  field('blob', 'bytes'),
  field('topics', TOPIC, { nullable: '1+' }),
  field('added', 'int32', { versions: '1+', default: -1 }),
];
const VALUE = {
  i8: -2,
  i16: 0x1234,
  i32: -1,
  i64: 2 ** 40 + 5,
  flag: true,
  id: 'AAECAwQFBgcICQoLDA0ODw',
  legacy: 'old',
  note: null,
  blob: Buffer.from([0xca, 0xfe]),
  topics: [{ name: 'ab', partitions: [0, 7] }],
  added: 9,
};

describe('Kafka message codecs (derived from field tables)', () => {
  describe('parseVersions', () => {
    it("reads 'N', 'N+' and 'N-M' and refuses anything else", () => {
      expect(parseVersions('7')).to.deep.equal({ min: 7, max: 7 });
      expect(parseVersions('3+')).to.deep.equal({ min: 3, max: Infinity });
      expect(parseVersions('0-4')).to.deep.equal({ min: 0, max: 4 });
      for (const bad of ['', '4-2', '-1', 'x', '1+2'])
        expect(() => parseVersions(bad), bad).to.throw(/Invalid version/);
    });
  });

  describe('classic (non-flexible) encodings', () => {
    // v0: no uuid, the legacy string, int16 string lengths, int32 byte and array lengths, no tagged fields.
    const V0 = hex(`
      fe  1234  ffffffff  0000010000000005  01
      0003 6f6c64
      ffff
      00000002 cafe
      00000001  0002 6162  00000002 00000000 00000007`);

    it('writes the fields of the version in order, with int16/int32 lengths and -1 for null', () => {
      expect(encode(MESSAGE, 0, false, VALUE).bytes).to.deep.equal(V0);
    });

    it('reads them back, giving absent fields their defaults', () => {
      expect(decode(MESSAGE, 0, false, V0)).to.deep.equal({ ...VALUE, id: ZERO_UUID, added: -1 });
    });

    it('refuses every truncation of the input', () => {
      expectEveryTruncationRefused(MESSAGE, 0, false, V0);
    });
  });

  describe('flexible encodings', () => {
    // v1 flexible: uuid, no legacy, compact lengths (length + 1 as an unsigned varint, 0 for null), a tagged-field
    // section (here empty: 00) after every struct.
    const V1 = hex(`
      fe  1234  ffffffff  0000010000000005  01
      000102030405060708090a0b0c0d0e0f
      00
      03 cafe
      02  03 6162  03 00000000 00000007  00
      00000009
      00`);

    it('writes compact strings, bytes and arrays and an empty tagged-field section per struct', () => {
      expect(encode(MESSAGE, 1, true, VALUE).bytes).to.deep.equal(V1);
    });

    it('reads them back, taking the version-0-only field from its default', () => {
      expect(decode(MESSAGE, 1, true, V1)).to.deep.equal({ ...VALUE, legacy: '' });
    });

    it('writes and reads a null compact array as 00', () => {
      const { bytes } = encode(MESSAGE, 1, true, { ...VALUE, topics: null });
      expect(bytes.subarray(bytes.length - 6, bytes.length - 5)).to.deep.equal(hex('00'));
      expect(decode(MESSAGE, 1, true, bytes).topics).to.equal(null);
    });

    it('skips tagged fields it does not know, in every struct', () => {
      // Same as V1 with a tag 5 of 3 bytes in the topic struct and tags 0 and 1 at the end.
      const tagged = hex(`
        fe  1234  ffffffff  0000010000000005  01
        000102030405060708090a0b0c0d0e0f
        00
        03 cafe
        02  03 6162  03 00000000 00000007  01 05 03 aabbcc
        00000009
        02 00 01 ff 01 00`);
      expect(decode(MESSAGE, 1, true, tagged)).to.deep.equal({ ...VALUE, legacy: '' });
    });

    it('refuses every truncation of the input', () => {
      expectEveryTruncationRefused(MESSAGE, 1, true, V1);
    });

    it('reads unsigned varints of up to 5 bytes and refuses longer ones', () => {
      const lengths = [field('blob', 'bytes')];
      const big = Buffer.alloc(300, 1);
      const { bytes } = encode(lengths, 0, true, { blob: big });
      expect(bytes.subarray(0, 2)).to.deep.equal(hex('ad02')); // 301 = 0b10_0101101
      expect(decode(lengths, 0, true, bytes).blob).to.deep.equal(big);
      expect(() => decode(lengths, 0, true, hex('8080808080 00'))).to.throw(InvalidFrameError, /longer than 5 bytes/);
    });
  });

  describe('malformed input', () => {
    const STRINGS = [field('s', 'string'), field('list', arrayOf('int32'))];

    it('refuses null where the version does not allow it, classic and compact', () => {
      expect(() => decode(STRINGS, 0, false, hex('ffff 00000000'))).to.throw(InvalidFrameError, /s: string is null/);
      expect(() => decode(STRINGS, 0, true, hex('00 01 00'))).to.throw(InvalidFrameError, /s: string is null/);
      expect(() => decode(STRINGS, 0, false, hex('0000 ffffffff'))).to.throw(InvalidFrameError, /list: array is null/);
    });

    it('refuses negative lengths other than -1 and lengths past the end, naming the field', () => {
      expect(() => decode(STRINGS, 0, false, hex('fffe'))).to.throw(InvalidFrameError, /s: string length -2/);
      expect(() => decode(STRINGS, 0, false, hex('0005 6162'))).to.throw(InvalidFrameError, /s: needs 5 bytes/);
      expect(() => decode(STRINGS, 0, true, hex('7f 6162'))).to.throw(InvalidFrameError, /needs 126 bytes/);
    });

    it('refuses an array count that cannot fit in the bytes left before allocating it', () => {
      expect(() => decode(STRINGS, 0, false, hex('0000 7fffffff 00'))).to.throw(
        InvalidFrameError,
        /array of 2147483647/,
      );
      expect(() => decode(STRINGS, 0, true, hex('01 ffffffff0f'))).to.throw(InvalidFrameError, /list: array of/);
    });

    it('refuses an int64 beyond 2^53 instead of rounding it', () => {
      const longs = [field('n', 'int64')];
      expect(() => decode(longs, 0, false, hex('0020000000000000'))).to.throw(InvalidFrameError, /beyond 2\^53/);
      expect(decode(longs, 0, false, hex('001fffffffffffff')).n).to.equal(Number.MAX_SAFE_INTEGER);
      expect(decode(longs, 0, false, hex('ffffffffffffffff')).n).to.equal(-1);
    });
  });

  describe('encoding', () => {
    it('writes a large byte field as its own chunk, by identity, and copies small ones', () => {
      const records = Buffer.alloc(2000, 0xab);
      const fields = [field('a', 'int32'), field('records', 'records', { nullable: '0+' }), field('b', 'int8')];
      const { bytes, chunks } = encode(fields, 0, false, { a: 1, records, b: 2 });
      expect(chunks).to.have.length(3);
      expect(chunks[1]).to.equal(records);
      expect(bytes).to.deep.equal(Buffer.concat([hex('00000001 000007d0'), records, hex('02')]));
      expect(encode(fields, 0, false, { a: 1, records: Buffer.from([1]), b: 2 }).chunks).to.have.length(1);
    });

    it('takes the default for a field the value leaves out, and refuses null where it is not nullable', () => {
      const fields = [field('x', 'int32', { default: -1 }), field('s', 'string', { nullable: '1+' })];
      expect(encode(fields, 1, false, {}).bytes).to.deep.equal(hex('ffffffff ffff'));
      expect(() => encode(fields, 0, false, { x: 1, s: null })).to.throw(
        /s is null, but it is not nullable in version 0/,
      );
    });

    it('keeps chunks handed out intact while later frames are written', () => {
      const w = new KafkaWriter({ slabBytes: 64 });
      const fields = [field('s', 'string')];
      const first = encode(fields, 0, false, { s: 'x'.repeat(40) }, w).chunks;
      const second = encode(fields, 0, false, { s: 'y'.repeat(40) }, w).chunks;
      encode(fields, 0, false, { s: 'z'.repeat(100) }, w);
      expect(Buffer.concat(first).subarray(6).toString()).to.equal('x'.repeat(40));
      expect(Buffer.concat(second).subarray(6).toString()).to.equal('y'.repeat(40));
    });
  });
});
