/**
 * DescribeClientQuotas and AlterClientQuotas (KIP-546), Kafka's ZooKeeper-mode behaviour: quotas are keys of
 * /config/users/<user>, /config/users/<user>/clients/<client-id> and /config/clients/<client-id> (`<default>` for
 * a default, names sanitized), beside a user's SCRAM credentials, which these APIs leave alone. An alteration writes
 * the entity's config and a /config/changes notification, so every broker's quota manager follows at once.
 *
 * Entities: a `user` and/or a `client-id` component (a null name is the default). Keys: producer_byte_rate and
 * consumer_byte_rate (whole bytes per second), request_percentage; each positive. Kafka's other quota kinds
 * (`ip` connection rates, controller_mutation_rate) are not enforced here and are refused with INVALID_REQUEST.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import {
  QuotaMatchType,
  type AlterClientQuotasRequest,
  type AlterClientQuotasResponse,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponse,
  type QuotaEntityData,
} from '../../protocol/messages/index.js';
import { ConfigType, DEFAULT_CONFIG_ENTITY, desanitizeEntityName, sanitizeEntityName } from '../../zk/zk-paths.js';
import { QUOTA_CONFIG_KEYS, QUOTA_KEYS } from '../security/client-quota-manager.js';
import type { BrokerServices } from './broker-services.js';

export const USER_ENTITY = 'user';
export const CLIENT_ID_ENTITY = 'client-id';

/** A quota entity: user and/or client id, null for the default, undefined when the entity has no such part. */
interface QuotaEntity {
  user?: string | null;
  clientId?: string | null;
}

function parseEntity(data: QuotaEntityData): QuotaEntity {
  const entity: QuotaEntity = {};
  for (const { entityType, entityName } of data) {
    if (entityType !== USER_ENTITY && entityType !== CLIENT_ID_ENTITY) {
      throw new ApiError(
        'INVALID_REQUEST',
        `Unsupported quota entity type '${entityType}': this broker enforces ${USER_ENTITY} and ${CLIENT_ID_ENTITY} quotas.`,
      );
    }
    const key = entityType === USER_ENTITY ? 'user' : 'clientId';
    if (key in entity) throw new ApiError('INVALID_REQUEST', `Duplicate quota entity type '${entityType}'.`);
    entity[key] = entityName;
  }
  if (entity.user === undefined && entity.clientId === undefined)
    throw new ApiError('INVALID_REQUEST', 'A quota entity names a user, a client-id, or both.');
  return entity;
}

const znodeName = (name: string | null): string => (name === null ? DEFAULT_CONFIG_ENTITY : sanitizeEntityName(name));

/** The entity's ZooKeeper config path: `users/<u>`, `users/<u>/clients/<c>` or `clients/<c>`. */
function entityPath(e: QuotaEntity): { type: typeof ConfigType.User | typeof ConfigType.Client; name: string } {
  if (e.user !== undefined) {
    const user = znodeName(e.user);
    return {
      type: ConfigType.User,
      name: e.clientId === undefined ? user : `${user}/clients/${znodeName(e.clientId)}`,
    };
  }
  return { type: ConfigType.Client, name: znodeName(e.clientId!) };
}

function validateOp(op: { key: string; value: number; remove: boolean }): void {
  if (!QUOTA_CONFIG_KEYS.includes(op.key)) {
    throw new ApiError(
      'INVALID_REQUEST',
      `Quota '${op.key}' is not enforced by this broker; set ${QUOTA_CONFIG_KEYS.join(', ')}.`,
    );
  }
  if (op.remove) return;
  if (!(op.value > 0)) throw new ApiError('INVALID_REQUEST', `Quota ${op.key} must be positive; found ${op.value}.`);
  if (op.key !== QUOTA_KEYS.request && !Number.isInteger(op.value))
    throw new ApiError('INVALID_REQUEST', `Configuration ${op.key} must be a Long value; found ${op.value}.`);
}

export async function handleAlterClientQuotas(
  s: BrokerServices,
  req: AlterClientQuotasRequest,
): Promise<AlterClientQuotasResponse> {
  const entries = await Promise.all(
    req.entries.map(async ({ entity, ops }) => {
      try {
        const { type, name } = entityPath(parseEntity(entity));
        for (const op of ops) validateOp(op);
        if (!req.validateOnly) {
          const config = { ...(await s.zk.getEntityConfig(type, name)) };
          for (const op of ops) {
            if (op.remove) delete config[op.key];
            else config[op.key] = String(op.value);
          }
          await s.zk.changeEntityConfig(type, name, config);
        }
        return { errorCode: ErrorCode.NONE, errorMessage: null, entity };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return { errorCode: e.errorCode, errorMessage: e.message, entity };
      }
    }),
  );
  return { throttleTimeMs: 0, entries };
}

/** `users/alice/clients/c1` → the entity, names desanitized (null for defaults). */
function entityOfPath(path: string): QuotaEntity | undefined {
  const name = (n: string) => (n === DEFAULT_CONFIG_ENTITY ? null : desanitizeEntityName(n));
  const userClient = /^users\/([^/]+)\/clients\/([^/]+)$/.exec(path);
  if (userClient) return { user: name(userClient[1]!), clientId: name(userClient[2]!) };
  const user = /^users\/([^/]+)$/.exec(path);
  if (user) return { user: name(user[1]!) };
  const client = /^clients\/([^/]+)$/.exec(path);
  return client ? { clientId: name(client[1]!) } : undefined;
}

export async function handleDescribeClientQuotas(
  s: BrokerServices,
  req: DescribeClientQuotasRequest,
): Promise<DescribeClientQuotasResponse> {
  const seen = new Set<string>();
  for (const c of req.components) {
    if (c.entityType !== USER_ENTITY && c.entityType !== CLIENT_ID_ENTITY)
      throw new ApiError('INVALID_REQUEST', `Unsupported quota entity type '${c.entityType}'.`);
    if (seen.has(c.entityType)) throw new ApiError('INVALID_REQUEST', `Duplicate filter on ${c.entityType}.`);
    seen.add(c.entityType);
  }
  const matches = (e: QuotaEntity): boolean => {
    const parts: Record<string, string | null | undefined> = { [USER_ENTITY]: e.user, [CLIENT_ID_ENTITY]: e.clientId };
    if (req.strict && Object.entries(parts).some(([type, v]) => v !== undefined && !seen.has(type))) return false;
    return req.components.every((c) => {
      const v = parts[c.entityType];
      if (v === undefined) return false;
      if (c.matchType === QuotaMatchType.EXACT) return v === c.match;
      if (c.matchType === QuotaMatchType.DEFAULT) return v === null;
      return v !== null;
    });
  };
  const entries: NonNullable<DescribeClientQuotasResponse['entries']> = [];
  for (const path of await s.zk.getClientEntityPaths()) {
    const entity = entityOfPath(path);
    if (entity === undefined || !matches(entity)) continue;
    const config = await s.zk.getEntityConfigByPath(path);
    const values = QUOTA_CONFIG_KEYS.filter((k) => config[k] !== undefined).map((key) => ({
      key,
      value: Number(config[key]),
    }));
    if (values.length === 0) continue;
    const data: QuotaEntityData = [];
    if (entity.user !== undefined) data.push({ entityType: USER_ENTITY, entityName: entity.user });
    if (entity.clientId !== undefined) data.push({ entityType: CLIENT_ID_ENTITY, entityName: entity.clientId });
    entries.push({ entity: data, values });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
}
