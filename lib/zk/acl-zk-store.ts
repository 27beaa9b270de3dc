/**
 * Kafka's ACL operations on ZooKeeper (the ACL part of Kafka's `KafkaZkClient`), over the znodes of acl-znodes.ts:
 * reading a resource pattern's ACLs with their znode version, conditional writes that fail on a concurrent change
 * (the caller re-reads and retries, as AclAuthorizer does), listing every pattern, and change notifications.
 *
 * Invariants: every write is conditional on the version read (create-if-absent for a new pattern, delete at the
 * version for a pattern left without ACLs), so two brokers or tools changing the same pattern never lose an
 * update: `updateAcls` re-reads and retries (up to 10 times, as Kafka's AclAuthorizer) and, when something
 * changed, creates the change notification every broker follows. Pure ZooKeeper I/O; no state.
 */
import type { AccessControlEntry, ResourcePattern } from '../common/acl.js';
import { ApiError } from '../common/errors.js';
import {
  ACL_CHANGE_SEQUENCE_PREFIX,
  ACL_STORES,
  AclChangeNotification,
  aclStoreFor,
  ResourceZNode,
  type AclStore,
} from './acl-znodes.js';
import type { ZkClient } from './zk-client.js';
import { isZkError } from './zk-errors.js';

export interface VersionedAcls {
  readonly entries: readonly AccessControlEntry[];
  /** The znode's version; -1 when it does not exist. */
  readonly zkVersion: number;
}

export class AclZkStore {
  constructor(readonly zk: ZkClient) {}

  /** Creates the ACL and change roots of every store (Kafka's `createAclPaths`). */
  async createAclPaths(): Promise<void> {
    for (const store of ACL_STORES) {
      await this.zk.ensurePath(store.aclPath);
      await this.zk.ensurePath(store.changePath);
    }
  }

  /** Every resource pattern with ACLs in a store, with its ACLs and version. */
  async loadStore(store: AclStore): Promise<{ pattern: ResourcePattern; acls: VersionedAcls }[]> {
    const out: { pattern: ResourcePattern; acls: VersionedAcls }[] = [];
    for (const typeName of (await this.zk.getChildren(store.aclPath)) ?? []) {
      const resourceType = ResourceZNode.resourceType(
        `${store.aclPath}/${typeName}`,
        typeName,
      ) as ResourcePattern['resourceType'];
      const names = (await this.zk.getChildren(ResourceZNode.typePath(store, resourceType))) ?? [];
      const loaded = await Promise.all(
        names.map(async (name) => {
          const pattern: ResourcePattern = { resourceType, name, patternType: store.patternType };
          return { pattern, acls: await this.getAcls(pattern) };
        }),
      );
      out.push(...loaded.filter((l) => l.acls.zkVersion >= 0));
    }
    return out;
  }

  async getAcls(pattern: ResourcePattern): Promise<VersionedAcls> {
    const path = ResourceZNode.path(pattern);
    const node = await this.zk.getData(path);
    return node === null
      ? { entries: [], zkVersion: -1 }
      : { entries: ResourceZNode.decode(path, node.data), zkVersion: node.stat.version };
  }

  /**
   * Writes `entries` if the znode is still at `zkVersion` (-1: absent, so create it); an empty list deletes the
   * znode. Returns the new version (-1 after a delete), or undefined when somebody else changed it first.
   */
  async conditionalWrite(
    pattern: ResourcePattern,
    entries: readonly AccessControlEntry[],
    zkVersion: number,
  ): Promise<number | undefined> {
    const path = ResourceZNode.path(pattern);
    try {
      if (entries.length === 0) {
        if (zkVersion >= 0) await this.zk.delete(path, zkVersion);
        return -1;
      }
      if (zkVersion < 0) {
        await this.zk.create(path, ResourceZNode.encode(entries), { createParents: true });
        return 0;
      }
      return (await this.zk.setData(path, ResourceZNode.encode(entries), zkVersion)).version;
    } catch (e) {
      if (isZkError(e, 'BAD_VERSION', 'NODE_EXISTS', 'NO_NODE')) return undefined;
      throw e;
    }
  }

  /**
   * Applies `change` to a pattern's ACLs: read, conditional write, re-read and retry on a concurrent change, then a
   * change notification when the ACLs differ. Resolves with the ACLs now stored.
   */
  async updateAcls(
    pattern: ResourcePattern,
    change: (current: readonly AccessControlEntry[]) => readonly AccessControlEntry[],
  ): Promise<readonly AccessControlEntry[]> {
    for (let attempt = 0; attempt <= MAX_UPDATE_RETRIES; attempt++) {
      const current = await this.getAcls(pattern);
      const next = change(current.entries);
      if (sameEntries(current.entries, next)) return current.entries;
      if ((await this.conditionalWrite(pattern, next, current.zkVersion)) === undefined) continue;
      await this.notifyChange(pattern);
      return next;
    }
    throw new ApiError(
      'UNKNOWN_SERVER_ERROR',
      `Failed to update the ACLs of ${pattern.name} after ${MAX_UPDATE_RETRIES} attempts: they kept changing.`,
    );
  }

  /** Tells every broker that a pattern's ACLs changed. */
  async notifyChange(pattern: ResourcePattern): Promise<void> {
    const store = aclStoreFor(pattern.patternType);
    await this.zk.create(`${store.changePath}/${ACL_CHANGE_SEQUENCE_PREFIX}`, AclChangeNotification.encode(pattern), {
      mode: 'PERSISTENT_SEQUENTIAL',
      createParents: true,
    });
  }
}

const MAX_UPDATE_RETRIES = 10;

export function sameEntry(a: AccessControlEntry, b: AccessControlEntry): boolean {
  return (
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}

function sameEntries(a: readonly AccessControlEntry[], b: readonly AccessControlEntry[]): boolean {
  return a.length === b.length && a.every((e) => b.some((x) => sameEntry(e, x)));
}
