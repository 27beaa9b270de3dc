import { expect } from 'chai';
import {
  dumpLine,
  dumpLogSegment,
  dumpOffsetIndex,
  dumpProducerSnapshot,
  dumpTimeIndex,
  dumpTxnIndex,
  type DumpEntry,
} from '../../../lib/cli/admin/dump-log-command.js';
import { CorruptSnapshotError } from '../../../lib/common/errors.js';
import { encodeProducerSnapshot } from '../../../lib/log/producer-snapshot.js';
import { ProducerStateEntry } from '../../../lib/log/producer-state-entry.js';
import { encodeEntry } from '../../../lib/log/transaction-index.js';
import { buildControlBatch, ControlRecordType, RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { CompressionType, stampBatch } from '../../../lib/record/record-batch.js';

async function entries(bytes: Buffer, opts = { deep: false, printData: true }): Promise<DumpEntry[]> {
  const out: DumpEntry[] = [];
  await dumpLogSegment(bytes, 100, opts, (e) => {
    out.push(e);
  });
  return out;
}

async function dump(bytes: Buffer, opts = { deep: false, printData: true }): Promise<string> {
  return (await entries(bytes, opts)).map(dumpLine).join('');
}

describe('mq-admin dump-log (pure parts)', () => {
  it("prints batches and records in kafka-dump-log's words, flags a corrupted CRC, and reports a partial batch at the end", async () => {
    const builder = new RecordBatchBuilder({
      compression: CompressionType.Gzip,
      producerId: 7n,
      producerEpoch: 1,
      baseSequence: 3,
    });
    builder.append(1000, 'k', 'v1', [{ key: 'h', value: 'x' }]);
    builder.append(1001, null, null);
    const batch = await builder.build();
    stampBatch(batch, 0, 100, 4);
    const out = await dump(Buffer.concat([batch, batch.subarray(0, 20)]));
    expect(out).to.equal(
      'Starting offset: 100\n' +
        `baseOffset: 100 lastOffset: 101 count: 2 baseSequence: 3 lastSequence: 4 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 4 ` +
        `isTransactional: false isControl: false position: 0 CreateTime: 1001 size: ${batch.length} magic: 2 compresscodec: GZIP ` +
        `crc: ${batch.readUInt32BE(17)} isvalid: true\n` +
        '| offset: 100 CreateTime: 1000 keysize: 1 valuesize: 2 sequence: 3 headerKeys: [h] key: k payload: v1\n' +
        '| offset: 101 CreateTime: 1001 keysize: -1 valuesize: -1 sequence: 4 headerKeys: [] payload: null\n' +
        'Found 20 invalid bytes at the end of the segment (a partial batch)\n',
    );
    const corrupted = Buffer.from(batch);
    corrupted[corrupted.length - 1]! ^= 0xff;
    expect(await dump(corrupted, { deep: false, printData: false }))
      .to.include('isvalid: false')
      .and.not.include('| offset');
  });

  it('gives the same facts as JSON entries (--json)', async () => {
    const builder = new RecordBatchBuilder({ compression: CompressionType.None });
    builder.append(1000, 'k', 'v1');
    const batch = await builder.build();
    stampBatch(batch, 0, 100, 4);
    const [start, b, r] = await entries(batch, { deep: false, printData: true });
    expect(start).to.deep.equal({ kind: 'segment', startingOffset: 100 });
    expect(b).to.include({
      kind: 'batch',
      baseOffset: 100,
      count: 1,
      partitionLeaderEpoch: 4,
      isValid: true,
      producerId: -1,
    });
    expect(r).to.deep.equal({
      kind: 'record',
      offset: 100,
      timestampType: 'CreateTime',
      timestamp: 1000,
      keySize: 1,
      valueSize: 2,
      sequence: -1,
      headerKeys: [],
      key: 'k',
      payload: 'v1',
    });
    expect(JSON.parse(JSON.stringify(b))).to.deep.equal(b);
    const [, , deepOnly] = await entries(batch, { deep: true, printData: false });
    expect(deepOnly).to.not.have.property('payload');
  });

  it("prints a transaction marker as Kafka does: the record's sizes and sequence, then the marker", async () => {
    const marker = buildControlBatch({
      type: ControlRecordType.Commit,
      producerId: 9n,
      producerEpoch: 0,
      coordinatorEpoch: 2,
      timestampMs: 5,
    });
    stampBatch(marker, 0, 100, 0);
    expect(await dump(marker))
      .to.include('isControl: true')
      .and.include(
        '| offset: 100 CreateTime: 5 keysize: 4 valuesize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT ' +
          'coordinatorEpoch: 2\n',
      );
  });

  it('prints the aborted transactions of a .txnindex', () => {
    const entries = Buffer.concat([
      encodeEntry({ producerId: 7, firstOffset: 3, lastOffset: 10, lastStableOffset: 11 }),
      encodeEntry({ producerId: 8, firstOffset: 12, lastOffset: 14, lastStableOffset: 15 }),
    ]);
    expect(dumpTxnIndex(entries)).to.equal(
      'version: 0 producerId: 7 firstOffset: 3 lastOffset: 10 lastStableOffset: 11\n' +
        'version: 0 producerId: 8 firstOffset: 12 lastOffset: 14 lastStableOffset: 15\n',
    );
  });

  it('lists index entries up to the zero-filled tail of a preallocated file', () => {
    const index = Buffer.alloc(32);
    index.writeInt32BE(10, 0);
    index.writeInt32BE(4096, 4);
    index.writeInt32BE(20, 8);
    index.writeInt32BE(8200, 12);
    expect(dumpOffsetIndex(index, 100)).to.equal('offset: 110 position: 4096\noffset: 120 position: 8200\n');
    expect(dumpOffsetIndex(Buffer.alloc(80), 0)).to.equal('');
    const time = Buffer.alloc(36);
    time.writeBigInt64BE(5000n, 0);
    time.writeInt32BE(10, 8);
    expect(dumpTimeIndex(time, 100)).to.equal('timestamp: 5000 offset: 110\n');
  });

  it("prints a producer snapshot's producers, and names a corrupt one", () => {
    const active = new ProducerStateEntry(7);
    active.addBatch(2, 14, 110, 4, 1_700_000_000_000);
    const markerOnly = new ProducerStateEntry(9);
    markerOnly.producerEpoch = 1;
    markerOnly.currentTxnFirstOffset = 40;
    const bytes = encodeProducerSnapshot([active, markerOnly]);
    expect(dumpProducerSnapshot(bytes, 'f.snapshot')).to.equal(
      'producerId: 7 producerEpoch: 2 coordinatorEpoch: -1 currentTxnFirstOffset: None firstSequence: 10 ' +
        'lastSequence: 14 lastOffset: 110 offsetDelta: 4 timestamp: 1700000000000\n' +
        'producerId: 9 producerEpoch: 1 coordinatorEpoch: -1 currentTxnFirstOffset: Some(40) \n',
    );
    expect(() => dumpProducerSnapshot(bytes.subarray(0, 20), 'f.snapshot')).to.throw(
      CorruptSnapshotError,
      /f\.snapshot/,
    );
  });
});
