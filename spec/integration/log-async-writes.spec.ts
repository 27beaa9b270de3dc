/**
 * A broker's logs write in the threadpool (UnifiedLog asyncWrites): what is acknowledged once `awaitWritten` resolved
 * survives SIGKILL of the appending process, and a full disk refuses exactly the appends it could not take — the
 * earlier ones stay acknowledged, the offsets of the refused ones are given back, and once space is free again the
 * log goes on from its log end without a gap, the idempotent producer's refused batch accepted when sent again. A
 * leader partition over such a log acknowledges none of the refused appends and never shows a high watermark past
 * the written end.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../lib/common/errors.js';
import { logConfigWith } from '../../lib/log/log-config.js';
import { UnifiedLog } from '../../lib/log/unified-log.js';
import { RecordBatchBuilder } from '../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { Partition } from '../../lib/replication/partition.js';
import { silentLogger } from '../../lib/common/logger.js';
import { SystemTime } from '../../lib/common/time.js';
import { defer } from '../helpers/cleanup.js';
import { mountSmallFilesystem } from '../helpers/faults/small-filesystem.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const TP = { topic: 'async', partition: 0 };

function openLog(dir: string, config: Parameters<typeof logConfigWith>[0]): UnifiedLog {
  return defer(UnifiedLog.open({ dir, topicPartition: TP, config: logConfigWith(config), asyncWrites: true }), (l) =>
    l.closeHandles(),
  );
}

/** First value of every batch readable from the log start, by base offset (each batch's CRC checked). */
function firstValues(log: UnifiedLog): Map<number, string> {
  const values = new Map<number, string>();
  for (let next = log.logStartOffset; next < log.logEndOffset;) {
    const { records } = log.read(next, 1 << 20);
    expect(records.length, `a batch at offset ${next}, below the log end ${log.logEndOffset}`).to.be.above(0);
    for (const batch of iterateBatches(records)) {
      batch.validate();
      values.set(batch.baseOffset, batch.records().next().value!.value!.toString());
      next = batch.nextOffset;
    }
  }
  return values;
}

/**
 * A log on a 512 KiB file system, 192 KiB of it taken by a `filler` file that can be deleted to free space later; one
 * segment with no index entries, so that only the .log grows.
 */
function logOnSmallDisk(): { root: string; log: UnifiedLog } {
  const root = mountSmallFilesystem(512 * 1024);
  fs.writeFileSync(join(root, 'filler'), Buffer.alloc(192 * 1024, 1));
  const log = openLog(join(root, 'async-0'), {
    segmentBytes: 4 * 1024 * 1024,
    segmentIndexBytes: 4096,
    indexIntervalBytes: 1 << 30,
  });
  return { root, log };
}

describe('log writes in the threadpool', function () {
  this.timeout(60_000);

  it('keeps every batch acknowledged after its write when the appending process is killed with SIGKILL', async () => {
    const dir = join(tmpDir(), 'async-0');
    const config = { segmentBytes: 64 * 1024, segmentIndexBytes: 4096, indexIntervalBytes: 1024 };
    const lib = (path: string) => JSON.stringify(new URL(`../../lib/${path}`, import.meta.url).href);
    // Up to 64 appends in flight; each is acknowledged on stdout once written (completions come in append order).
    const source = `
      import { writeSync } from 'node:fs';
      import { UnifiedLog } from ${lib('log/unified-log.js')};
      import { logConfigWith } from ${lib('log/log-config.js')};
      import { RecordBatchBuilder } from ${lib('record/record-batch-builder.js')};
      const log = UnifiedLog.open({ dir: ${JSON.stringify(dir)}, topicPartition: ${JSON.stringify(TP)},
        config: logConfigWith(${JSON.stringify(config)}), asyncWrites: true });
      const ack = (line) => { for (;;) { try { writeSync(1, line); return; } catch (e) { if (e.code !== 'EAGAIN') throw e; } } };
      const builder = new RecordBatchBuilder();
      const inFlight = [];
      for (let n = 0; ; n++) {
        builder.reset();
        for (let r = 0; r <= n % 13; r++) builder.append(Date.now(), null, 'b' + n + '-' + 'y'.repeat((n * 31) % 500));
        const info = log.append(builder.buildSync(), { assignOffsets: true, leaderEpoch: 0 });
        inFlight.push(log.awaitWritten(info.lastOffset).then(() => ack(n + ' ' + info.firstOffset + '\\n')));
        if (inFlight.length >= 64) await inFlight.shift();
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const drained = new Promise((resolve) => child.stdout.on('close', resolve));
    defer(child, (c) => c.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => stdout.split('\n').length > 5000 || stderr !== '', 'the child to acknowledge 5000 batches');
    expect(stderr).to.equal('');
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');
    await drained;

    const log = openLog(dir, config);
    expect(log.segments.length).to.be.greaterThan(3);
    const values = firstValues(log);
    const acked = stdout.split('\n').filter((l) => l !== '');
    for (const line of acked) {
      const [n, firstOffset] = line.split(' ').map(Number) as [number, number];
      expect(values.get(firstOffset), `acknowledged batch ${n} at offset ${firstOffset}`).to.match(
        new RegExp(`^b${n}-y*$`),
      );
    }
  });

  it('refuses exactly the appends a full disk could not take, gives their offsets back and goes on once space is free', async () => {
    const { root, log } = logOnSmallDisk();
    const builder = new RecordBatchBuilder();
    const batch = (seq: number): Buffer => {
      builder.reset();
      builder.setProducerState(7, 0, seq);
      builder.append(Date.now(), null, `s${seq}-${'z'.repeat(3000)}`);
      return builder.buildSync();
    };
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, (_, seq) => {
        const info = log.append(batch(seq), { assignOffsets: true, leaderEpoch: 0 });
        expect(info.firstOffset).to.equal(seq);
        return log.awaitWritten(info.lastOffset).then(
          () => 'written',
          (e: unknown) => e,
        );
      }),
    );
    const written = outcomes.findIndex((o) => o !== 'written');
    expect(written, 'some appends fit, some do not').to.be.above(0);
    expect(outcomes.slice(0, written).every((o) => o === 'written')).to.equal(true);
    for (const [i, o] of outcomes.slice(written).entries()) {
      expect(o).to.be.instanceOf(ApiError).and.to.have.property('errorName', 'KAFKA_STORAGE_ERROR');
      if (i === 0) expect((o as ApiError).message).to.match(/ENOSPC/);
      else expect((o as ApiError).message).to.match(/earlier write to the same log failed/);
    }
    expect([log.logEndOffset, log.assignedEndOffset]).to.deep.equal([written, written]);
    expect([...firstValues(log).keys()]).to.deep.equal(Array.from({ length: written }, (_, i) => i));

    fs.rmSync(join(root, 'filler'));
    // The producer's first refused batch, sent again: accepted at the offset that was given back.
    const retry = log.append(batch(written), { assignOffsets: true, leaderEpoch: 0 });
    expect(retry).to.include({ firstOffset: written, duplicate: false });
    await log.awaitWritten(retry.lastOffset);
    const values = firstValues(log);
    expect(values.size).to.equal(written + 1);
    expect(values.get(written)).to.match(new RegExp(`^s${written}-z+$`));

    await log.close();
    const reopened = openLog(log.dir, { segmentBytes: 4 * 1024 * 1024, segmentIndexBytes: 4096 });
    expect(reopened.logEndOffset).to.equal(written + 1);
  });

  it('a leader acknowledges no append the disk refused, and its high watermark never passes the written end', async () => {
    const { log } = logOnSmallDisk();
    const hwSeen: Array<{ hw: number; logEnd: number }> = [];
    const partition = new Partition({
      topic: TP.topic,
      partition: TP.partition,
      localBrokerId: 1,
      log,
      replicaLagTimeMaxMs: 30_000,
      writeIsr: () => Promise.resolve(null),
      removingReplicas: () => [],
      listener: {
        onHighWatermarkIncreased: (p) => hwSeen.push({ hw: p.highWatermark, logEnd: log.logEndOffset }),
        onIsrChanged: () => undefined,
        onLogStartOffsetIncreased: () => undefined,
      },
      time: SystemTime,
      logger: silentLogger,
    });
    partition.makeLeader({ leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0, controllerEpoch: 1 }, [1]);
    const builder = new RecordBatchBuilder();
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, (_, i) => {
        builder.reset();
        builder.append(Date.now(), null, `r${i}-${'z'.repeat(3000)}`);
        return partition.appendRecordsToLeader(builder.buildSync(), i % 2 === 0 ? 1 : -1).then(
          (info) => info.firstOffset,
          (e: unknown) => e,
        );
      }),
    );
    const acked = outcomes.filter((o) => typeof o === 'number');
    const refused = outcomes.filter((o) => typeof o !== 'number');
    expect(acked.length, 'some appends fit, some do not').to.be.above(0);
    expect(refused.length).to.be.above(0);
    expect(acked).to.deep.equal(Array.from({ length: acked.length }, (_, i) => i));
    for (const e of refused)
      expect(e).to.be.instanceOf(ApiError).and.to.have.property('errorName', 'KAFKA_STORAGE_ERROR');
    expect(hwSeen.every(({ hw, logEnd }) => hw <= logEnd)).to.equal(true);
    expect([partition.highWatermark, log.logEndOffset, log.assignedEndOffset]).to.deep.equal([
      acked.length,
      acked.length,
      acked.length,
    ]);
    expect([...firstValues(log).keys()]).to.deep.equal(acked);
  });
});
