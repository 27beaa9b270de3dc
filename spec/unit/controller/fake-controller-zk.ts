/**
 * An in-memory stand-in for the KafkaZkClient operations the state machines use: state znodes with versions
 * (conditional updates answer null on a version mismatch, as BAD_VERSION) and topic configs.
 */
import type { TopicPartition } from '../../../lib/common/topic-partition.js';
import type { LeaderIsrAndZkVersion } from '../../../lib/zk/kafka-zk-client.js';
import type { ConfigEntityType, LeaderIsrAndControllerEpoch } from '../../../lib/zk/zk-paths.js';
import type { PartitionStateZkClient } from '../../../lib/controller/partition-state-machine.js';

export class FakeControllerZk implements PartitionStateZkClient {
  readonly states = new Map<string, LeaderIsrAndZkVersion>();
  readonly topicConfigs = new Map<string, Record<string, string>>();
  /** Successful conditional updates, in order. */
  readonly updates: { tp: string; state: LeaderIsrAndControllerEpoch }[] = [];

  put(tp: TopicPartition, state: LeaderIsrAndControllerEpoch, zkVersion = 0): void {
    this.states.set(`${tp.topic}-${tp.partition}`, { ...state, zkVersion });
  }

  get(topic: string, partition: number): LeaderIsrAndZkVersion | undefined {
    return this.states.get(`${topic}-${partition}`);
  }

  async createPartitionStates(
    topic: string,
    states: ReadonlyMap<number, LeaderIsrAndControllerEpoch>,
  ): Promise<Map<number, boolean>> {
    const created = new Map<number, boolean>();
    for (const [partition, state] of states) {
      const exists = this.get(topic, partition) !== undefined;
      if (!exists) this.put({ topic, partition }, state);
      created.set(partition, !exists);
    }
    return created;
  }

  async updatePartitionState(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
  ): Promise<number | null> {
    const current = this.get(tp.topic, tp.partition);
    if (current === undefined || current.zkVersion !== expectedZkVersion) return null;
    this.put(tp, state, expectedZkVersion + 1);
    this.updates.push({ tp: `${tp.topic}-${tp.partition}`, state });
    return expectedZkVersion + 1;
  }

  async getPartitionState(tp: TopicPartition): Promise<LeaderIsrAndZkVersion | null> {
    return this.get(tp.topic, tp.partition) ?? null;
  }

  async getEntityConfig(_entityType: ConfigEntityType, entityName: string): Promise<Record<string, string>> {
    return this.topicConfigs.get(entityName) ?? {};
  }
}
