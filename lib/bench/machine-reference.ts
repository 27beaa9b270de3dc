/**
 * The machine's own ceilings, measured in the same run as the systems they bound, so that a figure can be read
 * against what this machine could do at that moment (it is shared and noisy):
 *  - loopback TCP bandwidth from Node: a receiver in a worker thread (its own core when one is free) counts the
 *    bytes of one connection while this thread writes 1 MiB chunks into it; MB/s from the first write until the
 *    receiver has counted the last byte. No framing, no copies beyond the kernel's: the most any protocol moves
 *    over one Node socket here.
 *  - sequential page-cache write: fs.writeSync of 1 MiB chunks into a fresh file, no fsync in the timed part
 *    (the file is fdatasynced and deleted afterwards, untimed, so its writeback does not slow the next phase).
 *    This is also the reference of the storage engine's append (log-bench).
 *
 * MB is 10^6 bytes here, as in log-bench. The worker is terminated and the file deleted on every path.
 */
import fs from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const MiB = 1024 * 1024;

/** fs.writeSync of 1 MiB chunks into a fresh file under `dir`, `totalBytes` in all; MB/s. */
export function pageCacheWriteMbPerSec(dir: string, totalBytes: number): number {
  const chunk = Buffer.alloc(MiB, 0x62);
  const file = join(dir, `reference-write-${process.pid}.bin`);
  const fd = fs.openSync(file, 'w');
  try {
    const start = performance.now();
    for (let written = 0; written < totalBytes; written += MiB) fs.writeSync(fd, chunk, 0, MiB);
    return totalBytes / ((performance.now() - start) / 1000) / 1e6;
  } finally {
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    fs.rmSync(file);
  }
}

/** The receiver: listens on a loopback port, reports it, counts bytes and reports the total when the peer ends. */
const SINK = `
const net = require('node:net');
const { parentPort } = require('node:worker_threads');
const server = net.createServer((socket) => {
  let bytes = 0;
  socket.on('data', (d) => { bytes += d.length; });
  socket.on('end', () => { parentPort.postMessage({ bytes }); socket.end(); server.close(); });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

/** One TCP connection over loopback, 1 MiB writes, `totalBytes` in all; MB/s as the receiver counted them. */
export async function loopbackTcpMbPerSec(totalBytes: number): Promise<number> {
  const worker = new Worker(SINK, { eval: true });
  try {
    const messages: Array<{ port?: number; bytes?: number }> = [];
    let wake: (() => void) | null = null;
    worker.on('message', (m: { port?: number; bytes?: number }) => {
      messages.push(m);
      wake?.();
    });
    const errored = new Promise<never>((_, reject) => worker.once('error', reject));
    const next = async (): Promise<{ port?: number; bytes?: number }> => {
      while (messages.length === 0) await Promise.race([new Promise<void>((r) => (wake = r)), errored]);
      return messages.shift()!;
    };
    const { port } = await next();
    const socket = connect(port!, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const chunk = Buffer.alloc(MiB, 0x74);
    const start = performance.now();
    for (let sent = 0; sent < totalBytes; sent += MiB) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    socket.end();
    const { bytes } = await next();
    const seconds = (performance.now() - start) / 1000;
    socket.destroy();
    return bytes! / seconds / 1e6;
  } finally {
    await worker.terminate();
  }
}
