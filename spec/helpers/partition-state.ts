/** Waiting on a partition's state znode (leader, ISR, epochs) as the controller wrote it, for specs with a cluster. */
import type { KafkaZkClient, LeaderIsrAndZkVersion } from '../../lib/zk/kafka-zk-client.js';
import { waitFor } from './wait-for.js';

/** Waits until the state znode of `topic-partition` satisfies `condition`; returns it. */
export function waitForPartitionState(
  zk: Pick<KafkaZkClient, 'getPartitionState'>,
  topic: string,
  partition: number,
  condition: (s: LeaderIsrAndZkVersion) => boolean,
  what: string,
  timeoutMs: number,
): Promise<LeaderIsrAndZkVersion> {
  return waitFor(
    async () => {
      const s = await zk.getPartitionState({ topic, partition });
      return s !== null && condition(s) ? s : undefined;
    },
    `${topic}-${partition}: ${what}`,
    { timeoutMs },
  );
}
