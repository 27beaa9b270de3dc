import { expect } from 'chai';
import {
  forgetWriteHandle,
  MAX_OPEN_WRITE_HANDLES,
  openWriteHandles,
  touchWriteHandle,
  type WriteHandleHolder,
} from '../../../lib/log/write-handle-cache.js';
import { defer } from '../../helpers/cleanup.js';

/** A holder that records whether it was asked to close, and refuses while `syncing`. */
class Holder implements WriteHandleHolder {
  released = false;
  syncing = false;
  releaseWriteHandle(): boolean {
    if (this.syncing) return false;
    this.released = true;
    return true;
  }
}

function holders(n: number): Holder[] {
  const hs = Array.from({ length: n }, () => new Holder());
  defer(hs, (all) => all.forEach(forgetWriteHandle));
  return hs;
}

describe('write-handle-cache', () => {
  it('keeps at most MAX_OPEN_WRITE_HANDLES open, closing the least recently written first', () => {
    const hs = holders(MAX_OPEN_WRITE_HANDLES + 10);
    hs.forEach(touchWriteHandle);
    expect(openWriteHandles()).to.equal(MAX_OPEN_WRITE_HANDLES);
    expect(hs.slice(0, 10).every((h) => h.released)).to.equal(true);
    expect(hs.slice(10).some((h) => h.released)).to.equal(false);
  });

  it('moves a written holder to the back, so the one written longest ago goes', () => {
    const hs = holders(MAX_OPEN_WRITE_HANDLES + 1);
    hs.slice(0, MAX_OPEN_WRITE_HANDLES).forEach(touchWriteHandle);
    touchWriteHandle(hs[0]!);
    touchWriteHandle(hs[MAX_OPEN_WRITE_HANDLES]!);
    expect(hs[0]!.released).to.equal(false);
    expect(hs[1]!.released).to.equal(true);
  });

  it('skips a holder whose descriptor is under a sync and closes the next one', () => {
    const hs = holders(MAX_OPEN_WRITE_HANDLES + 1);
    hs[0]!.syncing = true;
    hs.forEach(touchWriteHandle);
    expect(hs[0]!.released).to.equal(false);
    expect(hs[1]!.released).to.equal(true);
    expect(openWriteHandles()).to.equal(MAX_OPEN_WRITE_HANDLES);
  });

  it('forgets a holder that closed its descriptor itself', () => {
    const [h] = holders(1);
    const before = openWriteHandles();
    touchWriteHandle(h!);
    expect(openWriteHandles()).to.equal(before + 1);
    forgetWriteHandle(h!);
    expect(openWriteHandles()).to.equal(before);
  });
});
