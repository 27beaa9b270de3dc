/**
 * Follows a ZooKeeper change-notification directory (Kafka's `ZkNodeChangeNotificationListener`): writers create a
 * persistent sequential znode `<path>/<prefix><seq>` after they change something, and every broker watches `<path>`
 * and hands each new notification's content to its handler, in sequence order, once.
 *
 * Used for config changes (`/config/changes/config_change_`) and ACL changes (`/kafka-acl-changes/acl_changes_`,
 * `/kafka-acl-extended-changes/acl_changes_`).
 *
 * Invariants: the notifications present when the watch first reads are taken as applied (the owner reads the full
 * state after `start()`, so nothing between the two is lost); later ones are processed in sequence order, each
 * once, one at a time. Watches are lossy, but the handler always receives the full child list, so a missed event
 * is caught up by the next one. Notifications older than `changeExpirationMs` (Kafka's 15 minutes) are deleted
 * whenever a new one has been processed, by every broker, as Kafka does; deleting one another broker already
 * deleted is not an error. A handler that throws is logged and the next notification is processed.
 * Ownership: the owner calls `start()` once and `close()` once.
 */
import type { Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import { childPath, type ZkClient } from './zk-client.js';
import { isZkError } from './zk-errors.js';

/** Kafka's `changeExpirationMs` for change notifications. */
export const CHANGE_NOTIFICATION_EXPIRATION_MS = 15 * 60 * 1000;

export interface ChangeNotificationListenerOptions {
  zk: ZkClient;
  /** The directory watched, e.g. `/kafka-acl-changes`. */
  path: string;
  /** The sequential name prefix, e.g. `acl_changes_`. */
  prefix: string;
  /** Applies one notification's content. */
  handler: (data: Buffer, name: string) => Promise<void> | void;
  logger: Logger;
  time?: Time;
  changeExpirationMs?: number;
}

export class ChangeNotificationListener {
  private lastProcessed: string | undefined;
  private unwatch: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly time: Time;
  private readonly expirationMs: number;

  constructor(private readonly o: ChangeNotificationListenerOptions) {
    this.time = o.time ?? SystemTime;
    this.expirationMs = o.changeExpirationMs ?? CHANGE_NOTIFICATION_EXPIRATION_MS;
  }

  /** Starts watching; resolves once the existing notifications have been read (and taken as applied). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.unwatch = this.o.zk.watchChildren(this.o.path, (children) => {
        const sorted = (children ?? []).filter((n) => n.startsWith(this.o.prefix)).sort();
        if (this.lastProcessed === undefined) {
          this.lastProcessed = sorted.at(-1) ?? '';
          resolve();
          return;
        }
        const fresh = sorted.filter((n) => n > this.lastProcessed!);
        if (fresh.length === 0) return;
        this.lastProcessed = fresh.at(-1)!;
        this.chain = this.chain.then(() => this.process(fresh)).then(() => this.purgeObsolete(sorted));
      });
    });
  }

  /** Resolves once every notification seen so far has been handled (for specs and orderly shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  close(): void {
    this.unwatch?.();
  }

  private async process(names: string[]): Promise<void> {
    for (const name of names) {
      try {
        const node = await this.o.zk.getData(childPath(this.o.path, name));
        if (node !== null) await this.o.handler(node.data, name);
      } catch (err) {
        this.o.logger.error({ err, notification: `${this.o.path}/${name}` }, 'could not apply a change notification');
      }
    }
  }

  private async purgeObsolete(names: string[]): Promise<void> {
    const expiredBefore = this.time.milliseconds() - this.expirationMs;
    for (const name of names) {
      const path = childPath(this.o.path, name);
      try {
        const stat = await this.o.zk.exists(path);
        if (stat === null || stat.ctimeMs >= expiredBefore) continue;
        await this.o.zk.delete(path);
        this.o.logger.debug({ notification: path }, 'purged an obsolete change notification');
      } catch (err) {
        if (isZkError(err, 'NO_NODE')) continue;
        this.o.logger.warn(
          { err, notification: path },
          'could not purge a change notification; the next change retries',
        );
      }
    }
  }
}
