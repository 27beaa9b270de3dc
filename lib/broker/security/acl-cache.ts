/**
 * The ACLs a broker holds in memory and the decision Kafka's AclAuthorizer makes from them (`authorizeAction`),
 * without any I/O: AclAuthorizer fills it from ZooKeeper and asks it.
 *
 * Decision: a super user may do everything. Otherwise the ACLs that apply to the resource are its literal ones, the
 * literal ones of the wildcard name `*` and every prefixed one whose prefix the name starts with. None at all:
 * `allowEveryoneIfNoAclFound` decides. A matching DENY (principal or `User:*`, host or `*`, the operation or ALL)
 * denies; else a matching ALLOW allows, where READ, WRITE, DELETE and ALTER imply DESCRIBE, and ALTER_CONFIGS implies
 * DESCRIBE_CONFIGS; else denied.
 *
 * Hot path: decisions are memoized per (principal, host, operation, resource type, name), so a request costs one
 * map lookup per resource it names; the memo is dropped whenever any ACL changes (few and rare) or grows past
 * DECISION_CACHE_LIMIT entries. Layout: patterns by key, and prefixed patterns by resource type for matching.
 */
import {
  AclOperation,
  AclPermissionType,
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
import { computeIfAbsent } from '../../common/collections.js';

/** Past this many memoized decisions the memo starts over (a bound on memory with many principals or topics). */
export const DECISION_CACHE_LIMIT = 100_000;

/** DESCRIBE is allowed by these; DESCRIBE_CONFIGS by these; anything else by itself. */
const IMPLIED_BY: ReadonlyMap<number, readonly number[]> = new Map([
  [
    AclOperation.DESCRIBE,
    [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  ],
  [AclOperation.DESCRIBE_CONFIGS, [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
]);

export const patternKey = (p: ResourcePattern): string => `${p.resourceType}\u0000${p.patternType}\u0000${p.name}`;

export class AclCache {
  private readonly acls = new Map<string, { pattern: ResourcePattern; entries: readonly AccessControlEntry[] }>();
  private readonly prefixed = new Map<number, Map<string, readonly AccessControlEntry[]>>();
  private readonly decisions = new Map<string, boolean>();
  private readonly superUsers: ReadonlySet<string>;

  constructor(
    superUsers: readonly string[],
    private readonly allowEveryoneIfNoAclFound: boolean,
  ) {
    this.superUsers = new Set(superUsers);
  }

  /** Number of resource patterns with ACLs. */
  get size(): number {
    return this.acls.size;
  }

  /** Replaces a pattern's ACLs (none: the pattern is gone) and forgets every memoized decision. */
  set(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    const key = patternKey(pattern);
    if (entries.length === 0) this.acls.delete(key);
    else this.acls.set(key, { pattern, entries });
    if (pattern.patternType === PatternType.PREFIXED) {
      const byPrefix = computeIfAbsent(
        this.prefixed,
        pattern.resourceType,
        () => new Map<string, readonly AccessControlEntry[]>(),
      );
      if (entries.length === 0) byPrefix.delete(pattern.name);
      else byPrefix.set(pattern.name, entries);
    }
    this.decisions.clear();
  }

  /** Whether `principal` (`User:alice`) from `host` may do `operation` on the named resource (see the header). */
  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    if (this.superUsers.has(principal)) return true;
    const key = `${principal}\u0000${host}\u0000${operation}\u0000${resourceType}\u0000${name}`;
    const memo = this.decisions.get(key);
    if (memo !== undefined) return memo;
    const decision = this.decide(principal, host, operation, resourceType, name);
    if (this.decisions.size >= DECISION_CACHE_LIMIT) this.decisions.clear();
    this.decisions.set(key, decision);
    return decision;
  }

  /**
   * Whether the principal may do `operation` on at least one resource of the type (Kafka's
   * `authorizeByResourceType`, KIP-679): a super user may; otherwise some ALLOW ACL of the type for the principal (or
   * `User:*`) and host must exist that no DENY for them covers (a DENY on `*`, on the same literal name, or a prefix
   * of the allowed pattern). Without any ACL of the type, allow.everyone.if.no.acl.found decides.
   */
  authorizeByResourceType(principal: string, host: string, operation: number, resourceType: number): boolean {
    if (this.superUsers.has(principal)) return true;
    const patterns = [...this.acls.values()].filter((a) => a.pattern.resourceType === resourceType);
    if (patterns.length === 0) return this.allowEveryoneIfNoAclFound;
    const applies = (e: AccessControlEntry, permission: number) =>
      e.permissionType === permission &&
      (e.principal === principal || e.principal === WILDCARD_PRINCIPAL) &&
      (e.operation === operation || e.operation === AclOperation.ALL) &&
      (e.host === host || e.host === WILDCARD_HOST);
    const denied = (p: ResourcePattern) =>
      patterns.some(
        (d) =>
          d.entries.some((e) => applies(e, AclPermissionType.DENY)) &&
          (d.pattern.name === WILDCARD_RESOURCE && d.pattern.patternType === PatternType.LITERAL
            ? true
            : d.pattern.patternType === PatternType.PREFIXED
              ? p.name.startsWith(d.pattern.name)
              : p.patternType === PatternType.LITERAL && d.pattern.name === p.name),
      );
    return patterns.some((a) => a.entries.some((e) => applies(e, AclPermissionType.ALLOW)) && !denied(a.pattern));
  }

  /** Every binding matching a filter. */
  bindings(filter: AclBindingFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, entries } of this.acls.values()) {
      if (!patternFilterMatches(filter.patternFilter, pattern)) continue;
      for (const entry of entries) if (bindingFilterMatches(filter, { pattern, entry })) out.push({ pattern, entry });
    }
    return out;
  }

  private decide(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    const literal = (n: string) => this.acls.get(`${resourceType}\u0000${PatternType.LITERAL}\u0000${n}`)?.entries;
    const matching: (readonly AccessControlEntry[])[] = [];
    const exact = literal(name);
    if (exact !== undefined) matching.push(exact);
    const wildcard = name === WILDCARD_RESOURCE ? undefined : literal(WILDCARD_RESOURCE);
    if (wildcard !== undefined) matching.push(wildcard);
    for (const [prefix, entries] of this.prefixed.get(resourceType) ?? []) {
      if (name.startsWith(prefix)) matching.push(entries);
    }
    if (matching.length === 0) return this.allowEveryoneIfNoAclFound;
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
}
