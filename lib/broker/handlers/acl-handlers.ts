/**
 * DescribeAcls, CreateAcls and DeleteAcls, served by any broker through its AclAuthorizer, which writes ZooKeeper
 * and notifies the others. Without an authorizer (authorizer.class.name empty) they answer SECURITY_DISABLED, as
 * Kafka does. Authorization (Describe / Alter on the Cluster) is checked before, by api-access.ts.
 */
import {
  type AclBinding,
  type AclBindingFilter,
  type AclOperation,
  type AclPermissionType,
  type PatternType,
  type ResourcePattern,
  type ResourceType,
} from '../../common/acl.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import type {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
} from '../../protocol/messages/index.js';
import type { AclAuthorizer } from '../security/acl-authorizer.js';
import type { BrokerServices } from './broker-services.js';

type FilterFields = DeleteAclsRequest['filters'][number];

function toFilter(f: FilterFields): AclBindingFilter {
  return {
    patternFilter: {
      resourceType: f.resourceTypeFilter as ResourceType,
      name: f.resourceNameFilter,
      patternType: f.patternTypeFilter as PatternType,
    },
    entryFilter: {
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation as AclOperation,
      permissionType: f.permissionType as AclPermissionType,
    },
  };
}

function requireAuthorizer(s: BrokerServices): AclAuthorizer {
  if (s.authorizer === null) {
    throw new ApiError(
      'SECURITY_DISABLED',
      'No Authorizer is configured on the broker: set authorizer.class.name=kafka.security.authorizer.AclAuthorizer.',
    );
  }
  return s.authorizer;
}

export async function handleDescribeAcls(s: BrokerServices, req: DescribeAclsRequest): Promise<DescribeAclsResponse> {
  const authorizer = requireAuthorizer(s);
  const filter = toFilter(req);
  const groups = new Map<string, DescribeAclsResponse['resources'][number]>();
  for (const { pattern, entry } of authorizer.bindings(filter)) {
    const key = `${pattern.resourceType}\u0000${pattern.patternType}\u0000${pattern.name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        resourceType: pattern.resourceType,
        resourceName: pattern.name,
        patternType: pattern.patternType,
        acls: [],
      };
      groups.set(key, group);
    }
    group.acls.push({ ...entry });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...groups.values()] };
}

export async function handleCreateAcls(s: BrokerServices, req: CreateAclsRequest): Promise<CreateAclsResponse> {
  const authorizer = requireAuthorizer(s);
  const bindings: AclBinding[] = req.creations.map((c) => ({
    pattern: {
      resourceType: c.resourceType as ResourceType,
      name: c.resourceName,
      patternType: c.resourcePatternType as PatternType,
    } satisfies ResourcePattern,
    entry: {
      principal: c.principal,
      host: c.host,
      operation: c.operation as AclOperation,
      permissionType: c.permissionType as AclPermissionType,
    },
  }));
  const errors = await authorizer.createAcls(bindings);
  return {
    throttleTimeMs: 0,
    results: errors.map((e) => ({ errorCode: e?.errorCode ?? ErrorCode.NONE, errorMessage: e?.message ?? null })),
  };
}

export async function handleDeleteAcls(s: BrokerServices, req: DeleteAclsRequest): Promise<DeleteAclsResponse> {
  const authorizer = requireAuthorizer(s);
  const results = await authorizer.deleteAcls(req.filters.map(toFilter));
  return {
    throttleTimeMs: 0,
    filterResults: results.map((r) => ({
      errorCode: r.error?.errorCode ?? ErrorCode.NONE,
      errorMessage: r.error?.message ?? null,
      matchingAcls: r.deleted.map(({ binding, error }) => ({
        errorCode: error?.errorCode ?? ErrorCode.NONE,
        errorMessage: error?.message ?? null,
        resourceType: binding.pattern.resourceType,
        resourceName: binding.pattern.name,
        patternType: binding.pattern.patternType,
        principal: binding.entry.principal,
        host: binding.entry.host,
        operation: binding.entry.operation,
        permissionType: binding.entry.permissionType,
      })),
    })),
  };
}
