/**
 * Malformed Kafka-protocol frames at a live broker's Kafka listener, from several connections at once, while
 * KafkaJS and this project's producer keep producing through both listeners: bad sizes, unknown api keys and
 * versions, truncated flexible fields, bad compact lengths and varints, and random mutations of valid frames. Each
 * bad frame is answered with an error or closes its connection; the broker stays up, the good clients see no
 * failure, and the log holds only intact batches.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Producer } from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { kafkaJs } from '../helpers/kafka-tools.js';
import { decodeKafkaResponse, kafkaRequestFrame } from '../helpers/kafka-wire.js';
import { buildBatch, createTopic } from '../helpers/wire.js';
import { prng } from '../helpers/prng.js';

/** A raw connection that sends one frame at a time and waits for its response frame or the broker's close. */
class RawConnection {
  private buffered = Buffer.alloc(0);
  private closed = false;
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `bytes`; resolves with the next response frame (size excluded), 'closed', or 'silent' after `waitMs`. */
  async exchange(bytes: Buffer, waitMs = 2000): Promise<Buffer | 'closed' | 'silent'> {
    this.socket.write(bytes);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        return frame;
      }
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'silent';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const withSize = (body: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
};

describe('Kafka listener under malformed input', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let port: number;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerProps: { 'socket.request.max.bytes': 1048576 } });
    port = cluster.local.broker(1).kafkaPort;
  });
  after(async () => {
    await cluster?.stop();
  });

  async function open(): Promise<RawConnection> {
    return defer(await RawConnection.open(port), (c) => c.destroy());
  }

  // Valid requests to mutate: flexible ones (compact fields, tagged fields) and classic ones.
  const produce = (version: number) =>
    kafkaRequestFrame(ApiKey.Produce, version, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: buildBatch(['evil']) }] }],
    });
  const VALID = [
    kafkaRequestFrame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }),
    kafkaRequestFrame(ApiKey.Metadata, 9, { topics: [{ name: 'fuzz' }], allowAutoTopicCreation: false }),
    kafkaRequestFrame(ApiKey.Metadata, 4, { topics: null, allowAutoTopicCreation: false }),
    kafkaRequestFrame(ApiKey.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'fuzz', partitionIndexes: [0] }] }),
    kafkaRequestFrame(ApiKey.Fetch, 12, {
      maxBytes: 1000,
      topics: [{ topic: 'fuzz', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }],
    }),
    produce(9),
    produce(7),
  ];

  it('answers or closes on bad sizes, unknown keys and versions, truncated flexible fields and bad compact lengths', async () => {
    const expectClosed = async (bytes: Buffer, what: string) => {
      const c = await open();
      expect(await c.exchange(bytes), what).to.equal('closed');
    };
    // Bad sizes: zero, negative, over socket.request.max.bytes (closed before the body is sent).
    await expectClosed(Buffer.from([0, 0, 0, 0]), 'a zero size');
    await expectClosed(Buffer.from([0xff, 0xff, 0xff, 0xfe]), 'a negative size');
    await expectClosed(Buffer.from([0x00, 0x20, 0x00, 0x00]), 'a size over socket.request.max.bytes');
    // A size that claims more than the frame holds, then a second frame that makes up the count: the broker reads
    // them as one frame whose body has bytes left over after the request.
    const metadata = VALID[2]!;
    const lying = Buffer.from(metadata);
    lying.writeInt32BE(metadata.length - 4 + 5);
    await expectClosed(Buffer.concat([lying, Buffer.alloc(5, 0xab)]), 'a size past the request');
    // Unknown api key, a version not served.
    await expectClosed(withSize(Buffer.from('004b0000000000010000', 'hex')), 'api key 75');
    const metadataV99 = Buffer.from(metadata);
    metadataV99.writeInt16BE(99, 6);
    await expectClosed(metadataV99, 'Metadata v99');
    // Truncated flexible fields: the ApiVersions v3 body cut inside its compact strings, sizes made to match.
    const apiVersions = VALID[0]!.subarray(4);
    for (let end = 15; end < apiVersions.length; end++) {
      await expectClosed(withSize(apiVersions.subarray(0, end)), `ApiVersions v3 cut at ${end}`);
    }
    // Bad compact lengths: a compact string length past the frame, and a varint longer than five bytes.
    const offsetFetch = VALID[3]!.subarray(4);
    const groupIdAt = offsetFetch.indexOf(Buffer.from([0x02, 0x67])); // compact "g"
    for (const length of [Buffer.from([0x7f]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(6, 0x80)]) {
      const bad = Buffer.concat([offsetFetch.subarray(0, groupIdAt), length, offsetFetch.subarray(groupIdAt + 1)]);
      await expectClosed(withSize(bad), `OffsetFetch v7 with compact length ${length.toString('hex')}`);
    }

    // ApiVersions of an unknown version is answered in v0 with UNSUPPORTED_VERSION, and the connection stays.
    const c = await open();
    const v99 = Buffer.from(VALID[0]!);
    v99.writeInt16BE(99, 6);
    const answer = await c.exchange(v99);
    expect(answer).to.be.instanceOf(Buffer);
    const { body } = decodeKafkaResponse(ApiKey.ApiVersions, 0, answer as Buffer);
    expect(body).to.deep.include({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 }],
    });
    const again = await c.exchange(VALID[2]!);
    expect(decodeKafkaResponse(ApiKey.Metadata, 4, again as Buffer).body)
      .to.have.property('brokers')
      .with.length(1);
  });

  it('survives 2,000 random and mutated frames on four connections while KafkaJS and the mq client produce', async () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);
    await createTopic(cluster, 'fuzz', 1, 1);
    const kafka = kafkaJs(cluster);
    const kjs = defer(kafka.producer(), (p) => p.disconnect());
    await kjs.connect();
    const mq = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) => p.close());
    await mq.connect();

    let fuzzing = true;
    const good = { kafkajs: 0, mq: 0, failures: [] as string[] };
    const goodLoad = (async () => {
      for (let i = 0; fuzzing; i++) {
        await Promise.all([
          kjs.send({ topic: 'fuzz', acks: -1, messages: [{ value: `kafkajs-${i}` }] }).then(
            () => void good.kafkajs++,
            (e: Error) => void good.failures.push(`KafkaJS: ${e.message}`),
          ),
          mq.send({ topic: 'fuzz', value: `mq-${i}` }).then(
            () => void good.mq++,
            (e: Error) => void good.failures.push(`mq: ${e.message}`),
          ),
        ]);
      }
    })();

    const outcomes = { answered: 0, closed: 0, silent: 0 };
    const worker = async (w: number) => {
      const rand = prng(seed + w);
      let c = await open();
      for (let i = 0; i < 500; i++) {
        let frame: Buffer;
        if (rand() < 0.25) {
          frame = withSize(Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => rand() * 256)));
        } else {
          frame = Buffer.from(VALID[Math.floor(rand() * VALID.length)]!);
          for (let k = 0, n = 1 + Math.floor(rand() * 4); k < n; k++) {
            frame[4 + Math.floor(rand() * (frame.length - 4))] = Math.floor(rand() * 256);
          }
        }
        // A mutated produce may have become acks=0, which is answered with nothing: wait briefly for those.
        const outcome = await c.exchange(frame, 300);
        if (outcome === 'closed') {
          outcomes.closed++;
          c = await open();
        } else if (outcome === 'silent') {
          outcomes.silent++;
          c.destroy();
          c = await open();
        } else outcomes.answered++;
      }
    };
    try {
      await Promise.all([0, 1, 2, 3].map(worker));
    } finally {
      fuzzing = false;
      await goodLoad;
    }

    expect(good.failures.slice(0, 5), `good clients' failures (seed ${seed})`).to.deep.equal([]);
    expect(good.kafkajs, 'KafkaJS sends acknowledged').to.be.greaterThan(0);
    expect(good.mq, 'mq sends acknowledged').to.be.greaterThan(0);
    expect(outcomes.answered + outcomes.closed + outcomes.silent).to.equal(2000);
    expect(outcomes.closed, `closed connections (seed ${seed})`).to.be.greaterThan(100);
    // The broker is alive and every batch it stored is intact.
    expect(() => process.kill(cluster.local.broker(1).pid, 0)).to.not.throw();
    const dir = join(cluster.local.broker(1).dir, 'logs', 'fuzz-0');
    let records = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      for (const batch of iterateBatches(readFileSync(join(dir, f)))) {
        batch.validate();
        records += batch.recordCount;
      }
    }
    expect(records).to.be.at.least(good.kafkajs + good.mq);
  });
});
