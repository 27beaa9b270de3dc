import { expect } from 'chai';
import { FrameDecoder } from '../../../lib/protocol/frame-decoder.js';
import { InvalidFrameError } from '../../../lib/protocol/invalid-frame-error.js';

function frame(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

function collect(maxFrameBytes?: number): { decoder: FrameDecoder; frames: Buffer[] } {
  const frames: Buffer[] = [];
  return { decoder: new FrameDecoder((f) => frames.push(f), { maxFrameBytes }), frames };
}

const BODIES = [Buffer.from([0x01]), Buffer.from('hello, frames'), Buffer.alloc(300, 7), Buffer.from([0xc0, 0xc3])];
const STREAM = Buffer.concat(BODIES.map(frame));

describe('FrameDecoder', () => {
  describe('#push', () => {
    it('emits every frame of a chunk holding many, as zero-copy views of the chunk', () => {
      const { decoder, frames } = collect();
      decoder.push(STREAM);
      expect(frames).to.deep.equal(BODIES);
      for (const f of frames) expect(f.buffer).to.equal(STREAM.buffer);
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('emits the same frames when fed byte by byte', () => {
      const { decoder, frames } = collect();
      for (let i = 0; i < STREAM.length; i++) decoder.push(STREAM.subarray(i, i + 1));
      expect(frames).to.deep.equal(BODIES);
    });

    it('emits the same frames when the stream is split at every boundary', () => {
      for (let split = 1; split < STREAM.length; split++) {
        const { decoder, frames } = collect();
        decoder.push(STREAM.subarray(0, split));
        decoder.push(STREAM.subarray(split));
        expect(frames, `split at ${split}`).to.deep.equal(BODIES);
      }
    });

    it('emits the same frames when the stream is split at every pair of boundaries', () => {
      const stream = Buffer.concat(BODIES.slice(0, 2).map(frame));
      for (let a = 1; a < stream.length; a++) {
        for (let b = a; b < stream.length; b++) {
          const { decoder, frames } = collect();
          decoder.push(stream.subarray(0, a));
          decoder.push(stream.subarray(a, b));
          decoder.push(stream.subarray(b));
          expect(frames, `split at ${a}, ${b}`).to.deep.equal(BODIES.slice(0, 2));
        }
      }
    });

    it('assembles a frame spanning chunks into one buffer of exactly its length', () => {
      const { decoder, frames } = collect();
      const body = Buffer.alloc(100, 9);
      const bytes = frame(body);
      decoder.push(bytes.subarray(0, 30));
      expect(decoder.bufferedBytes).to.equal(30);
      decoder.push(bytes.subarray(30, 60));
      decoder.push(bytes.subarray(60));
      expect(frames).to.have.length(1);
      expect(frames[0]!.length).to.equal(100);
      expect(frames[0]!.buffer.byteLength).to.be.at.least(100);
      expect(frames[0]).to.deep.equal(body);
    });

    it('rejects a declared length above maxFrameBytes as soon as the length is read', () => {
      const { decoder, frames } = collect(1000);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(1001, 0);
      expect(() => decoder.push(prefix)).to.throw(
        InvalidFrameError,
        /1001 is outside 1\.\.1000.*socket\.request\.max\.bytes/,
      );
      expect(frames).to.have.length(0);
    });

    it('rejects a length split across chunks before buffering the body', () => {
      const { decoder } = collect(1000);
      decoder.push(Buffer.from([0x00, 0x10]));
      expect(() => decoder.push(Buffer.from([0x00, 0x00]))).to.throw(InvalidFrameError);
    });

    it('rejects zero and negative lengths', () => {
      for (const length of [0, -1, -0x80000000]) {
        const { decoder } = collect();
        const prefix = Buffer.alloc(5);
        prefix.writeInt32BE(length, 0);
        expect(() => decoder.push(prefix), `length ${length}`).to.throw(InvalidFrameError, /outside 1\.\./);
      }
    });

    it('accepts a frame of exactly maxFrameBytes', () => {
      const { decoder, frames } = collect(16);
      decoder.push(frame(Buffer.alloc(16, 1)));
      expect(frames).to.have.length(1);
    });
  });
});
