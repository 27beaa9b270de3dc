/**
 * Crash safety of the storage engine, without ZooKeeper: a child process appends batches to a UnifiedLog and
 * prints each acknowledged range; the spec SIGKILLs it mid-stream, reopens the log as after an unclean shutdown,
 * and checks that every acknowledged batch is there, intact, and that the tail is valid. Acknowledged means
 * `append()` returned (page cache): SIGKILL does not lose page-cache data, so none may be missing.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { logConfigWith } from '../../lib/log/log-config.js';
import { UnifiedLog } from '../../lib/log/unified-log.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { defer } from '../helpers/cleanup.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const TP = { topic: 'crash', partition: 0 };
const CONFIG = { segmentBytes: 64 * 1024, segmentIndexBytes: 4096, indexIntervalBytes: 1024 };

/** The child: appends batches of 1..20 records whose values name their batch, forever, acking each on stdout. */
function childSource(dir: string): string {
  const lib = (path: string) => JSON.stringify(new URL(`../../lib/${path}`, import.meta.url).href);
  return `
    import { writeSync } from 'node:fs';
    import { UnifiedLog } from ${lib('log/unified-log.js')};
    import { logConfigWith } from ${lib('log/log-config.js')};
    import { RecordBatchBuilder } from ${lib('record/record-batch-builder.js')};
    const log = UnifiedLog.open({ dir: ${JSON.stringify(dir)}, topicPartition: ${JSON.stringify(TP)},
      config: logConfigWith(${JSON.stringify(CONFIG)}) });
    const builder = new RecordBatchBuilder();
    // stdout is a non-blocking pipe: when the parent reads slowly (a busy machine) a write fails with EAGAIN until
    // it drains. Lines are shorter than PIPE_BUF, so each write is whole or nothing.
    const ack = (line) => {
      for (;;) {
        try { writeSync(1, line); return; } catch (e) { if (e.code !== 'EAGAIN') throw e; }
      }
    };
    for (let batch = 0; ; batch++) {
      builder.reset();
      const records = 1 + (batch * 7) % 20;
      for (let r = 0; r < records; r++) builder.append(Date.now(), 'k' + r, 'batch-' + batch + '-' + 'x'.repeat((batch * 13) % 300));
      const info = log.append(builder.buildSync(), { assignOffsets: true, leaderEpoch: 0 });
      // Synchronously into the pipe: once written, the parent can read the ack even after a SIGKILL.
      ack(batch + ' ' + info.firstOffset + ' ' + info.lastOffset + '\\n');
    }
  `;
}

describe('log crash recovery', function () {
  this.timeout(60_000);

  it('keeps every acknowledged batch when the appending process is killed with SIGKILL', async () => {
    const dir = join(tmpDir(), 'crash-0');
    const child = spawn(process.execPath, ['--input-type=module', '-e', childSource(dir)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const drained = new Promise((resolve) => child.stdout.on('close', resolve));
    defer(child, (c) => c.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Enough batches to have rolled several segments; then kill it wherever it is.
    await waitFor(() => stdout.split('\n').length > 3000 || stderr !== '', 'the child to acknowledge 3000 batches');
    expect(stderr).to.equal('');
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');
    await drained;

    const acked = stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ').map(Number) as [number, number, number]);
    const log = defer(UnifiedLog.open({ dir, topicPartition: TP, config: logConfigWith(CONFIG) }), async (l) => {
      l.closeHandles();
      await l.leaderEpochCache.settled();
    });
    const lastAcked = acked[acked.length - 1]!;
    expect(log.logEndOffset).to.be.at.least(lastAcked[2] + 1);
    expect(log.segments.length).to.be.greaterThan(3);

    // Read everything back as a consumer would, checking every batch and remembering each batch's first value.
    const firstValueAt = new Map<number, string>();
    for (let next = 0; next < log.logEndOffset;) {
      const { records } = log.read(next, 1 << 20);
      for (const batch of iterateBatches(records)) {
        batch.validate();
        firstValueAt.set(batch.baseOffset, batch.records().next().value!.value!.toString());
        next = batch.nextOffset;
      }
    }
    for (const [batch, firstOffset] of acked) {
      expect(firstValueAt.get(firstOffset), `acknowledged batch ${batch} at offset ${firstOffset}`).to.match(
        new RegExp(`^batch-${batch}-x*$`),
      );
    }
  });
});
