/**
 * ElectLeaders (KIP-460): served by the active controller, which runs the elections (preferred or unclean) on its
 * event queue and writes the new states to ZooKeeper. As Kafka's DelayedElectLeader, the answer then waits until
 * this broker's metadata shows each elected leader (up to timeoutMs; REQUEST_TIMED_OUT for the rest), so that a
 * client refreshing its metadata right after sees the change. A broker that is not the active controller answers
 * NOT_CONTROLLER for every partition; the client retries at the controller its metadata names.
 *
 * topicPartitions null means every partition this broker's metadata knows; the answer then leaves out the
 * partitions that needed no election (ELECTION_NOT_NEEDED), as Kafka does.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import { groupByTopic, tpKey, type TopicPartition } from '../../common/topic-partition.js';
import type { ElectionOutcome } from '../../controller/replica-leader-election.js';
import { ElectionType, type ElectLeadersRequest, type ElectLeadersResponse } from '../../protocol/messages/index.js';
import type { MetadataCache } from '../../replication/metadata-cache.js';
import type { BrokerServices } from './broker-services.js';

export async function handleElectLeaders(s: BrokerServices, req: ElectLeadersRequest): Promise<ElectLeadersResponse> {
  const requested: TopicPartition[] =
    req.topicPartitions === null
      ? [...s.metadataCache.partitions()].map(({ topic, partition }) => ({ topic, partition }))
      : req.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  const electionType = req.electionType === ElectionType.Unclean ? 'UNCLEAN' : 'PREFERRED';
  let outcomes: ElectionOutcome[];
  try {
    outcomes = await s.controller.electLeaders(requested, electionType);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    outcomes = requested.map((tp) => ({ ...tp, error: e }));
  }
  const elected = outcomes.flatMap((o) => (o.error === undefined ? [o] : []));
  const shown = await awaitLeaders(s.metadataCache, elected, Math.max(0, req.timeoutMs));
  const answered = outcomes.filter((o) => req.topicPartitions !== null || o.error?.errorName !== 'ELECTION_NOT_NEEDED');
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    replicaElectionResults: groupByTopic(answered, (o) => {
      if (o.error !== undefined)
        return { partitionId: o.partition, errorCode: o.error.errorCode, errorMessage: o.error.message };
      if (shown.has(tpKey(o.topic, o.partition)))
        return { partitionId: o.partition, errorCode: ErrorCode.NONE, errorMessage: null };
      return {
        partitionId: o.partition,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: `Broker ${o.leader} was elected leader of ${tpKey(o.topic, o.partition)}, but this broker's metadata did not show it within ${req.timeoutMs} ms.`,
      };
    }).map(({ name, items }) => ({ topic: name, partitionResult: items })),
  };
}

/** Waits until the cache shows each elected leader or `timeoutMs` passes; resolves with the keys it showed. */
function awaitLeaders(
  cache: MetadataCache,
  elected: ReadonlyArray<TopicPartition & { leader: number }>,
  timeoutMs: number,
): Promise<Set<string>> {
  const expected = new Map(elected.map((e) => [tpKey(e.topic, e.partition), e.leader]));
  const shown = new Set<string>();
  const check = (topic: string, partition: number): void => {
    const key = tpKey(topic, partition);
    if (expected.get(key) === cache.partitionState(topic, partition)?.leader) shown.add(key);
  };
  for (const e of elected) check(e.topic, e.partition);
  if (shown.size === expected.size) return Promise.resolve(shown);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      cache.off('partitionState', onState);
      resolve(shown);
    };
    const onState = (topic: string, partition: number): void => {
      check(topic, partition);
      if (shown.size === expected.size) done();
    };
    const timer = setTimeout(done, timeoutMs);
    cache.on('partitionState', onState);
  });
}
