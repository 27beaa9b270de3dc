/**
 * Kafka's AclAuthorizer (`authorizer.class.name=kafka.security.authorizer.AclAuthorizer`): ACLs stored in ZooKeeper
 * (acl-znodes.ts), held in memory by every broker, kept current through the change notifications, and decisions
 * for "may this principal, from this host, do this operation on this resource".
 *
 * Decision (Kafka's `authorizeAction`): a super user may do everything. Otherwise the ACLs that apply to the
 * resource are its literal ones, the literal ones of the wildcard name `*` and every prefixed one whose prefix the
 * name starts with. None at all: `allow.everyone.if.no.acl.found` decides. A matching DENY (principal or `User:*`,
 * host or `*`, the operation or ALL) denies; else a matching ALLOW allows, where READ, WRITE, DELETE and ALTER
 * imply DESCRIBE, and ALTER_CONFIGS implies DESCRIBE_CONFIGS; else denied.
 *
 * Hot path: decisions are cached per (principal, host, operation, resource type, name), so a request costs one map
 * lookup per resource it names; the cache is dropped whenever any ACL changes (few and rare) or grows past
 * DECISION_CACHE_LIMIT entries. No per-record work.
 *
 * Writes (CreateAcls, DeleteAcls) change one resource pattern at a time through AclZkStore.updateAcls (read with the
 * znode version, conditional write, retried on a concurrent change, then a change notification so that every other
 * broker re-reads that pattern) and update this broker's cache. Concurrency: writes to one pattern from this
 * broker are serialized; reads never wait. Ownership: created, started and closed by Broker.
 */
import {
  AclOperation,
  AclPermissionType,
  aclBindingProblem,
  aclFilterProblem,
  bindingFilterMatches,
  patternFilterMatches,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type ResourcePattern,
} from '../../common/acl.js';
import { ApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ACL_CHANGE_SEQUENCE_PREFIX, ACL_STORES, AclChangeNotification } from '../../zk/acl-znodes.js';
import { AclZkStore, sameEntry } from '../../zk/acl-zk-store.js';
import { ChangeNotificationListener } from '../../zk/change-notification-listener.js';
import type { ZkClient } from '../../zk/zk-client.js';

/** Past this many cached decisions the cache starts over (a bound on memory with many principals or topics). */
export const DECISION_CACHE_LIMIT = 100_000;

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

const patternKey = (p: ResourcePattern): string => `${p.resourceType}\u0000${p.patternType}\u0000${p.name}`;

/** DESCRIBE is allowed by these; DESCRIBE_CONFIGS by these; anything else by itself. */
const IMPLIED_BY: ReadonlyMap<number, readonly number[]> = new Map([
  [
    AclOperation.DESCRIBE,
    [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  ],
  [AclOperation.DESCRIBE_CONFIGS, [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
]);

export class AclAuthorizer {
  private readonly store: AclZkStore;
  private readonly superUsers: ReadonlySet<string>;
  private readonly logger: Logger;
  /** Every pattern with ACLs: key → pattern and entries. */
  private readonly acls = new Map<string, { pattern: ResourcePattern; entries: readonly AccessControlEntry[] }>();
  /** Prefixed patterns by resource type, for matching. */
  private readonly prefixed = new Map<number, Map<string, readonly AccessControlEntry[]>>();
  private readonly decisions = new Map<string, boolean>();
  private readonly listeners: ChangeNotificationListener[];
  /** Serializes this broker's writes per pattern. */
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(private readonly o: AclAuthorizerOptions) {
    this.store = new AclZkStore(o.zk);
    this.superUsers = new Set(o.superUsers);
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
            await this.reload(pattern);
          },
        }),
    );
  }

  /** Creates the ACL paths, follows the change notifications, then reads every ACL. */
  async start(): Promise<void> {
    await this.store.createAclPaths();
    await Promise.all(this.listeners.map((l) => l.start()));
    for (const store of ACL_STORES) {
      for (const { pattern, acls } of await this.store.loadStore(store)) this.cache(pattern, acls.entries);
    }
    this.logger.info({ patterns: this.acls.size, superUsers: [...this.superUsers] }, 'ACLs loaded');
  }

  close(): void {
    for (const l of this.listeners) l.close();
  }

  /** Whether `principal` (`User:alice`) from `host` may do `operation` on the named resource (see the header). */
  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(principal)) return true;
    const key = `${principal}\u0000${host}\u0000${operation}\u0000${resourceType}\u0000${name}`;
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;
    const decision = this.decide(principal, host, operation, resourceType, name);
    if (this.decisions.size >= DECISION_CACHE_LIMIT) this.decisions.clear();
    this.decisions.set(key, decision);
    return decision;
  }

  /** Every binding matching a filter (DescribeAcls). */
  bindings(filter: AclBindingFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, entries } of this.acls.values()) {
      if (!patternFilterMatches(filter.patternFilter, pattern)) continue;
      for (const entry of entries) {
        const binding = { pattern, entry };
        if (bindingFilterMatches(filter, binding)) out.push(binding);
      }
    }
    return out;
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
      const k = patternKey(b.pattern);
      const group = byPattern.get(k) ?? { pattern: b.pattern, indexes: [] };
      group.indexes.push(i);
      byPattern.set(k, group);
    });
    await Promise.all(
      [...byPattern.values()].map(async ({ pattern, indexes }) => {
        try {
          await this.update(pattern, (current) => {
            const next = [...current];
            for (const i of indexes)
              if (!next.some((e) => sameEntry(e, bindings[i]!.entry))) next.push(bindings[i]!.entry);
            return next;
          });
        } catch (e) {
          const error = e instanceof ApiError ? e : new ApiError('UNKNOWN_SERVER_ERROR', (e as Error).message);
          for (const i of indexes) results[i] = error;
        }
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
      for (const b of this.bindings(filter)) {
        const k = patternKey(b.pattern);
        const group = matched.get(k) ?? { pattern: b.pattern, entries: [] };
        group.entries.push(b.entry);
        matched.set(k, group);
      }
      const deleted: { binding: AclBinding; error: ApiError | null }[] = [];
      for (const { pattern, entries } of matched.values()) {
        let error: ApiError | null = null;
        try {
          await this.update(pattern, (current) =>
            current.filter((e) => !bindingFilterMatches(filter, { pattern, entry: e })),
          );
        } catch (e) {
          error = e instanceof ApiError ? e : new ApiError('UNKNOWN_SERVER_ERROR', (e as Error).message);
        }
        for (const entry of entries) deleted.push({ binding: { pattern, entry }, error });
      }
      results.push({ error: null, deleted });
    }
    return results;
  }

  private decide(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    const matching: (readonly AccessControlEntry[])[] = [];
    const literal = (n: string) =>
      this.acls.get(
        patternKey({
          resourceType: resourceType as ResourcePattern['resourceType'],
          name: n,
          patternType: PatternType.LITERAL,
        }),
      )?.entries;
    const exact = literal(name);
    if (exact !== undefined) matching.push(exact);
    const wildcard = name === WILDCARD_RESOURCE ? undefined : literal(WILDCARD_RESOURCE);
    if (wildcard !== undefined) matching.push(wildcard);
    for (const [prefix, entries] of this.prefixed.get(resourceType) ?? []) {
      if (name.startsWith(prefix)) matching.push(entries);
    }
    if (matching.length === 0) return this.o.allowEveryoneIfNoAclFound;
    const applies = (e: AccessControlEntry, permission: number, op: number) =>
      e.permissionType === permission &&
      (e.principal === principal || e.principal === WILDCARD_PRINCIPAL) &&
      (e.operation === op || e.operation === AclOperation.ALL) &&
      (e.host === host || e.host === WILDCARD_HOST);
    const any = (permission: number, op: number) =>
      matching.some((list) => list.some((e) => applies(e, permission, op)));
    if (any(AclPermissionType.DENY, operation)) return false;
    return (IMPLIED_BY.get(operation) ?? [operation]).some((op) => any(AclPermissionType.ALLOW, op));
  }

  /** Re-reads one pattern from ZooKeeper (a change notification). */
  private async reload(pattern: ResourcePattern): Promise<void> {
    const { entries } = await this.store.getAcls(pattern);
    this.cache(pattern, entries);
    this.logger.info({ pattern, acls: entries.length }, 'ACLs changed');
  }

  /**
   * Applies `change` to a pattern's ACLs in ZooKeeper (AclZkStore.updateAcls: conditional writes, retried, then the
   * notification the other brokers follow) and to this broker's cache; this broker's writes to one pattern run one
   * at a time.
   */
  private update(
    pattern: ResourcePattern,
    change: (current: readonly AccessControlEntry[]) => readonly AccessControlEntry[],
  ): Promise<void> {
    const key = patternKey(pattern);
    const run = async () => this.cache(pattern, await this.store.updateAcls(pattern, change));
    const previous = this.writing.get(key) ?? Promise.resolve();
    const mine = previous.then(run, run);
    this.writing.set(key, mine);
    return mine.finally(() => {
      if (this.writing.get(key) === mine) this.writing.delete(key);
    });
  }

  private cache(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    const key = patternKey(pattern);
    if (entries.length === 0) this.acls.delete(key);
    else this.acls.set(key, { pattern, entries });
    if (pattern.patternType === PatternType.PREFIXED) {
      const byPrefix = this.prefixed.get(pattern.resourceType) ?? new Map<string, readonly AccessControlEntry[]>();
      if (entries.length === 0) byPrefix.delete(pattern.name);
      else byPrefix.set(pattern.name, entries);
      this.prefixed.set(pattern.resourceType, byPrefix);
    }
    this.decisions.clear();
  }
}
