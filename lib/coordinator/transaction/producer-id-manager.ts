/**
 * Hands out producer ids (Kafka 2.8's ZooKeeper-based `ProducerIdManager`): the broker claims a block of
 * PRODUCER_ID_BLOCK_SIZE consecutive ids at a time from `/latest_producer_id_block` — a conditional write of the
 * next block after the one recorded there, retried when another broker claimed first (KafkaZkClient's
 * allocateProducerIdBlock) — and gives them out one by one. Ids are unique across the cluster and never reused, also
 * across restarts: a restarted broker claims a new block, leaving the rest of its old one unused, as Kafka does.
 *
 * Callers: InitProducerId for idempotent producers today; the transaction coordinator (which in Kafka owns this
 * manager) for transactional ids later, through the same `generateProducerId()`.
 * Concurrency: calls may overlap; at most one block claim runs at a time and every caller that needs the next block
 * waits for it. Unlike Kafka, which claims its first block at broker start, the first claim happens on first use.
 * Ownership: one per broker, created by Broker with its KafkaZkClient; holds no resources.
 */
import type { Logger } from '../../common/logger.js';
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { ProducerIdBlock } from '../../zk/zk-paths.js';

/** Ids per block (Kafka's `ProducerIdManager.PidBlockSize`). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private block: ProducerIdBlock | undefined;
  private nextProducerId = -1;
  private claiming: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly brokerId: number,
    private readonly zk: Pick<KafkaZkClient, 'allocateProducerIdBlock'>,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ProducerIdManager' });
  }

  /** The next unused producer id; claims a new block from ZooKeeper when this broker's block is used up. */
  async generateProducerId(): Promise<number> {
    while (this.block === undefined || this.nextProducerId > this.block.blockEndId) {
      this.claiming ??= this.claimBlock().finally(() => {
        this.claiming = undefined;
      });
      await this.claiming;
    }
    return this.nextProducerId++;
  }

  private async claimBlock(): Promise<void> {
    const block = await this.zk.allocateProducerIdBlock(this.brokerId, PRODUCER_ID_BLOCK_SIZE);
    this.block = block;
    this.nextProducerId = block.blockStartId;
    this.logger.info({ blockStart: block.blockStartId, blockEnd: block.blockEndId }, 'claimed a producer id block');
  }
}
