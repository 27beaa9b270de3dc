/**
 * Topic deletion (Kafka's `TopicDeletionManager`), reduced to what a cluster without StopReplica RPCs needs.
 *
 * Kafka waits for every replica's StopReplica(delete=true) response before removing the topic's znodes, and pauses
 * while a replica's broker is down. Here brokers delete their local data themselves when the topic disappears
 * from /brokers/topics (and a broker that was down cleans up at startup), so deletion completes within one event:
 * partitions Offline → NonExistent, replicas Offline → DeletionStarted → DeletionSuccessful → NonExistent (in
 * memory; no ISR writes for a topic whose state znodes are about to go), then fenced deletes of
 * /brokers/topics/<t> (with its state znodes), /config/topics/<t> and /admin/delete_topics/<t>, in that order so
 * that brokers see the topic vanish first. A new topic of the same name gets a new topic_id, which tells brokers
 * that missed the deletion to drop their old data.
 *
 * Invariants: a topic is in `context.topicsToBeDeleted` from the moment its marker is seen until its znodes are
 * gone; markers of unknown topics, and every marker while delete.topic.enable is false, are removed (as Kafka).
 * Concurrency: called from controller event handlers only. Ownership: one per activation.
 * Crash: the marker survives in ZooKeeper; the next controller resumes the deletion at failover.
 */
import type { Logger } from '../common/logger.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import type { ControllerContext } from './controller-context.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';

export interface TopicDeletionManagerOptions {
  context: ControllerContext;
  zkClient: Pick<KafkaZkClient, 'deleteTopicZNodes' | 'deleteTopicDeletions'>;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  deleteTopicEnable: boolean;
  /** Called after a topic's znodes are gone and it left the context (the controller drops its topic watch). */
  onTopicDeleted: (topic: string) => void;
  logger: Logger;
}

export class TopicDeletionManager {
  private readonly opts: TopicDeletionManagerOptions;
  private readonly log: Logger;

  constructor(opts: TopicDeletionManagerOptions) {
    this.opts = opts;
    this.log = opts.logger.child({ component: 'TopicDeletionManager' });
  }

  /**
   * Acts on the current children of /admin/delete_topics: removes markers of topics that do not exist (and all
   * markers when deletion is disabled), queues the others and deletes them.
   */
  async onDeletionMarkers(markedTopics: readonly string[]): Promise<void> {
    const { context, zkClient } = this.opts;
    const unknown = markedTopics.filter((t) => !context.hasTopic(t));
    const known = markedTopics.filter((t) => context.hasTopic(t));
    if (unknown.length > 0) {
      this.log.warn({ topics: unknown }, 'removing deletion markers of topics that do not exist');
    }
    if (!this.opts.deleteTopicEnable && known.length > 0) {
      this.log.info({ topics: known }, 'removing deletion markers since delete.topic.enable is false');
    }
    const markersToRemove = this.opts.deleteTopicEnable ? unknown : [...unknown, ...known];
    if (markersToRemove.length > 0) await zkClient.deleteTopicDeletions(markersToRemove, context.epochZkVersion);
    if (!this.opts.deleteTopicEnable) return;
    for (const topic of known) context.topicsToBeDeleted.add(topic);
    await this.resumeDeletions();
  }

  /** Deletes every topic queued for deletion. */
  async resumeDeletions(): Promise<void> {
    const topics = [...this.opts.context.topicsToBeDeleted].filter((t) => this.opts.context.hasTopic(t));
    if (topics.length === 0) return;
    this.log.info({ topics }, 'deleting topics');
    await this.transitionToNonExistent(topics);
    await Promise.all(
      topics.map((topic) => this.opts.zkClient.deleteTopicZNodes(topic, this.opts.context.epochZkVersion)),
    );
    for (const topic of topics) {
      this.opts.context.removeTopic(topic);
      this.opts.onTopicDeleted(topic);
      this.log.info({ topic }, 'deletion of topic successfully completed');
    }
  }

  private async transitionToNonExistent(topics: readonly string[]): Promise<void> {
    const { context, partitionStateMachine: psm, replicaStateMachine: rsm } = this.opts;
    const partitions = topics.flatMap((t) => context.partitionsOf(t));
    const reason = 'topic deletion';
    await psm.handleStateChanges(
      partitions.filter((p) => p.state !== 'NonExistentPartition'),
      'OfflinePartition',
      reason,
    );
    await psm.handleStateChanges(
      partitions.filter((p) => p.state === 'OfflinePartition'),
      'NonExistentPartition',
      reason,
    );
    const replicas = context.replicasOf(partitions);
    await rsm.handleStateChanges(replicas, 'OfflineReplica', reason);
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionStarted', reason);
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionSuccessful', reason);
    await rsm.handleStateChanges(replicas, 'NonExistentReplica', reason);
  }
}
