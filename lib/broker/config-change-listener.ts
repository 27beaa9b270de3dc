/**
 * Applies config changes while the broker runs (Kafka's ZooKeeper-mode DynamicConfigManager): AlterConfigs,
 * IncrementalAlterConfigs, AlterClientQuotas and AlterUserScramCredentials write /config/<type>/<name> and then a
 * sequential /config/changes/config_change_<seq> notification naming `<type>/<name>`; this listener follows
 * /config/changes (a ChangeNotificationListener: each new notification once, in order; obsolete ones purged after
 * 15 minutes, as Kafka's ZkNodeChangeNotificationListener does on every broker) and hands `topics/<t>` to
 * `topicChanged` (the ReplicaManager re-reads that topic's config and applies it to the local logs), `brokers/<id>`
 * or `brokers/<default>` to `brokerChanged` (the broker re-reads its dynamic configs when the change concerns it),
 * and `users/<u>`, `clients/<c>` and `users/<u>/clients/<c>` to `clientEntityChanged` (the credential cache and the
 * quota manager re-read that entity).
 *
 * Notifications present at start are taken as applied: the ReplicaManager read every hosted topic's config, the
 * broker its dynamic configs, and the caches every user and client entity, when they started. A broker down for
 * longer than the 15 minutes misses nothing for the same reason. Ownership: created and closed by Broker.
 */
import type { Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import { ChangeNotificationListener, CHANGE_NOTIFICATION_EXPIRATION_MS } from '../zk/change-notification-listener.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import {
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigType,
} from '../zk/zk-paths.js';

/** What the listener does with each kind of change. */
export interface ConfigChangeHandlers {
  /** A topic's overrides changed (`topics/<t>`). */
  topicChanged(topic: string): Promise<void>;
  /** A broker's (`<id>`) or the cluster-default (`<default>`) dynamic broker configs changed. */
  brokerChanged(entity: string): Promise<void>;
  /** A user's or client's quotas or SCRAM credentials changed (`users/<u>`, `clients/<c>`, `users/<u>/clients/<c>`). */
  clientEntityChanged(entityPath: string): Promise<void>;
}

export class ConfigChangeListener {
  private readonly listener: ChangeNotificationListener;

  constructor(
    zk: KafkaZkClient,
    logger: Logger,
    handlers: ConfigChangeHandlers,
    time: Time = SystemTime,
    changeExpirationMs = CHANGE_NOTIFICATION_EXPIRATION_MS,
  ) {
    this.listener = new ChangeNotificationListener({
      zk: zk.zk,
      path: ConfigEntityChangeNotificationZNode.path,
      prefix: ConfigEntityChangeNotificationSequenceZNode.SequenceNumberPrefix,
      logger,
      time,
      changeExpirationMs,
      handler: async (data, name) => {
        const entityPath = ConfigEntityChangeNotificationSequenceZNode.decode(
          `${ConfigEntityChangeNotificationZNode.path}/${name}`,
          data,
        );
        const slash = entityPath.indexOf('/');
        const type = entityPath.slice(0, slash);
        const entity = entityPath.slice(slash + 1);
        if (slash <= 0 || entity === '') return;
        if (type === ConfigType.Topic) await handlers.topicChanged(entity);
        else if (type === ConfigType.Broker) await handlers.brokerChanged(entity);
        else if (type === ConfigType.User || type === ConfigType.Client) await handlers.clientEntityChanged(entityPath);
      },
    });
  }

  /** Starts following /config/changes; resolves once the notifications already there are known. */
  start(): Promise<void> {
    return this.listener.start();
  }

  close(): void {
    this.listener.close();
  }
}
