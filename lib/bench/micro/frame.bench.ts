/**
 * Micro benchmark of lib/protocol + lib/network: how fast frames move.
 *
 * 1. codec: encodes a Produce request carrying one 64 KiB batch and a 100-partition Metadata response with
 *    FrameEncoder and with msgpackr's `pack` (the alternative fast path), and decodes frames with msgpackr.
 * 2. produce: round trips of Produce requests with one `--batch-bytes` batch each over loopback, SocketServer
 *    (in a worker thread, i.e. on its own core, as a broker process would be) + NetworkClient with `--inflight`
 *    requests in flight; the handler answers a one-partition ProduceResponse.
 * 3. fetch: the reverse direction: small Fetch requests answered with one `--batch-bytes` slice of a preallocated
 *    buffer (standing in for a mapped segment), written zero-copy.
 * Prints requests/s and MB/s (payload bytes), median and range of `--runs` runs of `--seconds` each.
 *
 *   node .tmp/dist-net/lib/bench/micro/frame.bench.js [--seconds 2] [--runs 3] [--inflight 64] [--batch-bytes 65536]
 */
import { ErrorCode } from '../../common/error-codes.js';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Packr } from 'msgpackr';
import { NetworkClient } from '../../network/network-client.js';
import type { RequestHandler } from '../../network/server-connection.js';
import { SocketServer } from '../../network/socket-server.js';
import { ApiKey } from '../../protocol/api-keys.js';
import { FrameEncoder } from '../../protocol/frame-encoder.js';
import type {
  FetchResponse,
  MetadataResponse,
  ProduceRequest,
  ProduceResponse,
} from '../../protocol/messages/index.js';
import { decodeFrameValue, MSGPACK_OPTIONS } from '../../protocol/msgpack.js';
import { runStat } from '../stats.js';
import { microBenchArgs } from './micro-args.js';

interface Figure {
  perSec: number;
  mbPerSec: number;
}

function produceRequest(records: Buffer): ProduceRequest {
  return {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30000,
    topicData: [{ name: 'bench', partitionData: [{ index: 0, records }] }],
  };
}

function metadataResponse(): MetadataResponse {
  return {
    throttleTimeMs: 0,
    clusterId: 'bench-cluster',
    controllerId: 1,
    brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: 'localhost', port: 9091 + nodeId, rack: null })),
    topics: [
      {
        errorCode: ErrorCode.NONE,
        name: 'bench',
        isInternal: false,
        partitions: Array.from({ length: 100 }, (_, i) => ({
          errorCode: ErrorCode.NONE,
          partitionIndex: i,
          leaderId: 1 + (i % 3),
          leaderEpoch: 7,
          replicaNodes: [1, 2, 3],
          isrNodes: [1, 2, 3],
          offlineReplicas: [],
        })),
      },
    ],
  };
}

function loop(seconds: number, payloadBytes: number, step: () => void): Figure {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) step();
    n += 100;
  }
  const perSec = n / ((performance.now() - start) / 1000);
  return { perSec, mbPerSec: (perSec * payloadBytes) / 1e6 };
}

function codec(seconds: number, batchBytes: number): Record<string, Figure> {
  const encoder = new FrameEncoder();
  const packr = new Packr(MSGPACK_OPTIONS);
  const produce = {
    apiKey: 0,
    apiVersion: 0,
    correlationId: 1,
    clientId: 'bench',
    body: produceRequest(Buffer.alloc(batchBytes, 1)),
  };
  const metadata = { correlationId: 1, body: metadataResponse() };
  const metadataFrame = Buffer.concat(encoder.encode(metadata)).subarray(4);
  const produceFrame = Buffer.concat(encoder.encode(produce)).subarray(4);
  return {
    'encode Produce (FrameEncoder, zero-copy)': loop(seconds, batchBytes, () => encoder.encode(produce)),
    'encode Produce (msgpackr pack, copies)': loop(seconds, batchBytes, () => packr.pack(produce)),
    'encode Metadata 100 partitions (FrameEncoder)': loop(seconds, metadataFrame.length, () =>
      encoder.encode(metadata),
    ),
    'encode Metadata 100 partitions (msgpackr pack)': loop(seconds, metadataFrame.length, () => packr.pack(metadata)),
    'decode Produce (msgpackr)': loop(seconds, batchBytes, () => decodeFrameValue(produceFrame)),
    'decode Metadata 100 partitions (msgpackr)': loop(seconds, metadataFrame.length, () =>
      decodeFrameValue(metadataFrame),
    ),
  };
}

/** Worker side: a SocketServer answering Produce with a small response and Fetch with a slice of `segment`. */
async function serve(batchBytes: number): Promise<void> {
  const segment = Buffer.alloc(batchBytes * 16, 2);
  let next = 0;
  const handler: RequestHandler = async (_ctx, header) => {
    if (header.apiKey === ApiKey.Produce) {
      const response: ProduceResponse = {
        throttleTimeMs: 0,
        responses: [
          {
            name: 'bench',
            partitionResponses: [
              {
                index: 0,
                errorCode: ErrorCode.NONE,
                baseOffset: next++,
                logAppendTimeMs: -1,
                logStartOffset: 0,
                recordErrors: [],
                errorMessage: null,
              },
            ],
          },
        ],
      };
      return response;
    }
    const at = (next++ % 16) * batchBytes;
    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      responses: [
        {
          topic: 'bench',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              highWatermark: next,
              lastStableOffset: next,
              logStartOffset: 0,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: segment.subarray(at, at + batchBytes),
            },
          ],
        },
      ],
    };
    return response;
  };
  const server = new SocketServer({ host: '127.0.0.1', port: 0, handler, queuedMaxRequests: 1000 });
  await server.start();
  parentPort!.postMessage(server.port);
  parentPort!.once('message', () => void server.close().then(() => process.exit(0)));
}

async function roundTrips(
  seconds: number,
  inflight: number,
  batchBytes: number,
  send: () => Promise<unknown>,
): Promise<Figure> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await send();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  const perSec = done / ((performance.now() - start) / 1000);
  return { perSec, mbPerSec: (perSec * batchBytes) / 1e6 };
}

function report(name: string, figures: Figure[]): void {
  const rates = runStat(figures.map((f) => f.perSec));
  const mbs = runStat(figures.map((f) => f.mbPerSec));
  console.log(
    `${name.padEnd(50)} ${rates.median.toFixed(0).padStart(9)} /s [${rates.min.toFixed(0)}..${rates.max.toFixed(0)}]  ` +
      `${mbs.median.toFixed(0).padStart(6)} MB/s [${mbs.min.toFixed(0)}..${mbs.max.toFixed(0)}]`,
  );
}

async function main(): Promise<void> {
  const args = microBenchArgs(2, { inflight: '64', 'batch-bytes': '65536' });
  const { seconds, runs } = args;
  const inflight = Number(args.inflight);
  const batchBytes = Number(args['batch-bytes']);
  console.log(
    `frame.bench: ${runs} runs x ${seconds}s, batch ${batchBytes} B, ${inflight} in flight, node ${process.version}`,
  );

  const codecRuns = Array.from({ length: runs }, () => codec(seconds / 4, batchBytes));
  for (const name of Object.keys(codecRuns[0]!))
    report(
      name,
      codecRuns.map((r) => r[name]!),
    );

  const worker = new Worker(new URL(import.meta.url), { workerData: { batchBytes } });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const client = await NetworkClient.connect({
    host: '127.0.0.1',
    port,
    maxInFlightRequests: inflight,
    clientId: 'bench',
  });
  const produce = produceRequest(Buffer.alloc(batchBytes, 1));
  const fetch = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: batchBytes * 2,
    isolationLevel: 0,
    topics: [
      {
        topic: 'bench',
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: batchBytes * 2,
          },
        ],
      },
    ],
  };
  const produceRuns: Figure[] = [];
  const fetchRuns: Figure[] = [];
  for (let i = 0; i < runs; i++) {
    produceRuns.push(await roundTrips(seconds, inflight, batchBytes, () => client.send(ApiKey.Produce, 0, produce)));
    fetchRuns.push(await roundTrips(seconds, inflight, batchBytes, () => client.send(ApiKey.Fetch, 0, fetch)));
  }
  report(`produce round trip over loopback (${batchBytes} B batch)`, produceRuns);
  report(`fetch round trip over loopback (${batchBytes} B records)`, fetchRuns);
  await client.close();
  worker.postMessage('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
}

if (isMainThread) {
  await main();
} else {
  await serve((workerData as { batchBytes: number }).batchBytes);
}
