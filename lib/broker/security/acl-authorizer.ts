/**
 * Kafka's AclAuthorizer (`authorizer.class.name=kafka.security.authorizer.AclAuthorizer`): ACLs stored in ZooKeeper
 * (acl-znodes.ts), held in memory by every broker (AclCache, which also makes and memoizes the decisions), kept
 * current through the change notifications.
 *
 * Writes (CreateAcls, DeleteAcls) change one resource pattern at a time through AclZkStore.updateAcls (read with the
 * znode version, conditional write, retried on a concurrent change, then a change notification so that every other
 * broker re-reads that pattern) and update this broker's cache. Concurrency: writes to one pattern from this broker
 * are serialized; decisions never wait. Ownership: created, started and closed by Broker.
 */
import {
  aclBindingProblem,
  aclFilterProblem,
  bindingFilterMatches,
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type ResourcePattern,
} from '../../common/acl.js';
import { computeIfAbsent } from '../../common/collections.js';
import { ApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ACL_CHANGE_SEQUENCE_PREFIX, ACL_STORES, AclChangeNotification } from '../../zk/acl-znodes.js';
import { AclZkStore, sameEntry } from '../../zk/acl-zk-store.js';
import { ChangeNotificationListener } from '../../zk/change-notification-listener.js';
import type { ZkClient } from '../../zk/zk-client.js';
import { AclCache, patternKey } from './acl-cache.js';

export interface AclAuthorizerOptions {
  zk: ZkClient;
  /** super.users, as principal strings (`User:admin`). */
  superUsers: readonly string[];
  /** allow.everyone.if.no.acl.found */
  allowEveryoneIfNoAclFound: boolean;
  logger: Logger;
}

/** The outcome of one DeleteAcls filter. */
export interface DeleteAclsResult {
  readonly error: ApiError | null;
  readonly deleted: { readonly binding: AclBinding; readonly error: ApiError | null }[];
}

export class AclAuthorizer {
  private readonly store: AclZkStore;
  private readonly cache: AclCache;
  private readonly logger: Logger;
  private readonly listeners: ChangeNotificationListener[];
  /** Serializes this broker's writes per pattern. */
  private readonly writing = new Map<string, Promise<ApiError | null>>();

  constructor(o: AclAuthorizerOptions) {
    this.store = new AclZkStore(o.zk);
    this.cache = new AclCache(o.superUsers, o.allowEveryoneIfNoAclFound);
    this.logger = o.logger.child({ component: 'AclAuthorizer' });
    this.listeners = ACL_STORES.map(
      (store) =>
        new ChangeNotificationListener({
          zk: o.zk,
          path: store.changePath,
          prefix: ACL_CHANGE_SEQUENCE_PREFIX,
          logger: this.logger,
          handler: async (data, name) => {
            const pattern = AclChangeNotification.decode(store, `${store.changePath}/${name}`, data);
            const { entries } = await this.store.getAcls(pattern);
            this.cache.set(pattern, entries);
            this.logger.info({ pattern, acls: entries.length }, 'ACLs changed');
          },
        }),
    );
  }

  /** Creates the ACL paths, follows the change notifications, then reads every ACL. */
  async start(): Promise<void> {
    await this.store.createAclPaths();
    await Promise.all(this.listeners.map((l) => l.start()));
    for (const store of ACL_STORES) {
      for (const { pattern, acls } of await this.store.loadStore(store)) this.cache.set(pattern, acls.entries);
    }
    this.logger.info({ patterns: this.cache.size }, 'ACLs loaded');
  }

  close(): void {
    for (const l of this.listeners) l.close();
  }

  /** Whether `principal` (`User:alice`) from `host` may do `operation` on the named resource (AclCache). */
  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    return this.cache.authorize(principal, host, operation, resourceType, name);
  }

  /** Whether some resource of the type allows the operation (AclCache). */
  authorizeByResourceType(principal: string, host: string, operation: number, resourceType: number): boolean {
    return this.cache.authorizeByResourceType(principal, host, operation, resourceType);
  }

  /** Every binding matching a filter (DescribeAcls). */
  bindings(filter: AclBindingFilter): AclBinding[] {
    return this.cache.bindings(filter);
  }

  /** Adds bindings; one error (or null) per binding, in order. */
  async createAcls(bindings: readonly AclBinding[]): Promise<(ApiError | null)[]> {
    const results: (ApiError | null)[] = bindings.map((b) => {
      const problem = aclBindingProblem(b);
      return problem === undefined ? null : new ApiError('INVALID_REQUEST', `Failed to create ACL: ${problem}.`);
    });
    const byPattern = new Map<string, { pattern: ResourcePattern; indexes: number[] }>();
    bindings.forEach((b, i) => {
      if (results[i] !== null) return;
      const group = computeIfAbsent(byPattern, patternKey(b.pattern), () => ({ pattern: b.pattern, indexes: [] }));
      group.indexes.push(i);
    });
    await Promise.all(
      [...byPattern.values()].map(async ({ pattern, indexes }) => {
        const added = indexes.map((i) => bindings[i]!.entry);
        const error = await this.update(pattern, (current) => [
          ...current,
          ...added.filter(
            (e, i) => !current.some((c) => sameEntry(c, e)) && added.findIndex((x) => sameEntry(x, e)) === i,
          ),
        ]);
        for (const i of indexes) results[i] = error;
      }),
    );
    return results;
  }

  /** Removes the bindings matching each filter; per filter, what was removed. */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<DeleteAclsResult[]> {
    const results: DeleteAclsResult[] = [];
    for (const filter of filters) {
      const problem = aclFilterProblem(filter);
      if (problem !== undefined) {
        results.push({ error: new ApiError('INVALID_REQUEST', `Invalid ACL filter: ${problem}.`), deleted: [] });
        continue;
      }
      const matched = new Map<string, { pattern: ResourcePattern; entries: AccessControlEntry[] }>();
      for (const b of this.cache.bindings(filter)) {
        computeIfAbsent(matched, patternKey(b.pattern), () => ({ pattern: b.pattern, entries: [] })).entries.push(
          b.entry,
        );
      }
      const deleted: { binding: AclBinding; error: ApiError | null }[] = [];
      for (const { pattern, entries } of matched.values()) {
        const error = await this.update(pattern, (current) =>
          current.filter((e) => !bindingFilterMatches(filter, { pattern, entry: e })),
        );
        for (const entry of entries) deleted.push({ binding: { pattern, entry }, error });
      }
      results.push({ error: null, deleted });
    }
    return results;
  }

  /**
   * Applies `change` to a pattern's ACLs in ZooKeeper (AclZkStore.updateAcls) and to the cache; this broker's
   * writes to one pattern run one at a time. Resolves with the error, or null.
   */
  private update(
    pattern: ResourcePattern,
    change: (current: readonly AccessControlEntry[]) => readonly AccessControlEntry[],
  ): Promise<ApiError | null> {
    const key = patternKey(pattern);
    const run = async (): Promise<ApiError | null> => {
      try {
        this.cache.set(pattern, await this.store.updateAcls(pattern, change));
        return null;
      } catch (e) {
        return e instanceof ApiError ? e : new ApiError('UNKNOWN_SERVER_ERROR', (e as Error).message);
      }
    };
    const mine = (this.writing.get(key) ?? Promise.resolve(null)).then(run, run);
    this.writing.set(key, mine);
    return mine.finally(() => {
      if (this.writing.get(key) === mine) this.writing.delete(key);
    });
  }
}
