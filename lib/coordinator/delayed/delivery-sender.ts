/**
 * Appends delayed records to their target partitions when they fall due: the broker acting as a producer towards
 * whichever broker leads each target (itself included, over loopback), with acks=all so that a record counts as
 * delivered only once the target's in-sync replicas have it.
 *
 * `deliver()` takes a round of batches (one or more whole v2 batches per target partition, in the order they must be
 * appended) and resolves once each one is appended or given up on; a batch is resent, after
 * `retryBackoffMs`, on a retriable error (leader moved or not elected, not enough replicas, a timeout, a lost
 * connection) until `isStopped()` says its caller lost the right to deliver. A batch is never sent again while an
 * earlier attempt of it may still be appended, and nothing else for its partition is sent before it is done, so the
 * target sees the round's records in order (a retry after a timeout may append a batch twice: at-least-once).
 * Given up on, with the reason: a target topic or partition that no longer exists, and non-retriable errors (a
 * record larger than the target's max.message.bytes, a policy the target refuses).
 * Connections: a BrokerClients of its own (one connection per target broker, one request in flight on each).
 * Concurrency: one round at a time (the scheduler awaits each); requests to different brokers run in parallel.
 */
import { ErrorCode, errorNameOf, isRetriableCode } from '../../common/error-codes.js';
import type { Logger } from '../../common/logger.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { MetadataCache } from '../../replication/metadata-cache.js';
import { BrokerClients } from '../broker-clients.js';
import type { ClientSecurity } from '../../network/security/client-security.js';

export interface DeliveryBatch {
  topic: string;
  partition: number;
  /** Whole record batches, in append order. */
  records: Buffer;
  recordCount: number;
}

/** Null when appended, else why the batch was given up on. */
export type DeliveryOutcome = string | null;

export interface DeliverySenderOptions {
  brokerId: number;
  metadataCache: Pick<MetadataCache, 'hasTopic' | 'partitionCount' | 'partitionState' | 'broker'>;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** The inter-broker listener's client security. */
  security?: ClientSecurity;
  logger: Logger;
}

export class DeliverySender {
  private readonly clients: BrokerClients;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: DeliverySenderOptions) {
    this.log = opts.logger.child({ component: 'DeliverySender' });
    this.clients = new BrokerClients({
      brokerId: opts.brokerId,
      purpose: 'delayed-delivery',
      metadataCache: opts.metadataCache,
      requestTimeoutMs: opts.requestTimeoutMs + 5000,
      maxInFlightRequests: 1,
      security: opts.security,
      logger: this.log,
    });
  }

  /** Appends every batch to its partition (see the header); one outcome per batch, in order. */
  async deliver(batches: readonly DeliveryBatch[], isStopped: () => boolean): Promise<DeliveryOutcome[]> {
    const outcomes: (DeliveryOutcome | undefined)[] = batches.map(() => undefined);
    let pending = batches.map((_, i) => i);
    while (pending.length > 0 && !isStopped() && !this.closed) {
      const byLeader = new Map<number, number[]>();
      for (const i of pending) {
        const b = batches[i]!;
        const gone = this.missing(b);
        if (gone !== null) {
          outcomes[i] = gone;
          continue;
        }
        const leader = this.opts.metadataCache.partitionState(b.topic, b.partition)?.leader ?? -1;
        if (leader < 0 || this.opts.metadataCache.broker(leader) === undefined) continue;
        const list = byLeader.get(leader) ?? [];
        list.push(i);
        byLeader.set(leader, list);
      }
      await Promise.all([...byLeader].map(([leader, list]) => this.send(leader, list, batches, outcomes)));
      pending = pending.filter((i) => outcomes[i] === undefined);
      if (pending.length > 0) await sleep(this.opts.retryBackoffMs);
    }
    return outcomes.map((o) => (o === undefined ? 'the delivering broker stopped leading the delay partition' : o));
  }

  close(): void {
    this.closed = true;
    this.clients.close();
  }

  private missing(b: DeliveryBatch): string | null {
    const cache = this.opts.metadataCache;
    if (!cache.hasTopic(b.topic)) return `the target topic ${b.topic} does not exist`;
    const count = cache.partitionCount(b.topic) ?? 0;
    if (b.partition >= count) return `the target topic ${b.topic} has no partition ${b.partition} (it has ${count})`;
    return null;
  }

  private async send(
    leader: number,
    indices: readonly number[],
    batches: readonly DeliveryBatch[],
    outcomes: (DeliveryOutcome | undefined)[],
  ): Promise<void> {
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    for (const i of indices) {
      const b = batches[i]!;
      const list = byTopic.get(b.topic) ?? [];
      list.push({ index: b.partition, records: b.records });
      byTopic.set(b.topic, list);
    }
    try {
      const response = await this.clients.send(leader, ApiKey.Produce, {
        transactionalId: null,
        acks: -1,
        timeoutMs: this.opts.requestTimeoutMs,
        topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
      });
      const codes = new Map<string, { errorCode: number; errorMessage: string | null }>();
      for (const t of response.responses) {
        for (const p of t.partitionResponses) codes.set(`${t.name}\u0000${p.index}`, p);
      }
      for (const i of indices) {
        const b = batches[i]!;
        const answer = codes.get(`${b.topic}\u0000${b.partition}`);
        if (answer === undefined) continue;
        if (answer.errorCode === ErrorCode.NONE) outcomes[i] = null;
        else if (!isRetriableCode(answer.errorCode) || answer.errorCode === ErrorCode.CORRUPT_MESSAGE) {
          outcomes[i] = `${b.topic}-${b.partition} refused it with ${errorNameOf(answer.errorCode)}${
            answer.errorMessage ? `: ${answer.errorMessage}` : ''
          }`;
        }
      }
    } catch (err) {
      this.log.debug({ err, leader }, 'delivery request failed; retrying');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
