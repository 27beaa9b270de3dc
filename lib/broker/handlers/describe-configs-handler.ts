/**
 * DescribeConfigs for topics (resource type 2) and brokers (4), with Kafka's sources and synonyms.
 *
 * - A topic key's value is its override in /config/topics/<t> (DYNAMIC_TOPIC_CONFIG), else the broker default it
 *   inherits, whose source is that of the broker key behind it (TOPIC_CONFIG_SYNONYMS): DYNAMIC_BROKER_CONFIG,
 *   DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG or DEFAULT_CONFIG. With includeSynonyms every entry lists
 *   where its value can come from, highest precedence first (the override, then the broker key's synonyms).
 * - Broker `<id>` (this broker): every key with its effective value; readOnly unless it is a dynamic key.
 *   Broker `""`: the cluster-wide dynamic defaults only (DYNAMIC_DEFAULT_BROKER_CONFIG), as Kafka answers.
 *   Another broker's id: INVALID_REQUEST (the client sends a broker's resource to that broker).
 */
import { ErrorCode } from '../../common/error-codes.js';
import { formatConfigValue, type ConfigKey, type ConfigType } from '../../common/config-def.js';
import { LOG_CONFIG } from '../../log/log-config.js';
import {
  ConfigResourceType,
  ConfigSource,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from '../../protocol/messages/index.js';
import { BROKER_CONFIG, TOPIC_CONFIG_SYNONYMS, UNSET_BY_DEFAULT } from '../broker-config.js';
import { DYNAMIC_BROKER_CONFIGS, type BrokerConfigSynonym } from '../dynamic-broker-config.js';
import type { BrokerServices } from './broker-services.js';

const CONFIG_TYPES: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  password: 9,
};

type DescribedResource = DescribeConfigsResponse['results'][number];
type DescribedConfig = DescribedResource['configs'][number];
type Synonym = DescribedConfig['synonyms'][number];

function toWire(s: BrokerConfigSynonym): Synonym {
  return { name: s.name, value: s.value, source: ConfigSource[SOURCE_FIELDS[s.source]] };
}

const SOURCE_FIELDS = {
  DYNAMIC_BROKER_CONFIG: 'DynamicBrokerConfig',
  DYNAMIC_DEFAULT_BROKER_CONFIG: 'DynamicDefaultBrokerConfig',
  STATIC_BROKER_CONFIG: 'StaticBrokerConfig',
  DEFAULT_CONFIG: 'DefaultConfig',
} as const;

function described(
  key: Pick<ConfigKey<unknown>, 'name' | 'type' | 'doc'>,
  value: string | null,
  synonyms: Synonym[],
  opts: { readOnly: boolean; includeSynonyms: boolean; includeDocumentation: boolean },
): DescribedConfig {
  const isSensitive = key.type === 'password';
  return {
    name: key.name,
    value: isSensitive ? null : value,
    readOnly: opts.readOnly,
    configSource: synonyms[0]?.source ?? ConfigSource.DefaultConfig,
    isSensitive,
    synonyms: opts.includeSynonyms ? synonyms.map((s) => (isSensitive ? { ...s, value: null } : s)) : [],
    configType: CONFIG_TYPES[key.type],
    documentation: opts.includeDocumentation ? key.doc : null,
  };
}

function result(r: { resourceType: number; resourceName: string }, configs: DescribedConfig[]): DescribedResource {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs,
  };
}

function errorResult(
  code: number,
  message: string,
  r: { resourceType: number; resourceName: string },
): DescribedResource {
  return {
    errorCode: code,
    errorMessage: message,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: [],
  };
}

async function describeTopic(
  s: BrokerServices,
  req: DescribeConfigsRequest,
  r: DescribeConfigsRequest['resources'][number],
): Promise<DescribedResource> {
  if (!s.metadataCache.hasTopic(r.resourceName)) {
    return errorResult(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${r.resourceName}' does not exist.`, r);
  }
  const wanted = r.configurationKeys ? new Set(r.configurationKeys) : null;
  const overrides = await s.zk.getEntityConfig('topics', r.resourceName);
  const defaults = s.topicDefaults;
  const configs = Object.values(LOG_CONFIG.fields)
    .filter((k) => !wanted || wanted.has(k.name))
    .map((k) => {
      const brokerKey = TOPIC_CONFIG_SYNONYMS[k.name]?.[0];
      const synonyms = [
        ...(overrides[k.name] === undefined
          ? []
          : [{ name: k.name, value: overrides[k.name]!, source: ConfigSource.DynamicTopicConfig }]),
        ...(brokerKey === undefined ? [] : s.dynamicConfig.synonyms(brokerKey).map(toWire)),
      ];
      const value = overrides[k.name] ?? defaults[k.name] ?? formatConfigValue(k.default);
      return described(k, value, synonyms, { ...req, readOnly: false });
    });
  return result(r, configs);
}

function describeBroker(
  s: BrokerServices,
  req: DescribeConfigsRequest,
  r: DescribeConfigsRequest['resources'][number],
): DescribedResource {
  const wanted = r.configurationKeys ? new Set(r.configurationKeys) : null;
  if (r.resourceName === '') {
    const configs = Object.entries(s.dynamicConfig.overrides('default'))
      .filter(([name]) => !wanted || wanted.has(name))
      .map(([name, value]) => {
        const synonyms = s.dynamicConfig
          .synonyms(name, false)
          .filter((syn) => syn.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG')
          .map(toWire);
        return described(BROKER_CONFIG.keyOf(name)!, value, synonyms, { ...req, readOnly: false });
      });
    return result(r, configs);
  }
  if (r.resourceName !== String(s.brokerId)) {
    return errorResult(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${s.brokerId} or empty string, but received ${r.resourceName}: send ` +
        `DescribeConfigs for a broker to that broker.`,
      r,
    );
  }
  const values = s.config as unknown as Record<string, unknown>;
  const configs = Object.entries(BROKER_CONFIG.fields)
    .filter(([, k]) => !wanted || wanted.has(k.name))
    .map(([field, k]) => {
      const synonyms = s.dynamicConfig.synonyms(k.name).map(toWire);
      const value = formatConfigValue(values[field]);
      // Keys whose default means "not set" show null until something sets them, as Kafka's do.
      const shown = UNSET_BY_DEFAULT.has(k.name) && value === formatConfigValue(k.default) ? null : value;
      return described(k, shown, synonyms, { ...req, readOnly: !DYNAMIC_BROKER_CONFIGS.has(k.name) });
    });
  return result(r, configs);
}

export async function handleDescribeConfigs(
  s: BrokerServices,
  req: DescribeConfigsRequest,
): Promise<DescribeConfigsResponse> {
  const results = await Promise.all(
    req.resources.map(async (r) => {
      if (r.resourceType === ConfigResourceType.Topic) return describeTopic(s, req, r);
      if (r.resourceType === ConfigResourceType.Broker) return describeBroker(s, req, r);
      return errorResult(
        ErrorCode.INVALID_REQUEST,
        `Unsupported resource type ${r.resourceType}: use 2 (topic) or 4 (broker).`,
        r,
      );
    }),
  );
  return { throttleTimeMs: 0, results };
}
