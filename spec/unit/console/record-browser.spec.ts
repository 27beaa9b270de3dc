import { expect } from 'chai';
import type { RecordView } from '../../../lib/console/api-types.js';
import { browse, browseStart, nextWindow, type BrowseRequest } from '../../../lib/console/record-browser.js';

/** A partition in memory: the offsets present (gaps stand for compacted records) and their keys. */
function partitionOf(entries: Array<[offset: number, key: string | null]>) {
  const reads: Array<[number, number]> = [];
  const reader = {
    readRange: async (_tp: unknown, from: number, to: number): Promise<RecordView[]> => {
      reads.push([from, to]);
      return entries
        .filter(([o]) => o >= from && o < to)
        .map(([offset, key]) => ({
          offset,
          timestamp: 1000 + offset,
          key:
            key === null ? null : { base64: Buffer.from(key).toString('base64'), size: key.length, truncated: false },
          value: null,
          headers: [],
        }));
    },
  };
  return { reader, reads };
}

const tp = { topic: 't', partition: 0 };
const bounds = { logStartOffset: 10, highWatermark: 20 };
const req = (over: Partial<BrowseRequest>): BrowseRequest => ({
  from: { kind: 'end' },
  order: 'newest',
  limit: 3,
  key: null,
  ...over,
});
const offsets = (records: readonly RecordView[]) => records.map((r) => r.offset);

describe('console record browser', () => {
  it('starts at the first record to show: clamped into the log, the last record for newest-first from the end', () => {
    expect(browseStart({ kind: 'end' }, 'newest', bounds, null)).to.equal(19);
    expect(browseStart({ kind: 'end' }, 'oldest', bounds, null)).to.equal(20);
    expect(browseStart({ kind: 'beginning' }, 'newest', bounds, null)).to.equal(10);
    expect(browseStart({ kind: 'offset', offset: 3 }, 'oldest', bounds, null)).to.equal(10);
    expect(browseStart({ kind: 'offset', offset: 99 }, 'newest', bounds, null)).to.equal(19);
    expect(browseStart({ kind: 'timestamp', timestampMs: 5 }, 'oldest', bounds, 14)).to.equal(14);
    // No record at or after the time: oldest first shows nothing, newest first the last record.
    expect(browseStart({ kind: 'timestamp', timestampMs: 5 }, 'oldest', bounds, -1)).to.equal(20);
    expect(browseStart({ kind: 'timestamp', timestampMs: 5 }, 'newest', bounds, -1)).to.equal(19);
  });

  it('walks windows forwards or backwards and stops at the ends of the log', () => {
    expect(nextWindow('oldest', 12, bounds, 5)).to.deep.equal({ from: 12, to: 17 });
    expect(nextWindow('oldest', 18, bounds, 5)).to.deep.equal({ from: 18, to: 20 });
    expect(nextWindow('oldest', 20, bounds, 5)).to.equal(null);
    expect(nextWindow('newest', 19, bounds, 5)).to.deep.equal({ from: 15, to: 20 });
    expect(nextWindow('newest', 12, bounds, 5)).to.deep.equal({ from: 10, to: 13 });
    expect(nextWindow('newest', 9, bounds, 5)).to.equal(null);
  });

  it('pages newest first across gaps, and says where the next page starts', async () => {
    const { reader } = partitionOf([
      [10, 'a'],
      [11, 'b'],
      [15, 'c'],
      [18, 'd'],
      [19, 'e'],
    ]);
    const first = await browse(reader, tp, req({}), bounds, null, 1000);
    expect(offsets(first.records)).to.deep.equal([19, 18, 15]);
    expect(first.next).to.equal(14);
    const second = await browse(reader, tp, req({ from: { kind: 'offset', offset: first.next! } }), bounds, null, 1000);
    expect(offsets(second.records)).to.deep.equal([11, 10]);
    expect(second.next).to.equal(null);
    expect(second.scanned).to.deep.equal({ from: 10, to: 15, count: 5 });
  });

  it('pages oldest first', async () => {
    const { reader } = partitionOf([
      [10, 'a'],
      [11, 'b'],
      [15, 'c'],
      [18, 'd'],
      [19, 'e'],
    ]);
    const page = await browse(reader, tp, req({ from: { kind: 'beginning' }, order: 'oldest' }), bounds, null, 1000);
    expect(offsets(page.records)).to.deep.equal([10, 11, 15]);
    expect(page.next).to.equal(16);
    expect(page.scanned).to.deep.equal({ from: 10, to: 16, count: 6 });
  });

  it('searches keys (text contained in the key) and reports what it scanned', async () => {
    const entries: Array<[number, string | null]> = Array.from({ length: 10 }, (_, i) => [
      10 + i,
      i % 4 === 0 ? `user-${i}` : null,
    ]);
    const { reader, reads } = partitionOf(entries);
    const page = await browse(reader, tp, req({ key: 'user', limit: 5 }), bounds, null, 1000);
    expect(offsets(page.records)).to.deep.equal([18, 14, 10]);
    expect(page.next).to.equal(null);
    expect(page.keyFilter).to.equal('user');
    // A search reads in large windows, not a record at a time.
    expect(reads).to.deep.equal([[10, 20]]);
  });

  it('reads nothing from an empty partition', async () => {
    const { reader, reads } = partitionOf([]);
    const page = await browse(reader, tp, req({}), { logStartOffset: 5, highWatermark: 5 }, null, 1000);
    expect(page.records).to.deep.equal([]);
    expect(page.next).to.equal(null);
    expect(page.scanned.count).to.equal(0);
    expect(reads).to.deep.equal([]);
  });

  it('refuses limits outside 1-500 and negative offsets', async () => {
    const { reader } = partitionOf([]);
    for (const bad of [req({ limit: 0 }), req({ limit: 501 }), req({ from: { kind: 'offset', offset: -1 } })]) {
      let error: unknown;
      await browse(reader, tp, bad, bounds, null, 1000).catch((e: unknown) => (error = e));
      expect(error, JSON.stringify(bad)).to.have.property('code', 'MQ_ERR_INVALID_ARG');
    }
  });
});
