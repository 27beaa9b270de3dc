import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { CorruptIndexError, IllegalStateError } from '../../../lib/common/errors.js';
import { TimeIndex } from '../../../lib/log/time-index.js';
import { defer } from '../../helpers/cleanup.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const BASE = 500;
const T0 = 1_700_000_000_000;

function openIndex(maxIndexSize = 12 * 8, file = join(tmpDir(), '00000000000000000500.timeindex')): TimeIndex {
  return defer(new TimeIndex(file, BASE, maxIndexSize), (i) => i.close());
}

/** Entries (T0+100, 510), (T0+200, 520), (T0+300, 530). */
function withThreeEntries(): TimeIndex {
  const index = openIndex();
  for (const k of [1, 2, 3]) index.maybeAppend(T0 + 100 * k, BASE + 10 * k);
  return index;
}

describe('TimeIndex', () => {
  describe('#lookup', () => {
    it('answers (-1, baseOffset) when empty', () => {
      expect(openIndex().lookup(T0)).to.deep.equal({ timestamp: -1, offset: BASE });
    });

    it('answers (-1, baseOffset) for a timestamp before the first entry', () => {
      expect(withThreeEntries().lookup(T0 + 99)).to.deep.equal({ timestamp: -1, offset: BASE });
    });

    it('finds an exact timestamp', () => {
      expect(withThreeEntries().lookup(T0 + 200)).to.deep.equal({ timestamp: T0 + 200, offset: BASE + 20 });
    });

    it('finds the entry below a timestamp between entries', () => {
      expect(withThreeEntries().lookup(T0 + 250)).to.deep.equal({ timestamp: T0 + 200, offset: BASE + 20 });
    });

    it('finds the last entry for a later timestamp', () => {
      expect(withThreeEntries().lookup(T0 * 2)).to.deep.equal({ timestamp: T0 + 300, offset: BASE + 30 });
    });
  });

  describe('#maybeAppend', () => {
    it('skips a timestamp that does not grow', () => {
      const index = withThreeEntries();
      index.maybeAppend(T0 + 300, BASE + 40);
      expect(index.entries).to.equal(3);
    });

    it('reports full one slot early and lets the rolling segment use the last slot', () => {
      const index = openIndex(36);
      index.maybeAppend(T0 + 1, BASE + 1);
      index.maybeAppend(T0 + 2, BASE + 2);
      expect(index.isFull()).to.equal(true);
      expect(() => index.maybeAppend(T0 + 3, BASE + 3)).to.throw(IllegalStateError, /full/);
      index.maybeAppend(T0 + 3, BASE + 3, true);
      expect(index.lastEntry).to.deep.equal({ timestamp: T0 + 3, offset: BASE + 3 });
    });

    it('rejects an offset below the last entry', () => {
      expect(() => withThreeEntries().maybeAppend(T0 + 400, BASE + 29)).to.throw(IllegalStateError, /below the last/);
    });
  });

  describe('#truncateTo', () => {
    it('removes entries at and after the offset', () => {
      const index = withThreeEntries();
      index.truncateTo(BASE + 20);
      expect(index.lastEntry).to.deep.equal({ timestamp: T0 + 100, offset: BASE + 10 });
    });
  });

  describe('#sanityCheck', () => {
    it('throws CorruptIndexError when timestamps go backwards', () => {
      const file = join(tmpDir(), '00000000000000000500.timeindex');
      const bytes = Buffer.alloc(24);
      bytes.writeBigInt64BE(BigInt(T0 + 10), 0);
      bytes.writeInt32BE(1, 8);
      bytes.writeBigInt64BE(BigInt(T0), 12);
      bytes.writeInt32BE(2, 20);
      fs.writeFileSync(file, bytes);
      expect(() => openIndex(96, file).sanityCheck()).to.throw(CorruptIndexError, /timestamp/);
    });

    it('reads back what was written after a close and reopen', () => {
      const index = withThreeEntries();
      index.close();
      const reopened = openIndex(96, index.file);
      reopened.sanityCheck();
      expect(reopened.lastEntry).to.deep.equal({ timestamp: T0 + 300, offset: BASE + 30 });
    });
  });
});
