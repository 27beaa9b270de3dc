import { expect } from 'chai';
import { base64ToBytes, decodePayload, hexDump } from '../../../lib/console/payload-decoding.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('console payload decoding', () => {
  it('auto shows JSON pretty-printed, readable UTF-8 as text, anything else as hex', () => {
    expect(decodePayload(bytes('{"a":[1,2]}'), 'auto')).to.deep.equal({
      mode: 'json',
      text: '{\n  "a": [\n    1,\n    2\n  ]\n}',
      problem: null,
    });
    expect(decodePayload(bytes('héllo\twörld\n'), 'auto')).to.deep.equal({
      mode: 'text',
      text: 'héllo\twörld\n',
      problem: null,
    });
    expect(decodePayload(bytes('{not json'), 'auto')).to.include({ mode: 'text', text: '{not json' });
    expect(decodePayload(new Uint8Array([0x00, 0x01, 0x41]), 'auto')).to.include({ mode: 'hex', problem: null });
    expect(decodePayload(new Uint8Array([0xff, 0xfe]), 'auto').mode).to.equal('hex');
  });

  it('says why an asked mode does not fit, and falls back', () => {
    expect(decodePayload(new Uint8Array([0xc3, 0x28]), 'text')).to.include({
      mode: 'hex',
      problem: 'Not valid UTF-8; shown as hex.',
    });
    const notJson = decodePayload(bytes('plain'), 'json');
    expect(notJson.mode).to.equal('text');
    expect(notJson.problem).to.match(/^Not JSON/);
    expect(decodePayload(bytes('{"a":1}'), 'text')).to.deep.equal({ mode: 'text', text: '{"a":1}', problem: null });
  });

  it('dumps hex 16 bytes a line with offsets and printable characters', () => {
    const dump = hexDump(bytes('0123456789abcdefXY'));
    expect(dump.split('\n')).to.deep.equal([
      '00000000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef',
      '00000010  58 59                                            XY',
    ]);
    expect(hexDump(new Uint8Array([0, 0x7f]))).to.equal(
      '00000000  00 7f                                            ..',
    );
  });

  it('reads base64 into bytes', () => {
    expect([...base64ToBytes(Buffer.from([0, 255, 16]).toString('base64'))]).to.deep.equal([0, 255, 16]);
  });
});
