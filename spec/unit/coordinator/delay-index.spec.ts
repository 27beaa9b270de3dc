import { expect } from 'chai';
import fc from 'fast-check';
import fs from 'node:fs';
import { join } from 'node:path';
import { DelayEntryStore } from '../../../lib/coordinator/delayed/delay-entry-store.js';
import { DelayIndex } from '../../../lib/coordinator/delayed/delay-index.js';
import { defer } from '../../helpers/cleanup.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const TICK = 100;

function openIndex(startMs: number, wheelTicks = 16, chunkEntries = 8): { index: DelayIndex; store: DelayEntryStore } {
  const store = defer(DelayEntryStore.open(join(tmpDir(), 'wheel'), chunkEntries), (s) => s.close());
  return { index: new DelayIndex({ store, tickMs: TICK, wheelTicks, startMs }), store };
}

/** Takes everything due at `nowMs` and returns the offsets, releasing the entries as a delivery would. */
function drain(index: DelayIndex, store: DelayEntryStore, nowMs: number, max = Infinity): number[] {
  return index.takeDue(nowMs, max).map((e) => {
    const offset = store.offset(e);
    store.release(e);
    return offset;
  });
}

describe('DelayIndex', () => {
  it('hands a record out once its tick has passed, never before', () => {
    const { index, store } = openIndex(10_000);
    index.insert(0, 10_250, 7);
    expect(drain(index, store, 10_299)).to.deep.equal([]);
    expect(drain(index, store, 10_300)).to.deep.equal([0]);
    expect(index.pending).to.equal(0);
  });

  it('hands out records indexed after their tick passed first, in log order', () => {
    const { index, store } = openIndex(10_000);
    index.insert(0, 10_500, 1);
    expect(drain(index, store, 10_200)).to.deep.equal([]);
    index.insert(1, 9_000, 1);
    index.insert(2, 10_050, 1);
    index.insert(3, 5, 1);
    expect(drain(index, store, 10_200)).to.deep.equal([1, 2, 3]);
    expect(drain(index, store, 10_600)).to.deep.equal([0]);
  });

  it('keeps log order within a tick across a roll from the overflow spans', () => {
    // 16 ticks of 100 ms: the wheel covers 1.6 s, spans are 0.8 s.
    const { index, store } = openIndex(0);
    index.insert(10, 5_010, 1);
    index.insert(11, 5_020, 1);
    // Time passes until the span of 5,000 ms lies within the wheel; a record for the same tick then goes straight in.
    expect(drain(index, store, 4_000)).to.deep.equal([]);
    index.insert(12, 5_030, 1);
    expect(drain(index, store, 5_100)).to.deep.equal([10, 11, 12]);
  });

  it('rolls a span in steps, direct appends waiting behind it', () => {
    const { index, store } = openIndex(0);
    for (let i = 0; i < 10; i++) index.insert(i, 3_250, 1);
    drain(index, store, 2_000);
    // 2.0 s: the span [2.4, 3.2) and [3.2, 4.0) are within the wheel's 1.6 s only from 2.4 s on.
    drain(index, store, 2_450);
    expect(index.roll(3)).to.equal(3);
    index.insert(10, 3_260, 1);
    expect(index.roll(Infinity)).to.equal(8);
    expect(drain(index, store, 3_300)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reports pending counts per target, the next due slots, the earliest due per target and the lowest offset', () => {
    const { index, store } = openIndex(0);
    index.insert(5, 150, 1);
    index.insert(6, 120, 2);
    index.insert(7, 60_000, 2);
    index.insert(8, 50, 1);
    expect(drain(index, store, 100)).to.deep.equal([8]);
    index.insert(9, 10, 3);
    expect(Object.fromEntries(index.pendingPerTarget())).to.deep.equal({ 1: 1, 2: 2, 3: 1 });
    expect(index.nextDue(10)).to.deep.equal([
      { dueMs: -1, records: 1 },
      { dueMs: 100, records: 2 },
      { dueMs: 60_000 - (60_000 % 800), records: 1 },
    ]);
    expect(Object.fromEntries(index.earliestDue(new Set([1, 2])))).to.deep.equal({ 1: 150, 2: 120 });
    expect(index.lowestPendingOffset()).to.equal(5);
  });

  it('deletes chunk files whose entries were all delivered', () => {
    const { index, store } = openIndex(0, 16, 4);
    for (let i = 0; i < 12; i++) index.insert(i, 200, 1);
    expect(store.chunkCount).to.equal(3);
    drain(index, store, 300, 8);
    expect(store.chunkCount).to.equal(1);
    expect(fs.readdirSync(store.dir)).to.deep.equal(['2.entries']);
  });

  it('matches a sorted model: every record once, none early, log order within a due time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6_000 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        (delays, steps) => {
          const { index, store } = openIndex(1_000, 8, 4);
          const delivered: { offset: number; due: number; at: number }[] = [];
          let now = 1_000;
          let next = 0;
          const dueOf = new Map<number, number>();
          for (const step of steps) {
            // Index a few records (at a log position that only grows), then let time pass.
            for (const delay of delays.slice(next, next + 3)) {
              const offset = next++;
              dueOf.set(offset, now - 500 + delay);
              index.insert(offset, now - 500 + delay, offset % 3);
            }
            now += step;
            index.roll(5);
            for (const o of drain(index, store, now)) delivered.push({ offset: o, due: dueOf.get(o)!, at: now });
          }
          for (const o of drain(index, store, now + 100_000)) delivered.push({ offset: o, due: dueOf.get(o)!, at: 0 });
          expect(delivered.map((d) => d.offset).sort((a, b) => a - b)).to.deep.equal([...dueOf.keys()]);
          for (const d of delivered) if (d.at > 0) expect(d.at).to.be.at.least(d.due);
          const byDue = new Map<number, number[]>();
          for (const d of delivered) byDue.set(d.due, [...(byDue.get(d.due) ?? []), d.offset]);
          for (const offsets of byDue.values()) expect(offsets).to.deep.equal([...offsets].sort((a, b) => a - b));
          expect(store.liveEntries).to.equal(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
