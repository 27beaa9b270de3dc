/**
 * Bad input at a live broker: at least 10,000 random and mutated frames over many connections, while a
 * well-behaved client keeps producing and fetching. The broker must stay up, keep serving the good client,
 * and store nothing from the bad frames. Also: an oversized frame is closed before its body is sent, and an
 * unknown api key is answered UNSUPPORTED_VERSION on a connection that stays usable.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { FrameEncoder } from '../../lib/protocol/frame-encoder.js';
import { ApiError } from '../../lib/common/errors.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { buildBatch, connectTo, createTopic, leaderOf, produce, readAll } from '../helpers/wire.js';
import { prng } from '../helpers/prng.js';

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}

describe('Broker under malformed input', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerProps: { 'socket.request.max.bytes': 1048576 } });
    await createTopic(cluster, 'fuzz', 1, 1);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('survives 10,000 random and mutated frames while serving a good client', async () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000);
    const rand = prng(seed);
    const port = cluster.local.broker(1).port;
    const encoder = new FrameEncoder();
    const good = await connectTo(cluster, await leaderOf(cluster, 'fuzz', 0));
    const valid = [
      {
        apiKey: ApiKey.Produce,
        apiVersion: 0,
        correlationId: 1,
        clientId: 'fuzz',
        body: {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: buildBatch(['evil']) }] }],
        },
      },
      {
        apiKey: ApiKey.Metadata,
        apiVersion: 0,
        correlationId: 2,
        clientId: null,
        body: { topics: null, allowAutoTopicCreation: false },
      },
      {
        apiKey: ApiKey.Fetch,
        apiVersion: 0,
        correlationId: 3,
        clientId: 'x',
        body: {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1000,
          isolationLevel: 0,
          topics: [
            {
              topic: 'fuzz',
              partitions: [
                { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1000 },
              ],
            },
          ],
        },
      },
    ].map((v) => Buffer.concat(encoder.encode(v)));

    const frames: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      const kind = rand();
      if (kind < 0.3) {
        // Random bytes behind a plausible length.
        const body = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
        const len = Buffer.alloc(4);
        len.writeInt32BE(body.length);
        frames.push(Buffer.concat([len, body]));
      } else {
        // A valid frame with 1-4 bytes flipped after the length prefix (the Produce batch's CRC guards its bytes).
        const f = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
        for (let k = 0, n = 1 + Math.floor(rand() * 4); k < n; k++) {
          const pos = 4 + Math.floor(rand() * (f.length - 4));
          f[pos] = Math.floor(rand() * 256);
        }
        frames.push(f);
      }
    }

    // Each frame is sent and then answered (a response or the connection closed by the broker) before the
    // next one goes on that connection, so every frame is really read by the broker. Frames the broker may
    // legitimately leave unanswered (a mutated produce that became acks=0) wait at most 100 ms.
    let sent = 0;
    let answered = 0;
    let closedByBroker = 0;
    let goodRounds = 0;
    const fuzzers = Array.from({ length: 8 }, async (_, w) => {
      let socket = await rawConnect(port);
      for (let i = w; i < frames.length; i += 8) {
        if (socket.destroyed) socket = await rawConnect(port);
        const s = socket;
        const outcome = await new Promise<'data' | 'close' | 'silent'>((resolve) => {
          const done = (o: 'data' | 'close' | 'silent') => {
            clearTimeout(timer);
            s.off('data', onData);
            s.off('close', onClose);
            resolve(o);
          };
          const onData = () => done('data');
          const onClose = () => done('close');
          const timer = setTimeout(() => done('silent'), 100);
          s.on('data', onData);
          s.once('close', onClose);
          s.write(frames[i]!);
        });
        sent++;
        if (outcome === 'data') answered++;
        if (outcome === 'close') closedByBroker++;
      }
      socket.destroy();
    });
    const goodClient = (async () => {
      while (sent < frames.length) {
        const res = await produce(good, 'fuzz', 0, buildBatch([`good-${goodRounds}`]), 1);
        expect(res!.responses[0]!.partitionResponses[0]!.errorCode, `good produce ${goodRounds}`).to.equal(0);
        goodRounds++;
      }
    })();
    await Promise.all([...fuzzers, goodClient]);
    expect(sent, `seed ${seed}`).to.equal(10_000);
    expect(goodRounds).to.be.greaterThan(0);
    // Most random frames are unanswerable (the connection is closed); most mutated ones get an error response.
    expect(closedByBroker, `seed ${seed}`).to.be.greaterThan(1000);
    expect(answered, `seed ${seed}`).to.be.greaterThan(1000);

    // Mutated produce frames may still be well-formed (a flipped byte in a field name, say) and be refused;
    // a batch whose bytes were flipped fails its CRC. What was stored is the good client's records plus, at
    // most, intact copies of the 'evil' batch; never a corrupted one.
    const all = await readAll(good, 'fuzz', 0);
    const goods = all.filter((r) => r.value.startsWith('good-')).map((r) => r.value);
    expect(goods).to.deep.equal(Array.from({ length: goodRounds }, (_, i) => `good-${i}`));
    for (const r of all) expect(['evil', ...goods]).to.include(r.value);
    // The broker process is still the one started before the fuzzing (no crash and restart).
    expect(() => process.kill(cluster.local.broker(1).pid, 0), 'broker process alive').to.not.throw();
  });

  it('closes a connection whose frame exceeds socket.request.max.bytes before reading its body', async () => {
    const port = cluster.local.broker(1).port;
    const s = await rawConnect(port);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    const len = Buffer.alloc(4);
    len.writeInt32BE(64 * 1024 * 1024);
    s.write(len);
    await closed;
    const good = await connectTo(cluster, 1);
    expect((await good.send(ApiKey.Metadata, 0, { topics: [], allowAutoTopicCreation: false })).brokers).to.have.length(
      1,
    );
  });

  it('answers an unknown api key with UNSUPPORTED_VERSION and keeps the connection', async () => {
    const c = await connectTo(cluster, 1);
    const err = await c.send(999 as number, 0, {} as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ApiError);
    expect((err as ApiError).errorCode).to.equal(ErrorCode.UNSUPPORTED_VERSION);
    const md = await c.send(ApiKey.Metadata, 0, { topics: [], allowAutoTopicCreation: false });
    expect(md.brokers).to.have.length(1);
  });
});
