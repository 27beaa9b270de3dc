/**
 * The znodes of Kafka's AclAuthorizer (Kafka's `ZkAclStore`, `ResourceZNode`, `ZkAclChangeStore`), byte for byte:
 *
 *   /kafka-acl/<ResourceType>/<name>                       P  literal patterns: {"version":1,"acls":[...]}
 *   /kafka-acl-extended/prefixed/<ResourceType>/<prefix>   P  prefixed patterns (KIP-290), same JSON
 *   /kafka-acl-changes/acl_changes_<seq>                   PS literal change: text `<ResourceType>:<name>`
 *   /kafka-acl-extended-changes/acl_changes_<seq>          PS other change: {"version":1,"resourceType":..,"name":..,
 *                                                             "patternType":"PREFIXED"}
 *
 * An ACL entry is `{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"}`; resource
 * types, operations and permissions are written with Kafka's ZooKeeper names (`Topic`, `ClusterAction`, `Allow`).
 * Decoders accept any case of those names and throw MalformedZNodeError on anything else. Pure: no I/O.
 */
import {
  AclOperation,
  AclPermissionType,
  operationZkName,
  parseOperation,
  parsePermissionType,
  parsePatternType,
  parseResourceType,
  PatternType,
  patternTypeName,
  permissionTypeZkName,
  resourceTypeZkName,
  type AccessControlEntry,
  type PatternType as PatternTypeCode,
  type ResourcePattern,
} from '../common/acl.js';
import { MqError } from '../common/errors.js';
import { MalformedZNodeError } from './zk-errors.js';
import { ZNodeJson } from './znode-json.js';

/** One store per specific pattern type: where its ACLs and its change notifications live. */
export interface AclStore {
  readonly patternType: PatternTypeCode;
  /** `/kafka-acl` or `/kafka-acl-extended/prefixed`. */
  readonly aclPath: string;
  /** `/kafka-acl-changes` or `/kafka-acl-extended-changes`. */
  readonly changePath: string;
}

export const LITERAL_ACL_STORE: AclStore = {
  patternType: PatternType.LITERAL,
  aclPath: '/kafka-acl',
  changePath: '/kafka-acl-changes',
};
export const PREFIXED_ACL_STORE: AclStore = {
  patternType: PatternType.PREFIXED,
  aclPath: '/kafka-acl-extended/prefixed',
  changePath: '/kafka-acl-extended-changes',
};
export const ACL_STORES: readonly AclStore[] = [LITERAL_ACL_STORE, PREFIXED_ACL_STORE];
export const ACL_CHANGE_SEQUENCE_PREFIX = 'acl_changes_';

export function aclStoreFor(patternType: number): AclStore {
  if (patternType === PatternType.LITERAL) return LITERAL_ACL_STORE;
  if (patternType === PatternType.PREFIXED) return PREFIXED_ACL_STORE;
  throw new MqError('MQ_ERR_INVALID_ARG', `No ACL store for pattern type ${patternTypeName(patternType)}.`);
}

export const ResourceZNode = {
  /** `/kafka-acl/Topic/orders`, `/kafka-acl-extended/prefixed/Group/billing-`. */
  path(p: ResourcePattern): string {
    return `${aclStoreFor(p.patternType).aclPath}/${resourceTypeZkName(p.resourceType)}/${p.name}`;
  },
  /** `/kafka-acl/Topic`: the parent of one resource type's patterns in a store. */
  typePath(store: AclStore, resourceType: number): string {
    return `${store.aclPath}/${resourceTypeZkName(resourceType)}`;
  },
  /** Kafka's key order: principal, permissionType, operation, host. */
  encode(entries: readonly AccessControlEntry[]): Buffer {
    const acls = entries.map((e) => ({
      principal: e.principal,
      permissionType: permissionTypeZkName(e.permissionType),
      operation: operationZkName(e.operation),
      host: e.host,
    }));
    return Buffer.from(JSON.stringify({ version: 1, acls }), 'utf8');
  },
  decode(path: string, bytes: Buffer): AccessControlEntry[] {
    if (bytes.length === 0) return [];
    const js = ZNodeJson.parse(path, bytes);
    return js.objectArray('acls').map((a) => {
      const entry = {
        principal: a.string('principal'),
        host: a.string('host'),
        operation: parseOrFail(path, bytes, () => parseOperation(a.string('operation'))),
        permissionType: parseOrFail(path, bytes, () => parsePermissionType(a.string('permissionType'))),
      };
      if (entry.operation === AclOperation.ANY || entry.permissionType === AclPermissionType.ANY)
        throw new MalformedZNodeError(path, 'an ACL names ANY, which only filters may', bytes);
      return entry;
    });
  },
  /** The resource type named by a `/kafka-acl` child (`Topic`). */
  resourceType(path: string, name: string): number {
    return parseOrFail(path, Buffer.from(name), () => parseResourceType(name));
  },
} as const;

/** The payload of a change notification in a store's change path. */
export const AclChangeNotification = {
  encode(p: ResourcePattern): Buffer {
    if (p.patternType === PatternType.LITERAL)
      return Buffer.from(`${resourceTypeZkName(p.resourceType)}:${p.name}`, 'utf8');
    return Buffer.from(
      JSON.stringify({
        version: 1,
        resourceType: resourceTypeZkName(p.resourceType),
        name: p.name,
        patternType: patternTypeName(p.patternType),
      }),
      'utf8',
    );
  },
  decode(store: AclStore, path: string, bytes: Buffer): ResourcePattern {
    if (store.patternType === PatternType.LITERAL) {
      const text = bytes.toString('utf8');
      const i = text.indexOf(':');
      if (i <= 0) throw new MalformedZNodeError(path, 'expected <ResourceType>:<name>', bytes);
      const resourceType = ResourceZNode.resourceType(path, text.slice(0, i)) as ResourcePattern['resourceType'];
      return { resourceType, name: text.slice(i + 1), patternType: PatternType.LITERAL };
    }
    const js = ZNodeJson.parse(path, bytes);
    if (js.int('version') > 1) throw new MalformedZNodeError(path, 'unsupported ACL change event version', bytes);
    return {
      resourceType: ResourceZNode.resourceType(path, js.string('resourceType')) as ResourcePattern['resourceType'],
      name: js.string('name'),
      patternType: parseOrFail(path, bytes, () => parsePatternType(js.string('patternType'))),
    };
  },
} as const;

function parseOrFail<T>(path: string, bytes: Buffer, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new MalformedZNodeError(path, (e as Error).message, bytes);
  }
}
