/**
 * Kafka's ACL vocabulary (2.8 `org.apache.kafka.common.acl` and `.resource`), shared by the broker's authorizer, the
 * ACL APIs' messages, the admin client and `mq-admin acls`: resource types, pattern types, operations and
 * permission types with their wire codes and their names, ACL bindings and the filters that select them.
 *
 * Names: each enum value has Kafka's upper-case enum name (`READ`, `TOPIC`, printed by kafka-acls' output) and, for
 * operations, permission and resource types, the camel-case name Kafka stores in ZooKeeper (`Read`, `Topic`,
 * `ClusterAction`). Parsing accepts either, case-insensitively, as Kafka's `SecurityUtils` does.
 *
 * Matching (`patternFilterMatches`, `entryFilterMatches`) is Kafka's ResourcePatternFilter/AccessControlEntryFilter
 * `matches`: a MATCH filter selects the literal pattern of the name, the wildcard `*` and every prefix pattern the
 * name starts with; ANY selects every pattern type with exactly that name. Pure; no I/O.
 */
import { InvalidArgumentError } from './errors.js';

/** A resource type (Kafka's `ResourceType`), by wire code. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** A resource pattern type (Kafka's `PatternType`, KIP-290). */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

/** An operation (Kafka's `AclOperation`). */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

/** A permission type (Kafka's `AclPermissionType`). */
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermissionType = (typeof AclPermissionType)[keyof typeof AclPermissionType];

/** The one name of the Cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** The literal resource name that matches every resource of its type. */
export const WILDCARD_RESOURCE = '*';
/** The principal and host that match every principal and host. */
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';

/** A resource pattern: what an ACL applies to. */
export interface ResourcePattern {
  readonly resourceType: ResourceType;
  readonly name: string;
  readonly patternType: PatternType;
}

/** Who may or may not do what, from where (Kafka's `AccessControlEntry`). */
export interface AccessControlEntry {
  /** `User:alice`, or `User:*` for everyone. */
  readonly principal: string;
  /** A client IP address, or `*`. */
  readonly host: string;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** Selects resource patterns; a null name selects any name. */
export interface ResourcePatternFilter {
  readonly resourceType: ResourceType;
  readonly name: string | null;
  readonly patternType: PatternType;
}

/** Selects entries; null selects any principal or host, ANY any operation or permission. */
export interface AccessControlEntryFilter {
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: AclOperation;
  readonly permissionType: AclPermissionType;
}

export interface AclBindingFilter {
  readonly patternFilter: ResourcePatternFilter;
  readonly entryFilter: AccessControlEntryFilter;
}

function enumNames<T extends Record<string, number>>(values: T): ReadonlyMap<number, string> {
  return new Map(Object.entries(values).map(([name, code]) => [code, name]));
}

const RESOURCE_TYPE_NAMES = enumNames(ResourceType);
const PATTERN_TYPE_NAMES = enumNames(PatternType);
const OPERATION_NAMES = enumNames(AclOperation);
const PERMISSION_NAMES = enumNames(AclPermissionType);

/** `READ_CONFIGS` → `ReadConfigs`: the name Kafka writes to ZooKeeper for an operation, permission or resource type. */
function camel(enumName: string): string {
  return enumName
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function parseEnum<T extends number>(what: string, names: ReadonlyMap<number, string>, text: string): T {
  const wanted = text.trim().replace(/_/g, '').toLowerCase();
  for (const [code, name] of names) {
    if (name.replace(/_/g, '').toLowerCase() === wanted && name !== 'UNKNOWN') return code as T;
  }
  const known = [...names.values()].filter((n) => n !== 'UNKNOWN' && n !== 'ANY' && n !== 'MATCH').map(camel);
  throw new InvalidArgumentError(`Unknown ${what} '${text}': expected one of ${known.join(', ')}.`);
}

/** Kafka's enum name (`TOPIC`), as kafka-acls prints it. */
export const resourceTypeName = (t: number): string => RESOURCE_TYPE_NAMES.get(t) ?? 'UNKNOWN';
export const patternTypeName = (t: number): string => PATTERN_TYPE_NAMES.get(t) ?? 'UNKNOWN';
export const operationName = (o: number): string => OPERATION_NAMES.get(o) ?? 'UNKNOWN';
export const permissionTypeName = (p: number): string => PERMISSION_NAMES.get(p) ?? 'UNKNOWN';

/** The ZooKeeper / JSON spelling: `Topic`, `TransactionalId`, `ClusterAction`, `DescribeConfigs`, `Allow`. */
export const resourceTypeZkName = (t: number): string => camel(resourceTypeName(t));
export const operationZkName = (o: number): string => camel(operationName(o));
export const permissionTypeZkName = (p: number): string => camel(permissionTypeName(p));

export const parseResourceType = (text: string): ResourceType =>
  parseEnum<ResourceType>('resource type', RESOURCE_TYPE_NAMES, text);
export const parsePatternType = (text: string): PatternType =>
  parseEnum<PatternType>('resource pattern type', PATTERN_TYPE_NAMES, text);
export const parseOperation = (text: string): AclOperation =>
  parseEnum<AclOperation>('operation', OPERATION_NAMES, text);
export const parsePermissionType = (text: string): AclPermissionType =>
  parseEnum<AclPermissionType>('permission type', PERMISSION_NAMES, text);

/** The operations an ACL may name per resource type (Kafka's `AclEntry.supportedOperations`), ALL aside. */
export const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly AclOperation[]> = new Map<number, AclOperation[]>([
  [
    ResourceType.TOPIC,
    [
      AclOperation.READ,
      AclOperation.WRITE,
      AclOperation.CREATE,
      AclOperation.DESCRIBE,
      AclOperation.DELETE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
    ],
  ],
  [ResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE]],
  [
    ResourceType.CLUSTER,
    [
      AclOperation.CREATE,
      AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
      AclOperation.IDEMPOTENT_WRITE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE,
    ],
  ],
  [ResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE]],
  [ResourceType.DELEGATION_TOKEN, [AclOperation.DESCRIBE]],
]);

/**
 * Why a binding cannot be stored, or undefined when it can (Kafka's `AuthorizerUtils.validateAclBinding` and the
 * checks of `handleCreateAcls`): a resource type and pattern type that are not filters, a non-empty name
 * (`kafka-cluster` for the Cluster), a `Type:name` principal, a host, a specific operation, ALLOW or DENY.
 */
export function aclBindingProblem(b: AclBinding): string | undefined {
  const { pattern, entry } = b;
  if (!SUPPORTED_OPERATIONS.has(pattern.resourceType))
    return `resource type ${resourceTypeName(pattern.resourceType)} is not one an ACL can be set on`;
  if (pattern.patternType !== PatternType.LITERAL && pattern.patternType !== PatternType.PREFIXED)
    return `resource pattern type ${patternTypeName(pattern.patternType)} is a filter, not a pattern: use LITERAL or PREFIXED`;
  if (pattern.name === '') return 'the resource name is empty';
  if (pattern.resourceType === ResourceType.CLUSTER && pattern.name !== CLUSTER_RESOURCE_NAME)
    return `the only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  if (parsePrincipal(entry.principal) === undefined)
    return `principal '${entry.principal}' is not of the form Type:name (e.g. User:alice)`;
  if (entry.host === '') return 'the host is empty: give an IP address or *';
  if (entry.operation === AclOperation.ANY || entry.operation === AclOperation.UNKNOWN)
    return `operation ${operationName(entry.operation)} is a filter: name an operation`;
  if (entry.permissionType !== AclPermissionType.ALLOW && entry.permissionType !== AclPermissionType.DENY)
    return `permission type ${permissionTypeName(entry.permissionType)} is a filter: use ALLOW or DENY`;
  return undefined;
}

/** Why kafka-acls refuses an operation for a resource type (Kafka's `AclEntry.supportedOperations`), or undefined. */
export function unsupportedOperationProblem(resourceType: number, operation: number): string | undefined {
  const ops = SUPPORTED_OPERATIONS.get(resourceType);
  if (ops === undefined || operation === AclOperation.ALL || ops.includes(operation as AclOperation)) return undefined;
  return (
    `ResourceType ${resourceTypeName(resourceType)} only supports operations ` +
    `${[...ops, AclOperation.ALL].map(operationName).join(',')}`
  );
}

/** `User:alice` → `{ type: 'User', name: 'alice' }`; undefined when there is no `:` or either side is empty. */
export function parsePrincipal(text: string): { type: string; name: string } | undefined {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return undefined;
  return { type: text.slice(0, i), name: text.slice(i + 1) };
}

/** Kafka's ResourcePatternFilter.matches (see the header). */
export function patternFilterMatches(filter: ResourcePatternFilter, pattern: ResourcePattern): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== pattern.resourceType) return false;
  if (
    filter.patternType !== PatternType.ANY &&
    filter.patternType !== PatternType.MATCH &&
    filter.patternType !== pattern.patternType
  )
    return false;
  if (filter.name === null) return true;
  if (filter.patternType === PatternType.ANY || filter.patternType === pattern.patternType)
    return filter.name === pattern.name;
  if (pattern.patternType === PatternType.LITERAL)
    return filter.name === pattern.name || pattern.name === WILDCARD_RESOURCE;
  return filter.name.startsWith(pattern.name);
}

/** Kafka's AccessControlEntryFilter.matches. */
export function entryFilterMatches(filter: AccessControlEntryFilter, entry: AccessControlEntry): boolean {
  if (filter.principal !== null && filter.principal !== entry.principal) return false;
  if (filter.host !== null && filter.host !== entry.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== entry.operation) return false;
  return filter.permissionType === AclPermissionType.ANY || filter.permissionType === entry.permissionType;
}

export function bindingFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  return (
    patternFilterMatches(filter.patternFilter, binding.pattern) && entryFilterMatches(filter.entryFilter, binding.entry)
  );
}

/** Why a filter cannot select anything, or undefined (Kafka refuses filters with UNKNOWN parts). */
export function aclFilterProblem(f: AclBindingFilter): string | undefined {
  if (f.patternFilter.resourceType === ResourceType.UNKNOWN) return 'the resource type is UNKNOWN';
  if (f.patternFilter.patternType === PatternType.UNKNOWN) return 'the pattern type is UNKNOWN';
  if (f.entryFilter.operation === AclOperation.UNKNOWN) return 'the operation is UNKNOWN';
  if (f.entryFilter.permissionType === AclPermissionType.UNKNOWN) return 'the permission type is UNKNOWN';
  return undefined;
}

/** kafka-acls' text: `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`. */
export function formatResourcePattern(p: ResourcePattern | ResourcePatternFilter): string {
  return (
    `ResourcePattern(resourceType=${resourceTypeName(p.resourceType)}, name=${p.name ?? '<any>'}, ` +
    `patternType=${patternTypeName(p.patternType)})`
  );
}

/** kafka-acls' text: `(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)`. */
export function formatAccessControlEntry(e: AccessControlEntry | AccessControlEntryFilter): string {
  return (
    `(principal=${e.principal ?? '<any>'}, host=${e.host ?? '<any>'}, operation=${operationName(e.operation)}, ` +
    `permissionType=${permissionTypeName(e.permissionType)})`
  );
}
