/**
 * Applies config changes while the broker runs (Kafka's ZooKeeper-mode DynamicConfigManager, for topics and
 * brokers). AlterConfigs and IncrementalAlterConfigs write /config/<type>/<name> and then a sequential
 * /config/changes/config_change_<seq> notification naming `<type>/<name>`; this listener watches /config/changes and,
 * for every notification newer than the last one processed, hands `topics/<t>` to `topicChanged` (the ReplicaManager
 * re-reads that topic's config and applies it to the local logs) and `brokers/<id>` or `brokers/<default>` to
 * `brokerChanged` (the broker re-reads its dynamic configs when the change concerns it).
 *
 * Invariants: notifications are processed in sequence order, each once; those present at start are taken as
 * applied (the ReplicaManager read every hosted topic's config, and the broker its dynamic configs, when they
 * started). Watches are lossy, but the handler always receives the full current child list, so a missed event is
 * caught up by the next one.
 * Notifications older than `changeExpirationMs` (Kafka's 15 minutes) are deleted whenever a new one is processed,
 * as Kafka's ZkNodeChangeNotificationListener does on every broker; deleting one another broker already deleted
 * is not an error. A broker down for longer than that misses nothing: it reads every topic's config at start.
 * Ownership: created and closed by Broker.
 */
import type { Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';

const CHANGES_PATH = '/config/changes';
/** Kafka's `changeExpirationMs` for config change notifications. */
export const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60 * 1000;

/** What the listener does with each kind of change. */
export interface ConfigChangeHandlers {
  /** A topic's overrides changed (`topics/<t>`). */
  topicChanged(topic: string): Promise<void>;
  /** A broker's (`<id>`) or the cluster-default (`<default>`) dynamic broker configs changed. */
  brokerChanged(entity: string): Promise<void>;
}

export class ConfigChangeListener {
  private lastProcessed: string | undefined;
  private unwatch: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly zk: KafkaZkClient,
    private readonly logger: Logger,
    private readonly handlers: ConfigChangeHandlers,
    private readonly time: Time = SystemTime,
    private readonly changeExpirationMs = CONFIG_CHANGE_EXPIRATION_MS,
  ) {}

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
      this.chain = this.chain.then(() => this.process(fresh)).then(() => this.purgeObsolete(sorted));
    });
  }

  private async process(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        const change = await this.zk.getConfigChangeNotification(name);
        if (change === null) continue;
        const [type, entity] = change.entityPath.split('/', 2);
        if (type === 'topics' && entity) await this.handlers.topicChanged(entity);
        else if (type === 'brokers' && entity) await this.handlers.brokerChanged(entity);
      } catch (err) {
        this.logger.error({ err, notification: name }, 'could not apply a config change notification');
      }
    }
  }

  private async purgeObsolete(names: string[]): Promise<void> {
    const expiredBefore = this.time.milliseconds() - this.changeExpirationMs;
    for (const name of names) {
      try {
        const change = await this.zk.getConfigChangeNotification(name);
        if (change === null || change.ctimeMs >= expiredBefore) continue;
        await this.zk.deleteConfigChangeNotification(name);
        this.logger.debug({ notification: name }, 'purged an obsolete config change notification');
      } catch (err) {
        this.logger.warn(
          { err, notification: name },
          'could not purge a config change notification; the next change retries',
        );
      }
    }
  }

  close(): void {
    this.unwatch?.();
  }
}
