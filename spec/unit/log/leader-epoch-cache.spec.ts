import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { LeaderEpochFileCache, UNDEFINED_EPOCH } from '../../../lib/log/leader-epoch-cache.js';
import { defer } from '../../helpers/cleanup.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

/** Epoch 2 from 10, 4 from 20, 6 from 30. */
function cacheWithThreeEpochs(dir = tmpDir()): LeaderEpochFileCache {
  // Checkpoint writes run in the background: let them settle before the directory is removed.
  const cache = defer(new LeaderEpochFileCache(dir), (c) => c.settled());
  cache.assign(2, 10);
  cache.assign(4, 20);
  cache.assign(6, 30);
  return cache;
}

describe('LeaderEpochFileCache', () => {
  describe('#assign', () => {
    it('persists entries in leader-epoch-checkpoint and reloads them', async () => {
      const dir = tmpDir();
      await cacheWithThreeEpochs(dir).sync();
      expect(fs.readFileSync(join(dir, 'leader-epoch-checkpoint'), 'utf8')).to.equal('0\n3\n2 10\n4 20\n6 30\n');
      expect(new LeaderEpochFileCache(dir).epochEntries).to.deep.equal([
        { epoch: 2, startOffset: 10 },
        { epoch: 4, startOffset: 20 },
        { epoch: 6, startOffset: 30 },
      ]);
    });

    it('ignores the latest epoch again at a later offset', () => {
      const cache = cacheWithThreeEpochs();
      cache.assign(6, 35);
      expect(cache.latestEntry).to.deep.equal({ epoch: 6, startOffset: 30 });
    });

    it('removes entries that a new entry contradicts', () => {
      const cache = cacheWithThreeEpochs();
      cache.assign(5, 25);
      expect(cache.epochEntries).to.deep.equal([
        { epoch: 2, startOffset: 10 },
        { epoch: 4, startOffset: 20 },
        { epoch: 5, startOffset: 25 },
      ]);
    });
  });

  describe('#endOffsetFor', () => {
    it('answers the log end offset for the latest epoch', () => {
      expect(cacheWithThreeEpochs().endOffsetFor(6, 99)).to.deep.equal({ epoch: 6, startOffset: 99 });
    });

    it('answers the start of the next epoch for a known older epoch', () => {
      expect(cacheWithThreeEpochs().endOffsetFor(4, 99)).to.deep.equal({ epoch: 4, startOffset: 30 });
    });

    it('answers the largest epoch below an unknown one, ending where the next starts', () => {
      expect(cacheWithThreeEpochs().endOffsetFor(5, 99)).to.deep.equal({ epoch: 4, startOffset: 30 });
    });

    it('answers the requested epoch with the first start offset when it is below every known epoch', () => {
      expect(cacheWithThreeEpochs().endOffsetFor(1, 99)).to.deep.equal({ epoch: 1, startOffset: 10 });
    });

    it('answers undefined above every known epoch and on an empty cache', () => {
      expect(cacheWithThreeEpochs().endOffsetFor(7, 99).epoch).to.equal(UNDEFINED_EPOCH);
      expect(new LeaderEpochFileCache(tmpDir()).endOffsetFor(1, 99).epoch).to.equal(UNDEFINED_EPOCH);
    });
  });

  describe('#truncateFromEnd', () => {
    it('removes entries starting at or after the end offset', () => {
      const cache = cacheWithThreeEpochs();
      cache.truncateFromEnd(20);
      expect(cache.epochEntries).to.deep.equal([{ epoch: 2, startOffset: 10 }]);
    });
  });

  describe('when the checkpoint file is written', () => {
    const file = (dir: string) => join(dir, 'leader-epoch-checkpoint');

    it('writes a new epoch only once records follow its start offset', async () => {
      const dir = tmpDir();
      const cache = defer(new LeaderEpochFileCache(dir), (c) => c.settled());
      cache.assign(3, 100);
      cache.writeIfBelow(100);
      await cache.syncBelow(100);
      await cache.settled();
      expect(fs.existsSync(file(dir)), 'no record after the entry yet').to.equal(false);
      cache.writeIfBelow(101);
      await cache.settled();
      expect(fs.readFileSync(file(dir), 'utf8')).to.equal('0\n1\n3 100\n');
    });

    it('makes the entries below an offset durable before a recovery point may move there', async () => {
      const dir = tmpDir();
      const cache = defer(new LeaderEpochFileCache(dir), (c) => c.settled());
      cache.assign(2, 10);
      await cache.syncBelow(11);
      cache.assign(4, 20);
      await cache.syncBelow(20);
      expect(new LeaderEpochFileCache(dir).epochEntries).to.deep.equal([{ epoch: 2, startOffset: 10 }]);
      await cache.syncBelow(21);
      expect(new LeaderEpochFileCache(dir).epochEntries).to.deep.equal([
        { epoch: 2, startOffset: 10 },
        { epoch: 4, startOffset: 20 },
      ]);
    });

    it('writes a truncation from the end at once, and a contradicting assign too', async () => {
      const dir = tmpDir();
      const cache = cacheWithThreeEpochs(dir);
      await cache.sync();
      cache.truncateFromEnd(25);
      await cache.settled();
      expect(new LeaderEpochFileCache(dir).epochEntries.map((e) => e.epoch)).to.deep.equal([2, 4]);
      cache.assign(3, 22);
      await cache.settled();
      expect(new LeaderEpochFileCache(dir).epochEntries.map((e) => e.epoch)).to.deep.equal([2, 3]);
    });

    it('rejects a sync whose write failed, and writes the same entries on the next one', async () => {
      const dir = tmpDir();
      const cache = defer(new LeaderEpochFileCache(dir), (c) => c.settled());
      cache.assign(1, 0);
      fs.rmSync(dir, { recursive: true });
      let failure: unknown;
      await cache.sync().catch((e: unknown) => (failure = e));
      expect((failure as NodeJS.ErrnoException).code).to.equal('ENOENT');
      fs.mkdirSync(dir);
      await cache.syncBelow(1);
      expect(new LeaderEpochFileCache(dir).epochEntries).to.deep.equal([{ epoch: 1, startOffset: 0 }]);
    });
  });

  describe('#truncateFromStart', () => {
    it('drops older entries and clamps the one covering the new start', () => {
      const cache = cacheWithThreeEpochs();
      cache.truncateFromStart(25);
      expect(cache.epochEntries).to.deep.equal([
        { epoch: 4, startOffset: 25 },
        { epoch: 6, startOffset: 30 },
      ]);
    });
  });
});
