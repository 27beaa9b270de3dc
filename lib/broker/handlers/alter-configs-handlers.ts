/**
 * AlterConfigs (replace a resource's whole override set) and IncrementalAlterConfigs (KIP-339: SET, DELETE, APPEND,
 * SUBTRACT single keys) for topics and brokers, as Kafka's ZkAdminManager serves them.
 *
 * - Topic: the new overrides are checked against LogConfig and written to /config/topics/<t> with a
 *   /config/changes notification (TopicAdmin); every broker hosting the topic applies them.
 * - Broker `<id>` (must be this broker: the client sends a broker's resource to it) or `""` (the cluster default,
 *   any broker): the new overrides must name dynamic broker keys only, with valid values (DynamicBrokerConfig;
 *   INVALID_CONFIG with the reason otherwise), and are written to /config/brokers/<id|<default>> with a
 *   notification, then applied here at once; the other brokers apply them from the notification.
 * - validateOnly checks everything and writes nothing. One resource's failure never fails the others.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, InvalidArgumentError } from '../../common/errors.js';
import type { ConfigType as ConfigValueType } from '../../common/config-def.js';
import { LOG_CONFIG } from '../../log/log-config.js';
import {
  AlterConfigOp,
  ConfigResourceType,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from '../../protocol/messages/index.js';
import { ConfigType, DEFAULT_CONFIG_ENTITY } from '../../zk/zk-paths.js';
import { BROKER_CONFIG } from '../broker-config.js';
import type { BrokerServices } from './broker-services.js';

type ConfigOp = IncrementalAlterConfigsRequest['resources'][number]['configs'][number];
type Resource = { resourceType: number; resourceName: string };
type Outcome = Resource & { errorCode: number; errorMessage: string | null };
/** A config key's type and default by name (LOG_CONFIG's or BROKER_CONFIG's). */
type KeyLookup = (name: string) => { readonly type: ConfigValueType; readonly default: unknown } | undefined;

/**
 * Kafka's prepareIncrementalConfigs: the overrides after applying `ops` to `current`. APPEND and SUBTRACT work on
 * list keys only, starting from the key's default when it has no override; a key may appear once per request.
 * Throws ApiError INVALID_REQUEST naming the key.
 */
export function applyIncrementalOps(
  current: Readonly<Record<string, string>>,
  ops: readonly ConfigOp[],
  keyOf: KeyLookup,
): Record<string, string> {
  const names = ops.map((o) => o.name);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) {
    throw new ApiError('INVALID_REQUEST', `Error due to duplicate config keys: ${[...new Set(duplicates)].join(',')}.`);
  }
  const next: Record<string, string> = { ...current };
  for (const op of ops) {
    if (op.configOperation === AlterConfigOp.Delete) {
      delete next[op.name];
      continue;
    }
    if (op.value === null) throw new ApiError('INVALID_REQUEST', `Null value not supported for: ${op.name}.`);
    if (op.configOperation === AlterConfigOp.Set) {
      next[op.name] = op.value;
      continue;
    }
    const verb = op.configOperation === AlterConfigOp.Append ? 'append' : 'subtract';
    const key = keyOf(op.name);
    if (key?.type !== 'list') {
      throw new ApiError(
        'INVALID_REQUEST',
        `Config value ${verb} is not allowed for config key: ${op.name} (only list-valued keys, e.g. cleanup.policy).`,
      );
    }
    const split = (v: string) => v.split(',').filter((x) => x !== '');
    const old = split(next[op.name] ?? (Array.isArray(key.default) ? key.default.join(',') : ''));
    const given = split(op.value);
    next[op.name] = (verb === 'append' ? [...old, ...given] : old.filter((x) => !given.includes(x))).join(',');
  }
  return next;
}

/**
 * Validates and stores the new overrides of one resource; `nextOverrides` computes them from the current ones. Any
 * failure becomes the resource's error code and message.
 */
async function alterResource(
  s: BrokerServices,
  r: Resource,
  nextOverrides: (current: Readonly<Record<string, string>>, keyOf: KeyLookup) => Record<string, string>,
  validateOnly: boolean,
): Promise<Outcome> {
  try {
    if (r.resourceType === ConfigResourceType.Topic) {
      if (!s.metadataCache.hasTopic(r.resourceName))
        throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${r.resourceName}' does not exist.`);
      const next = nextOverrides(await s.zk.getEntityConfig(ConfigType.Topic, r.resourceName), (n) =>
        LOG_CONFIG.keyOf(n),
      );
      await s.topicAdmin.alterTopicConfig(r.resourceName, next, { validateOnly });
    } else if (r.resourceType === ConfigResourceType.Broker) {
      const level = brokerLevel(s, r.resourceName);
      const entity = level === 'default' ? DEFAULT_CONFIG_ENTITY : r.resourceName;
      const next = nextOverrides(await s.zk.getEntityConfig(ConfigType.Broker, entity), (n) => BROKER_CONFIG.keyOf(n));
      s.dynamicConfig.validate(level, next);
      if (!validateOnly) {
        await s.zk.changeEntityConfig(ConfigType.Broker, entity, next);
        s.dynamicConfig.update(level, next);
        s.logger.info({ entity: `brokers/${entity}`, configs: next }, 'changed dynamic broker config');
      }
    } else {
      throw new ApiError(
        'INVALID_REQUEST',
        `Unsupported resource type ${r.resourceType}: use 2 (topic) or 4 (broker).`,
      );
    }
    return { ...r, errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (e) {
    if (e instanceof ApiError) return { ...r, errorCode: e.errorCode, errorMessage: e.message };
    if (e instanceof InvalidArgumentError)
      return { ...r, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: e.message };
    s.logger.error({ err: e, resource: r }, 'altering configs failed');
    return { ...r, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (e as Error).message };
  }
}

/** A broker resource's level: '' is the cluster default; an id must be this broker's (INVALID_REQUEST otherwise). */
function brokerLevel(s: BrokerServices, name: string): 'broker' | 'default' {
  if (name === '') return 'default';
  if (name !== String(s.brokerId)) {
    throw new ApiError(
      'INVALID_REQUEST',
      `Unexpected broker id, expected ${s.brokerId}, but received ${name}: send a broker's configs to that broker, ` +
        `or use "" for the cluster-wide default.`,
    );
  }
  return 'broker';
}

export async function handleAlterConfigs(s: BrokerServices, req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const responses = await Promise.all(
    req.resources.map((r) =>
      alterResource(
        s,
        r,
        () => Object.fromEntries(r.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!])),
        req.validateOnly,
      ),
    ),
  );
  return { throttleTimeMs: 0, responses };
}

export async function handleIncrementalAlterConfigs(
  s: BrokerServices,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  const responses = await Promise.all(
    req.resources.map((r) =>
      alterResource(s, r, (current, keyOf) => applyIncrementalOps(current, r.configs, keyOf), req.validateOnly),
    ),
  );
  return { throttleTimeMs: 0, responses };
}
