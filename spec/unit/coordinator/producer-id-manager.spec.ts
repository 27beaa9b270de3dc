import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdManager } from '../../../lib/coordinator/transaction/producer-id-manager.js';
import type { ProducerIdBlock } from '../../../lib/zk/zk-paths.js';

/** /latest_producer_id_block as seen by brokers sharing one ZooKeeper: each claim takes the next block. */
class BlockStore {
  claims: number[] = [];
  private end = -1;
  allocateProducerIdBlock(brokerId: number, blockSize: number): Promise<ProducerIdBlock> {
    this.claims.push(brokerId);
    const block = { brokerId, blockStartId: this.end + 1, blockEndId: this.end + blockSize };
    this.end = block.blockEndId;
    return new Promise((resolve) => setImmediate(() => resolve(block)));
  }
}

describe('ProducerIdManager', () => {
  it('gives out the ids of a claimed block one by one, then claims the next block', async () => {
    const store = new BlockStore();
    const manager = new ProducerIdManager(1, store, silentLogger);
    const ids: number[] = [];
    for (let i = 0; i <= PRODUCER_ID_BLOCK_SIZE; i++) ids.push(await manager.generateProducerId());
    expect(ids.slice(0, 3)).to.deep.equal([0, 1, 2]);
    expect(ids[PRODUCER_ID_BLOCK_SIZE]).to.equal(PRODUCER_ID_BLOCK_SIZE);
    expect(store.claims).to.deep.equal([1, 1]);
  });

  it('claims once for concurrent callers, and brokers never share an id', async () => {
    const store = new BlockStore();
    const one = new ProducerIdManager(1, store, silentLogger);
    const two = new ProducerIdManager(2, store, silentLogger);
    const ids = await Promise.all([
      ...Array.from({ length: 10 }, () => one.generateProducerId()),
      ...Array.from({ length: 10 }, () => two.generateProducerId()),
    ]);
    expect(store.claims).to.deep.equal([1, 2]);
    expect(new Set(ids).size).to.equal(20);
    expect(ids.slice(10).every((id) => id >= PRODUCER_ID_BLOCK_SIZE)).to.equal(true);
  });
});
