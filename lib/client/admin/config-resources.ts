/**
 * The admin client's config calls (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs): the resource and entry
 * types it hands out, and how requests are routed and answers read. A broker resource named by its id goes to that
 * broker (it describes and changes its own configs); topics and the cluster-wide broker default (`''`) go to any
 * broker. An error for a resource names it (`topic 'orders': ...`), keeping Kafka's code and name.
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode } from '../../common/error-codes.js';
import { apiErrorFromCode, ApiError, InvalidArgumentError } from '../../common/errors.js';
import {
  AlterConfigOp,
  ConfigResourceType,
  ConfigSource,
  type DescribeConfigsResponse,
} from '../../protocol/messages/index.js';
import type { RequestOf, ResponseOf } from '../../protocol/messages/index.js';
import type { ClientCluster } from '../client-cluster.js';
import type { ConfigEntry, ConfigSourceName } from './config-entry.js';

export type ConfigResourceKind = 'topic' | 'broker';

export interface ConfigResource {
  type: ConfigResourceKind;
  /** Topic name, or broker id as a string ('' for the cluster-wide broker default). */
  name: string;
}

export interface ConfigResourceDescription extends ConfigResource {
  configs: ConfigEntry[];
}

/** One change of IncrementalAlterConfigs (Kafka's AlterConfigOp): APPEND and SUBTRACT apply to list keys only. */
export interface AlterConfigOperation {
  name: string;
  op: 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT';
  /** Required except for DELETE; a comma-separated list for APPEND and SUBTRACT. */
  value?: string;
}

const SOURCE_NAMES = new Map<number, ConfigSourceName>([
  [ConfigSource.Unknown, 'UNKNOWN'],
  [ConfigSource.DynamicTopicConfig, 'DYNAMIC_TOPIC_CONFIG'],
  [ConfigSource.DynamicBrokerConfig, 'DYNAMIC_BROKER_CONFIG'],
  [ConfigSource.DynamicDefaultBrokerConfig, 'DYNAMIC_DEFAULT_BROKER_CONFIG'],
  [ConfigSource.StaticBrokerConfig, 'STATIC_BROKER_CONFIG'],
  [ConfigSource.DefaultConfig, 'DEFAULT_CONFIG'],
  [ConfigSource.DynamicBrokerLoggerConfig, 'DYNAMIC_BROKER_LOGGER_CONFIG'],
]);

const OP_IDS = {
  SET: AlterConfigOp.Set,
  DELETE: AlterConfigOp.Delete,
  APPEND: AlterConfigOp.Append,
  SUBTRACT: AlterConfigOp.Subtract,
} as const;

/** The wire fields naming a resource. */
export function resourceRef(r: ConfigResource): { resourceType: number; resourceName: string } {
  return {
    resourceType: r.type === 'topic' ? ConfigResourceType.Topic : ConfigResourceType.Broker,
    resourceName: r.name,
  };
}

/** IncrementalAlterConfigs' wire form of one operation. */
export function operationBody(o: AlterConfigOperation): {
  name: string;
  configOperation: number;
  value: string | null;
} {
  if (OP_IDS[o.op] === undefined) {
    throw new InvalidArgumentError(
      `Config operation of '${o.name}' must be SET, DELETE, APPEND or SUBTRACT; found ${JSON.stringify(o.op)}.`,
    );
  }
  if (o.op !== 'DELETE' && o.value === undefined)
    throw new InvalidArgumentError(`Config operation ${o.op} of '${o.name}' needs a value.`);
  return { name: o.name, configOperation: OP_IDS[o.op], value: o.value ?? null };
}

/** A described resource as the client hands it out; throws the resource's error. */
export function toDescription(r: DescribeConfigsResponse['results'][number]): ConfigResourceDescription {
  if (r.errorCode !== ErrorCode.NONE) throw resourceError(r);
  return {
    type: r.resourceType === ConfigResourceType.Topic ? 'topic' : 'broker',
    name: r.resourceName,
    configs: r.configs.map((c) => ({
      name: c.name,
      value: c.value,
      source: SOURCE_NAMES.get(c.configSource) ?? 'UNKNOWN',
      isReadOnly: c.readOnly,
      isSensitive: c.isSensitive,
      synonyms: c.synonyms.map((s) => ({
        name: s.name,
        value: s.value,
        source: SOURCE_NAMES.get(s.source) ?? 'UNKNOWN',
      })),
    })),
  };
}

/** The error of one resource in an answer, labelled with the resource (`broker '1': ...`). */
export function resourceError(r: {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}): ApiError {
  const error = apiErrorFromCode(r.errorCode, r.errorMessage ?? undefined);
  const label = `${r.resourceType === ConfigResourceType.Topic ? 'topic' : 'broker'} '${r.resourceName}'`;
  return new ApiError(
    error.errorName,
    error.message.toLowerCase().startsWith(label.toLowerCase()) ? error.message : `${label}: ${error.message}`,
  );
}

/** Broker resources with an id go to that broker; the rest to any broker (null). */
export function groupByTarget<R extends ConfigResource>(resources: readonly R[]): Array<[number | null, R[]]> {
  const groups = new Map<number | null, R[]>();
  for (const r of resources) {
    if (r.type !== 'topic' && r.type !== 'broker') {
      throw new InvalidArgumentError(
        `Config resource type must be 'topic' or 'broker'; found ${JSON.stringify(r.type)}.`,
      );
    }
    const target = r.type === 'broker' && /^\d+$/.test(r.name) ? Number(r.name) : null;
    computeIfAbsent(groups, target, () => []).push(r);
  }
  return [...groups];
}

/** Sends a config request to its target: a broker id, or any broker (null). */
export function sendToTarget<K extends number>(
  cluster: ClientCluster,
  nodeId: number | null,
  apiKey: K,
  body: RequestOf<K>,
): Promise<ResponseOf<K>> {
  return nodeId === null ? cluster.sendToAny(apiKey, body) : cluster.send(nodeId, apiKey, body);
}
