/**
 * DescribeConfigs and AlterConfigs for topics (resource type 2) and brokers (4, describe only: broker configs
 * are static here). Topic overrides live in ZooKeeper under /config/topics/<t> (Kafka's layout); a topic's
 * effective value is its override, else the broker's `log.*` default, else Kafka's default. With includeSynonyms
 * every entry lists where its value can come from, as Kafka does: a topic key's override, then the broker keys
 * behind it (`TOPIC_CONFIG_SYNONYMS`) with their setting and default. AlterConfigs
 * replaces a topic's whole override set (non-incremental, as Kafka's AlterConfigs) through TopicAdmin, which
 * validates it against LogConfig and writes the /config/changes notification.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, MqError } from '../../common/errors.js';
import { formatConfigValue, type ConfigKey, type ConfigType } from '../../common/config-def.js';
import { LOG_CONFIG } from '../../log/log-config.js';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
} from '../../protocol/messages/index.js';
import { BROKER_CONFIG, TOPIC_CONFIG_SYNONYMS, UNSET_BY_DEFAULT } from '../broker-config.js';
import type { BrokerServices } from './broker-services.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const SOURCE_TOPIC = 1;
const SOURCE_STATIC_BROKER = 4;
const SOURCE_DEFAULT = 5;
const CONFIG_TYPES: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  password: 9,
};

type DescribedConfig = DescribeConfigsResponse['results'][number]['configs'][number];

type Synonym = DescribedConfig['synonyms'][number];

function described(
  key: ConfigKey<unknown>,
  value: string | null,
  source: number,
  withDocs: boolean,
  synonyms: Synonym[],
): DescribedConfig {
  return {
    name: key.name,
    value,
    readOnly: false,
    configSource: source,
    isSensitive: key.type === 'password',
    synonyms,
    configType: CONFIG_TYPES[key.type],
    documentation: withDocs ? key.doc : null,
  };
}

/**
 * Where a broker key's value can come from, highest precedence first, as Kafka lists synonyms: the broker's own
 * setting when it differs from the default (from server.properties), then the default unless it means "not set".
 */
function brokerKeySynonyms(s: BrokerServices, name: string): Synonym[] {
  const field = BROKER_CONFIG.fieldOf(name);
  const key = BROKER_CONFIG.keyOf(name);
  if (field === undefined || key === undefined) return [];
  const value = formatConfigValue((s.config as unknown as Record<string, unknown>)[field]);
  const dflt = formatConfigValue(key.default);
  const out: Synonym[] = [];
  if (value !== dflt) out.push({ name, value, source: SOURCE_STATIC_BROKER });
  if (dflt !== null && !UNSET_BY_DEFAULT.has(name)) out.push({ name, value: dflt, source: SOURCE_DEFAULT });
  return out;
}

/** A topic key's synonyms: its override, then the broker keys behind it (TOPIC_CONFIG_SYNONYMS). */
function topicKeySynonyms(s: BrokerServices, name: string, override: string | undefined): Synonym[] {
  return [
    ...(override === undefined ? [] : [{ name, value: override, source: SOURCE_TOPIC }]),
    ...(TOPIC_CONFIG_SYNONYMS[name] ?? []).flatMap((brokerKey) => brokerKeySynonyms(s, brokerKey)),
  ];
}

type Resource = { resourceType: number; resourceName: string };

/** One resource's answer in DescribeConfigs: its configs, or (errorResult) an error code and message with none. */
function resourceResult(
  r: Resource,
  configs: DescribedConfig[],
  errorCode: number = ErrorCode.NONE,
  errorMessage: string | null = null,
): DescribeConfigsResponse['results'][number] {
  return { errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, configs };
}

function errorResult(code: number, message: string, r: Resource) {
  return resourceResult(r, [], code, message);
}

export async function handleDescribeConfigs(
  s: BrokerServices,
  req: DescribeConfigsRequest,
): Promise<DescribeConfigsResponse> {
  const results = await Promise.all(
    req.resources.map(async (r) => {
      const wanted = r.configurationKeys ? new Set(r.configurationKeys) : null;
      if (r.resourceType === RESOURCE_TOPIC) {
        if (!s.metadataCache.hasTopic(r.resourceName)) {
          return errorResult(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${r.resourceName}' does not exist.`, r);
        }
        const overrides = await s.zk.getEntityConfig('topics', r.resourceName);
        const configs = Object.values(LOG_CONFIG.fields)
          .filter((k) => !wanted || wanted.has(k.name))
          .map((k) => {
            const synonyms = req.includeSynonyms ? topicKeySynonyms(s, k.name, overrides[k.name]) : [];
            if (overrides[k.name] !== undefined)
              return described(k, overrides[k.name]!, SOURCE_TOPIC, req.includeDocumentation, synonyms);
            const brokerValue = s.topicDefaults[k.name];
            const kafkaDefault = formatConfigValue(k.default);
            return brokerValue !== undefined && brokerValue !== kafkaDefault
              ? described(k, brokerValue, SOURCE_STATIC_BROKER, req.includeDocumentation, synonyms)
              : described(k, kafkaDefault, SOURCE_DEFAULT, req.includeDocumentation, synonyms);
          });
        return resourceResult(r, configs);
      }
      if (r.resourceType === RESOURCE_BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(s.brokerId)) {
          return errorResult(
            ErrorCode.INVALID_REQUEST,
            `This is broker ${s.brokerId}; send DescribeConfigs for broker '${r.resourceName}' to that broker.`,
            r,
          );
        }
        const values = s.config as unknown as Record<string, unknown>;
        const configs = Object.entries(BROKER_CONFIG.fields)
          .filter(([, k]) => !wanted || wanted.has(k.name))
          .map(([field, k]) => {
            const value = formatConfigValue(values[field]);
            return described(
              k,
              value,
              value === formatConfigValue(k.default) ? SOURCE_DEFAULT : SOURCE_STATIC_BROKER,
              req.includeDocumentation,
              req.includeSynonyms ? brokerKeySynonyms(s, k.name) : [],
            );
          });
        return resourceResult(r, configs);
      }
      return errorResult(
        ErrorCode.INVALID_REQUEST,
        `Unsupported resource type ${r.resourceType}: use 2 (topic) or 4 (broker).`,
        r,
      );
    }),
  );
  return { throttleTimeMs: 0, results };
}

export async function handleAlterConfigs(s: BrokerServices, req: AlterConfigsRequest): Promise<AlterConfigsResponse> {
  const responses = await Promise.all(
    req.resources.map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== RESOURCE_TOPIC) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Only topic configs (resource type 2) can be altered; broker configs are static (edit server.properties).`,
        };
      }
      const props = Object.fromEntries(r.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!]));
      try {
        await s.topicAdmin.alterTopicConfig(r.resourceName, props, { validateOnly: req.validateOnly });
      } catch (e) {
        const code = e instanceof ApiError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
        return { ...base, errorCode: code, errorMessage: e instanceof MqError ? e.message : String(e) };
      }
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
    }),
  );
  return { throttleTimeMs: 0, responses };
}
