/**
 * The broker's copy of every user and client entity's config (Kafka's ZooKeeper layout: `/config/users/<u>`,
 * `/config/users/<u>/clients/<c>`, `/config/clients/<c>`, `<default>` for defaults, names sanitized): the SCRAM
 * credentials (`SCRAM-SHA-256`, `SCRAM-SHA-512`) and quotas (`producer_byte_rate`, `consumer_byte_rate`,
 * `request_percentage`) live there. The SASL servers and the quota manager read it from memory on their hot paths;
 * it is read whole at start and one entity at a time on each config change notification (ConfigChangeListener).
 *
 * Layout: entity path (`users/alice`, as notifications name it) → config map. Listeners registered with
 * `onChange` run after each reload, so caches derived from it (resolved quotas) are invalidated.
 * Concurrency: reloads of the same entity may interleave; each applies the state it read, and the notification
 * that follows a later write always triggers one more read. Ownership: created by Broker.
 */
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';

export class ClientEntityConfigs {
  private readonly configs = new Map<string, Readonly<Record<string, string>>>();
  private readonly listeners: ((entityPath: string) => void)[] = [];

  constructor(private readonly zk: KafkaZkClient) {}

  /** Reads every user and client entity. */
  async start(): Promise<void> {
    const paths = await this.zk.getClientEntityPaths();
    const configs = await Promise.all(paths.map((p) => this.zk.getEntityConfigByPath(p)));
    paths.forEach((p, i) => this.set(p, configs[i]!));
  }

  /** Re-reads one entity after a change notification, then tells the listeners. */
  async reload(entityPath: string): Promise<void> {
    this.set(entityPath, await this.zk.getEntityConfigByPath(entityPath));
    for (const listener of this.listeners) listener(entityPath);
  }

  /** The config of an entity path (sanitized names), or undefined when it has none. */
  get(entityPath: string): Readonly<Record<string, string>> | undefined {
    return this.configs.get(entityPath);
  }

  /** Entity paths with a non-empty config. */
  entityPaths(): string[] {
    return [...this.configs.keys()];
  }

  onChange(listener: (entityPath: string) => void): void {
    this.listeners.push(listener);
  }

  private set(entityPath: string, config: Record<string, string>): void {
    if (Object.keys(config).length === 0) this.configs.delete(entityPath);
    else this.configs.set(entityPath, config);
  }
}
