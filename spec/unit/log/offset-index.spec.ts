import { expect } from 'chai';
import fc from 'fast-check';
import fs from 'node:fs';
import { join } from 'node:path';
import { CorruptIndexError, IllegalStateError } from '../../../lib/common/errors.js';
import { OffsetIndex } from '../../../lib/log/offset-index.js';
import { defer } from '../../helpers/cleanup.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const BASE = 1000;

function openIndex(maxIndexSize = 8 * 16, file = join(tmpDir(), '00000000000000001000.index')): OffsetIndex {
  return defer(new OffsetIndex(file, BASE, maxIndexSize), (i) => i.close());
}

/** Entries (1010, 100), (1020, 200), (1030, 300). */
function withThreeEntries(): OffsetIndex {
  const index = openIndex();
  for (const k of [1, 2, 3]) index.append(BASE + 10 * k, 100 * k);
  return index;
}

describe('OffsetIndex', () => {
  describe('#constructor', () => {
    it('preallocates a new file to maxIndexSize rounded down to whole entries', () => {
      const index = openIndex(8 * 16 + 5);
      expect(fs.statSync(index.file).size).to.equal(8 * 16);
      expect(index.maxEntries).to.equal(16);
      expect(index.entries).to.equal(0);
    });
  });

  describe('#lookup', () => {
    it('answers (baseOffset, 0) when the index is empty', () => {
      expect(openIndex().lookup(BASE + 5)).to.deep.equal({ offset: BASE, position: 0 });
    });

    it('answers (baseOffset, 0) for a target before the first entry', () => {
      expect(withThreeEntries().lookup(BASE + 9)).to.deep.equal({ offset: BASE, position: 0 });
    });

    it('finds an entry whose offset equals the target', () => {
      expect(withThreeEntries().lookup(BASE + 20)).to.deep.equal({ offset: BASE + 20, position: 200 });
    });

    it('finds the largest entry below a target that falls between entries', () => {
      expect(withThreeEntries().lookup(BASE + 29)).to.deep.equal({ offset: BASE + 20, position: 200 });
    });

    it('finds the last entry for a target after it', () => {
      expect(withThreeEntries().lookup(BASE + 1_000_000)).to.deep.equal({ offset: BASE + 30, position: 300 });
    });

    it('finds entries in a full index, in and before the warm section', () => {
      const index = openIndex(8 * 2048);
      for (let i = 0; i < 2048; i++) index.append(BASE + 2 * i + 1, 10 * i);
      expect(index.isFull()).to.equal(true);
      expect(index.lookup(BASE + 1)).to.deep.equal({ offset: BASE + 1, position: 0 });
      expect(index.lookup(BASE + 2)).to.deep.equal({ offset: BASE + 1, position: 0 });
      expect(index.lookup(BASE + 2 * 100 + 1)).to.deep.equal({ offset: BASE + 201, position: 1000 });
      expect(index.lookup(BASE + 2 * 2047 + 1)).to.deep.equal({ offset: BASE + 4095, position: 20470 });
    });

    it('agrees with a linear scan for any entries and target', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
          fc.integer({ min: -10, max: 5010 }),
          (relatives, target) => {
            const sorted = [...relatives].sort((a, b) => a - b);
            const index = new OffsetIndex(join(tmpDir(), `${BASE}.index`), BASE, 8 * 64);
            sorted.forEach((r, i) => index.append(BASE + r, i * 7));
            const below = sorted.filter((r) => r <= target);
            const expected =
              below.length === 0
                ? { offset: BASE, position: 0 }
                : { offset: BASE + below[below.length - 1]!, position: (below.length - 1) * 7 };
            expect(index.lookup(BASE + target)).to.deep.equal(expected);
            index.close();
          },
        ),
        { numRuns: 50 },
      );
    });
  });

  describe('#append', () => {
    it('rejects an offset that does not increase', () => {
      const index = withThreeEntries();
      expect(() => index.append(BASE + 30, 400)).to.throw(IllegalStateError, /not above the last entry/);
    });

    it('rejects an entry when full', () => {
      const index = openIndex(16);
      index.append(BASE + 1, 0);
      index.append(BASE + 2, 10);
      expect(() => index.append(BASE + 3, 20)).to.throw(IllegalStateError, /full/);
    });

    it('rejects an offset whose relative offset overflows int32', () => {
      expect(() => openIndex().append(BASE + 2 ** 31, 0)).to.throw(IllegalStateError, /relative offset/);
    });
  });

  describe('#truncateTo', () => {
    it('removes the entry at the offset and every later one', () => {
      const index = withThreeEntries();
      index.truncateTo(BASE + 20);
      expect(index.entries).to.equal(1);
      expect(index.lastOffset).to.equal(BASE + 10);
    });

    it('keeps the entry below an offset between entries', () => {
      const index = withThreeEntries();
      index.truncateTo(BASE + 25);
      expect(index.entries).to.equal(2);
      expect(index.lookup(BASE + 100)).to.deep.equal({ offset: BASE + 20, position: 200 });
    });

    it('empties the index for an offset before the first entry', () => {
      const index = withThreeEntries();
      index.truncateTo(BASE);
      expect(index.entries).to.equal(0);
      expect(index.lastOffset).to.equal(BASE);
    });
  });

  describe('#trimToValidSize', () => {
    it('trims the file to its entries, and a reopen finds the same entries', () => {
      const index = withThreeEntries();
      index.close();
      expect(fs.statSync(index.file).size).to.equal(24);
      const reopened = openIndex(8 * 16, index.file);
      expect(reopened.entries).to.equal(3);
      expect(reopened.isFull()).to.equal(true);
      reopened.resize(8 * 16);
      expect(reopened.isFull()).to.equal(false);
      reopened.append(BASE + 40, 400);
      expect(reopened.lookup(BASE + 45)).to.deep.equal({ offset: BASE + 40, position: 400 });
    });
  });

  describe('#sanityCheck', () => {
    it('throws CorruptIndexError naming the file when the length is not a multiple of the entry size', () => {
      const file = join(tmpDir(), '00000000000000001000.index');
      fs.writeFileSync(file, Buffer.alloc(13));
      expect(() => openIndex(64, file).sanityCheck()).to.throw(CorruptIndexError, /00000000000000001000\.index.*13/);
    });

    it('throws CorruptIndexError when the last offset goes backwards', () => {
      const file = join(tmpDir(), '00000000000000001000.index');
      const bytes = Buffer.alloc(16);
      bytes.writeInt32BE(50, 0);
      bytes.writeInt32BE(10, 8);
      bytes.writeInt32BE(100, 12);
      fs.writeFileSync(file, bytes);
      expect(() => openIndex(64, file).sanityCheck()).to.throw(CorruptIndexError, /offsets must increase/);
    });
  });
});
