/**
 * The admin client's security calls (Kafka's `Admin.createAcls` / `describeAcls` / `deleteAcls`,
 * `describeUserScramCredentials` / `alterUserScramCredentials`, `describeClientQuotas` / `alterClientQuotas`): the
 * request each sends to any broker (every broker writes ZooKeeper and notifies the others) and how its answer
 * becomes results or errors. `Admin` wraps each in its retry loop.
 *
 * SCRAM credentials are salted here, as Kafka's admin client does: a random salt and the salted password
 * (Hi(password, salt, iterations)) travel, never the password. Errors: the first failed item is thrown as its
 * ApiError, named by what it concerns (a binding, a filter, a user, a quota entity); a user whose credentials
 * cannot be described is reported on that user's result instead.
 */
import {
  formatAccessControlEntry,
  formatResourcePattern,
  type AclBinding,
  type AclBindingFilter,
  type AclOperation,
  type AclPermissionType,
  type PatternType,
  type ResourceType,
} from '../../common/acl.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode, InvalidArgumentError } from '../../common/errors.js';
import {
  DEFAULT_SCRAM_ITERATIONS,
  randomSalt,
  saltedPassword,
  scramMechanism,
  scramMechanismByCode,
  type ScramMechanismName,
} from '../../network/security/scram.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { ClientCluster } from '../client-cluster.js';

/** A quota entity: `user` and/or `client-id`, null naming the default entity. */
export type QuotaEntity = { user?: string | null; 'client-id'?: string | null };

export interface ClientQuotaEntry {
  entity: QuotaEntity;
  /** producer_byte_rate, consumer_byte_rate, request_percentage. */
  values: Record<string, number>;
}

export interface ClientQuotaAlteration {
  entity: QuotaEntity;
  /** A number sets the key, null removes it. */
  ops: Record<string, number | null>;
}

/** Kafka's ClientQuotaFilterComponent: an exact name, the default (`null`), or any named entity (`undefined`). */
export interface ClientQuotaFilter {
  components: { entityType: 'user' | 'client-id'; match?: string | null }[];
  /** Only entities with exactly the filtered types. */
  strict?: boolean;
}

export type ScramCredentialAlteration =
  | { user: string; mechanism: ScramMechanismName; password: string; iterations?: number }
  | { user: string; mechanism: ScramMechanismName; delete: true };

export interface UserScramCredentials {
  user: string;
  credentials: { mechanism: ScramMechanismName; iterations: number }[];
  /** Why this user's credentials could not be described (RESOURCE_NOT_FOUND: it has none). */
  error?: ApiError;
}

function filterFields(f: AclBindingFilter) {
  return {
    resourceTypeFilter: f.patternFilter.resourceType,
    resourceNameFilter: f.patternFilter.name,
    patternTypeFilter: f.patternFilter.patternType,
    principalFilter: f.entryFilter.principal,
    hostFilter: f.entryFilter.host,
    operation: f.entryFilter.operation,
    permissionType: f.entryFilter.permissionType,
  };
}

function labelled(code: number, message: string | null, label: string): ApiError {
  const error = apiErrorFromCode(code, message ?? undefined);
  return new ApiError(error.errorName, `${label}: ${error.message}`);
}

export async function createAcls(cluster: ClientCluster, bindings: readonly AclBinding[]): Promise<void> {
  const response = await cluster.sendToAny(ApiKey.CreateAcls, {
    creations: bindings.map((b) => ({
      resourceType: b.pattern.resourceType,
      resourceName: b.pattern.name,
      resourcePatternType: b.pattern.patternType,
      ...b.entry,
    })),
  });
  response.results.forEach((r, i) => {
    if (r.errorCode === ErrorCode.NONE) return;
    const b = bindings[i]!;
    throw labelled(
      r.errorCode,
      r.errorMessage,
      `ACL ${formatAccessControlEntry(b.entry)} on ${formatResourcePattern(b.pattern)}`,
    );
  });
}

export async function describeAcls(cluster: ClientCluster, filter: AclBindingFilter): Promise<AclBinding[]> {
  const response = await cluster.sendToAny(ApiKey.DescribeAcls, filterFields(filter));
  if (response.errorCode !== ErrorCode.NONE)
    throw apiErrorFromCode(response.errorCode, response.errorMessage ?? undefined);
  return response.resources.flatMap((r) =>
    r.acls.map((a) => ({
      pattern: {
        resourceType: r.resourceType as ResourceType,
        name: r.resourceName,
        patternType: r.patternType as PatternType,
      },
      entry: {
        principal: a.principal,
        host: a.host,
        operation: a.operation as AclOperation,
        permissionType: a.permissionType as AclPermissionType,
      },
    })),
  );
}

/** Deletes the bindings matching each filter; resolves with what each filter deleted. */
export async function deleteAcls(
  cluster: ClientCluster,
  filters: readonly AclBindingFilter[],
): Promise<AclBinding[][]> {
  const response = await cluster.sendToAny(ApiKey.DeleteAcls, { filters: filters.map(filterFields) });
  return response.filterResults.map((r, i) => {
    const label = `ACL filter ${formatResourcePattern(filters[i]!.patternFilter)}`;
    if (r.errorCode !== ErrorCode.NONE) throw labelled(r.errorCode, r.errorMessage, label);
    return r.matchingAcls.map((m) => {
      if (m.errorCode !== ErrorCode.NONE) throw labelled(m.errorCode, m.errorMessage, label);
      return {
        pattern: {
          resourceType: m.resourceType as ResourceType,
          name: m.resourceName,
          patternType: m.patternType as PatternType,
        },
        entry: {
          principal: m.principal,
          host: m.host,
          operation: m.operation as AclOperation,
          permissionType: m.permissionType as AclPermissionType,
        },
      };
    });
  });
}

/** Every user with SCRAM credentials, or the named users (each with its own error when it has none). */
export async function describeUserScramCredentials(
  cluster: ClientCluster,
  users?: readonly string[],
): Promise<UserScramCredentials[]> {
  const response = await cluster.sendToAny(ApiKey.DescribeUserScramCredentials, {
    users: users === undefined ? null : users.map((name) => ({ name })),
  });
  if (response.errorCode !== ErrorCode.NONE)
    throw apiErrorFromCode(response.errorCode, response.errorMessage ?? undefined);
  return response.results.map((r) => ({
    user: r.user,
    credentials: r.credentialInfos.map((c) => ({
      mechanism: scramMechanismByCode(c.mechanism)?.name ?? (`UNKNOWN(${c.mechanism})` as ScramMechanismName),
      iterations: c.iterations,
    })),
    ...(r.errorCode === ErrorCode.NONE ? {} : { error: labelled(r.errorCode, r.errorMessage, `user ${r.user}`) }),
  }));
}

export async function alterUserScramCredentials(
  cluster: ClientCluster,
  alterations: readonly ScramCredentialAlteration[],
): Promise<void> {
  const deletions: { name: string; mechanism: number }[] = [];
  const upsertions: { name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }[] =
    [];
  for (const a of alterations) {
    const m = scramMechanism(a.mechanism);
    if (m === undefined) {
      throw new InvalidArgumentError(`Unknown SCRAM mechanism '${a.mechanism}': use SCRAM-SHA-256 or SCRAM-SHA-512.`);
    }
    if ('delete' in a) {
      deletions.push({ name: a.user, mechanism: m.code });
      continue;
    }
    const iterations = a.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    const salt = randomSalt();
    upsertions.push({
      name: a.user,
      mechanism: m.code,
      iterations,
      salt,
      saltedPassword: saltedPassword(m, a.password, salt, iterations),
    });
  }
  const response = await cluster.sendToAny(ApiKey.AlterUserScramCredentials, { deletions, upsertions });
  for (const r of response.results) {
    if (r.errorCode !== ErrorCode.NONE)
      throw labelled(r.errorCode, r.errorMessage, `SCRAM credentials of user ${r.user}`);
  }
}

function entityData(entity: QuotaEntity): { entityType: string; entityName: string | null }[] {
  return Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName: entityName ?? null }));
}

function describeEntity(entity: QuotaEntity): string {
  return Object.entries(entity)
    .map(([type, name]) => (name === null ? `the default ${type}` : `${type} '${name}'`))
    .join(', ');
}

export async function describeClientQuotas(
  cluster: ClientCluster,
  filter: ClientQuotaFilter,
): Promise<ClientQuotaEntry[]> {
  const response = await cluster.sendToAny(ApiKey.DescribeClientQuotas, {
    components: filter.components.map((c) => ({
      entityType: c.entityType,
      matchType: c.match === undefined ? 2 : c.match === null ? 1 : 0,
      match: c.match ?? null,
    })),
    strict: filter.strict ?? false,
  });
  if (response.errorCode !== ErrorCode.NONE)
    throw apiErrorFromCode(response.errorCode, response.errorMessage ?? undefined);
  return (response.entries ?? []).map((e) => ({
    entity: Object.fromEntries(e.entity.map((d) => [d.entityType, d.entityName])),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

export async function alterClientQuotas(
  cluster: ClientCluster,
  alterations: readonly ClientQuotaAlteration[],
): Promise<void> {
  const response = await cluster.sendToAny(ApiKey.AlterClientQuotas, {
    entries: alterations.map((a) => ({
      entity: entityData(a.entity),
      ops: Object.entries(a.ops).map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
    })),
    validateOnly: false,
  });
  response.entries.forEach((r, i) => {
    if (r.errorCode !== ErrorCode.NONE)
      throw labelled(r.errorCode, r.errorMessage, `quotas of ${describeEntity(alterations[i]!.entity)}`);
  });
}
