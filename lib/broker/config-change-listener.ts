/**
 * Applies topic config changes while the broker runs (Kafka's ZooKeeper-mode DynamicConfigManager, topics only).
 * AlterConfigs writes /config/topics/<t> and then a sequential /config/changes/config_change_<seq> notification
 * naming `topics/<t>`; this listener watches /config/changes and, for every notification newer than the last
 * one processed, has the ReplicaManager re-read that topic's config and apply it to the local logs.
 *
 * Invariants: notifications are processed in sequence order, each once; those present at start are taken as
 * applied (the ReplicaManager read every hosted topic's config when it started). Watches are lossy, but the
 * handler always receives the full current child list, so a missed event is caught up by the next one.
 * Ownership: created and closed by Broker. Not done: purging notifications older than 15 minutes (Kafka's
 * controller does it); they are small and harmless.
 */
import type { Logger } from '../common/logger.js';
import type { ReplicaManager } from '../replication/replica-manager.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';

const CHANGES_PATH = '/config/changes';

export class ConfigChangeListener {
  private lastProcessed: string | undefined;
  private unwatch: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly zk: KafkaZkClient, private readonly replicaManager: ReplicaManager, private readonly logger: Logger) {}

  start(): void {
    this.unwatch = this.zk.zk.watchChildren(CHANGES_PATH, (children) => {
      const sorted = [...(children ?? [])].sort();
      if (this.lastProcessed === undefined) {
        this.lastProcessed = sorted.at(-1) ?? '';
        return;
      }
      const fresh = sorted.filter((n) => n > this.lastProcessed!);
      if (fresh.length === 0) return;
      this.lastProcessed = fresh.at(-1)!;
      this.chain = this.chain.then(() => this.process(fresh));
    });
  }

  private async process(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        const change = await this.zk.getConfigChangeNotification(name);
        if (change === null) continue;
        const [type, entity] = change.entityPath.split('/', 2);
        if (type === 'topics' && entity) await this.replicaManager.reloadTopicConfig(entity);
      } catch (err) {
        this.logger.error({ err, notification: name }, 'could not apply a config change notification');
      }
    }
  }

  close(): void {
    this.unwatch?.();
  }
}
