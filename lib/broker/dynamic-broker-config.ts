/**
 * Dynamic broker configs (Kafka's `DynamicBrokerConfig`): broker keys changed while brokers run, per broker in
 * `/config/brokers/<id>` or for the whole cluster in `/config/brokers/<default>`, over the static
 * `server.properties`. Precedence, highest first: per-broker, cluster default, static, Kafka's default.
 *
 * Which keys: those of Kafka 2.8's dynamic set that exist here (`DYNAMIC_BROKER_CONFIGS`): the log defaults topics
 * inherit (`log.retention.*`, `log.segment.bytes`, `log.cleanup.policy`, `message.max.bytes`, `min.insync.replicas`,
 * `unclean.leader.election.enable`, `compression.type`, ...), `log.cleaner.backoff.ms`, `num.replica.fetchers` and
 * the replication throttles (`leader.replication.throttled.rate`, `follower.replication.throttled.rate`) and the
 * throttle of moves between log dirs (`replica.alter.log.dirs.io.max.bytes.per.second`).
 * Every other key is static: an update naming one is refused with INVALID_CONFIG and the reason, as Kafka refuses
 * it ("Cannot update these configs dynamically").
 *
 * Applying: `update()` replaces one level's overrides, rebuilds the effective config and hands it, with the previous
 * one, to every registered reconfigure callback (the Broker wires the ReplicaManager, TopicAdmin, LogManager,
 * fetchers and controller), as Kafka's Reconfigurable components. Overrides read from ZooKeeper that are not valid
 * (a hand-edited znode) are dropped key by key with a warning, so one bad key does not block the others.
 *
 * Concurrency: one event loop; `update()` is synchronous and callbacks must not throw (errors are logged).
 * Ownership: one per Broker, created at start-up from the znodes read before any component starts, then updated
 * by the ConfigChangeListener (other brokers' changes) and by the broker's own IncrementalAlterConfigs.
 */
import { formatConfigValue } from '../common/config-def.js';
import { ApiError, InvalidArgumentError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import {
  BROKER_CONFIG,
  brokerConfigProperties,
  parseBrokerConfig,
  TOPIC_CONFIG_SYNONYMS,
  UNSET_BY_DEFAULT,
  type BrokerConfig,
} from './broker-config.js';

/** Kafka 2.8's dynamically updatable broker keys that this broker has (DynamicBrokerConfig.AllDynamicConfigs ∩ ours). */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...Object.values(TOPIC_CONFIG_SYNONYMS).flat(),
  'log.cleaner.backoff.ms',
  'num.replica.fetchers',
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
  'replica.alter.log.dirs.io.max.bytes.per.second',
]);

/** Which overrides: one broker's (`/config/brokers/<id>`) or the cluster default (`/config/brokers/<default>`). */
export type DynamicConfigLevel = 'broker' | 'default';

/** Where a value comes from, in Kafka's ConfigSource names. */
export type BrokerConfigSource =
  'DYNAMIC_BROKER_CONFIG' | 'DYNAMIC_DEFAULT_BROKER_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';

export interface BrokerConfigSynonym {
  name: string;
  value: string;
  source: BrokerConfigSource;
}

/** Kafka's brokerSynonyms: the keys that can set `name`, highest precedence first (log.retention.ms, minutes, hours). */
export function brokerSynonyms(name: string): string[] {
  switch (name) {
    case 'log.roll.ms':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.retention.ms':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    case 'log.retention.minutes':
      return ['log.retention.minutes', 'log.retention.hours'];
    default:
      return [name];
  }
}

/** The effective config: `overrides` (dotted keys) over `base`; throws InvalidArgumentError naming a bad value. */
function withOverrides(base: BrokerConfig, overrides: Readonly<Record<string, string>>): BrokerConfig {
  return parseBrokerConfig({ ...brokerConfigProperties(base), ...overrides });
}

export class DynamicBrokerConfig {
  private perBroker: Readonly<Record<string, string>> = {};
  private clusterDefault: Readonly<Record<string, string>> = {};
  private currentValue: BrokerConfig;
  private readonly reconfigures: Array<(next: BrokerConfig, previous: BrokerConfig) => void> = [];
  private readonly staticProps: Readonly<Record<string, string>>;

  constructor(
    /** The config read from server.properties (and --override). */
    readonly staticConfig: BrokerConfig,
    private readonly logger: Logger,
  ) {
    this.currentValue = staticConfig;
    this.staticProps = BROKER_CONFIG.toProperties(staticConfig);
  }

  /** The effective config now: static with the dynamic overrides applied. */
  get current(): BrokerConfig {
    return this.currentValue;
  }

  /** The overrides of one level as last applied. */
  overrides(level: DynamicConfigLevel): Readonly<Record<string, string>> {
    return level === 'broker' ? this.perBroker : this.clusterDefault;
  }

  /** Registers a component's reconfigure callback, run after every change with the new and the previous config. */
  onReconfigure(reconfigure: (next: BrokerConfig, previous: BrokerConfig) => void): void {
    this.reconfigures.push(reconfigure);
  }

  /**
   * Checks a complete override set for one level as an IncrementalAlterConfigs or AlterConfigs would store it:
   * every key must be a broker key, dynamic here, with a valid value, and the resulting config must be valid.
   * Throws ApiError INVALID_CONFIG naming the keys and the reason.
   */
  validate(level: DynamicConfigLevel, overrides: Readonly<Record<string, string>>): void {
    const unknown = Object.keys(overrides).filter((k) => !BROKER_CONFIG.has(k));
    if (unknown.length > 0) {
      throw new ApiError(
        'INVALID_CONFIG',
        `Unknown broker config(s): ${unknown.join(',')}. mq-broker --help-config lists the keys of this broker.`,
      );
    }
    const staticOnly = Object.keys(overrides).filter((k) => !DYNAMIC_BROKER_CONFIGS.has(k));
    if (staticOnly.length > 0) {
      throw new ApiError(
        'INVALID_CONFIG',
        `Cannot update these configs dynamically: ${staticOnly.join(',')}. They are read once at start-up: set them ` +
          `in server.properties and restart the broker.`,
      );
    }
    const perBroker = level === 'broker' ? overrides : this.perBroker;
    const clusterDefault = level === 'default' ? overrides : this.clusterDefault;
    try {
      withOverrides(this.staticConfig, { ...clusterDefault, ...perBroker });
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      throw new ApiError('INVALID_CONFIG', e.message);
    }
  }

  /**
   * Replaces one level's overrides (as read from ZooKeeper) and applies the resulting config. Keys that are not
   * dynamic broker keys or whose value is invalid are ignored with a warning. Returns the keys whose effective
   * value changed.
   */
  update(level: DynamicConfigLevel, overrides: Readonly<Record<string, string>>): string[] {
    const accepted: Record<string, string> = {};
    const base = withOverrides(this.staticConfig, level === 'broker' ? this.clusterDefault : this.perBroker);
    for (const [key, value] of Object.entries(overrides)) {
      try {
        if (!DYNAMIC_BROKER_CONFIGS.has(key)) throw new InvalidArgumentError(`${key} is not a dynamic broker config`);
        withOverrides(base, { [key]: value });
        accepted[key] = value;
      } catch (e) {
        this.logger.warn(
          { err: e, level, key, value },
          'ignoring an invalid dynamic broker config read from ZooKeeper; fix or delete it with mq-admin configs',
        );
      }
    }
    if (level === 'broker') this.perBroker = accepted;
    else this.clusterDefault = accepted;
    const previous = this.currentValue;
    const next = withOverrides(this.staticConfig, { ...this.clusterDefault, ...this.perBroker });
    this.currentValue = next;
    const before = BROKER_CONFIG.toProperties(previous);
    const after = BROKER_CONFIG.toProperties(next);
    const changed = Object.keys(after).filter((k) => before[k] !== after[k]);
    if (changed.length === 0) return changed;
    this.logger.info(
      { level, changed: Object.fromEntries(changed.map((k) => [k, after[k]])) },
      'applying dynamic broker config',
    );
    for (const reconfigure of this.reconfigures) {
      try {
        reconfigure(next, previous);
      } catch (e) {
        this.logger.error({ err: e, changed }, 'a component failed to apply a dynamic broker config');
      }
    }
    return changed;
  }

  /**
   * Kafka's configSynonyms for a broker key: over `brokerSynonyms(name)`, the per-broker overrides (unless
   * `perBroker` is false: describing the cluster default), then the cluster defaults, then the static settings,
   * then Kafka's defaults that mean a value. The first entry is where the effective value comes from.
   */
  synonyms(name: string, perBroker = true): BrokerConfigSynonym[] {
    const keys = brokerSynonyms(name);
    const out: BrokerConfigSynonym[] = [];
    const add = (values: Readonly<Record<string, string>>, source: BrokerConfigSource, key: string) => {
      const value = values[key];
      if (value !== undefined) out.push({ name: key, value, source });
    };
    if (perBroker) for (const k of keys) add(this.perBroker, 'DYNAMIC_BROKER_CONFIG', k);
    for (const k of keys) add(this.clusterDefault, 'DYNAMIC_DEFAULT_BROKER_CONFIG', k);
    // The parsed static config keeps no trace of which keys the file named: a value other than the default is.
    for (const k of keys) {
      const staticValue = this.staticProps[k];
      if (staticValue !== undefined && staticValue !== defaultOf(k)) {
        out.push({ name: k, value: staticValue, source: 'STATIC_BROKER_CONFIG' });
      }
    }
    for (const k of keys) {
      const dflt = defaultOf(k);
      if (dflt !== undefined && !UNSET_BY_DEFAULT.has(k)) out.push({ name: k, value: dflt, source: 'DEFAULT_CONFIG' });
    }
    return out;
  }
}

/** Kafka's default of a broker key as a string; undefined for a required key or an unknown one. */
function defaultOf(name: string): string | undefined {
  return formatConfigValue(BROKER_CONFIG.keyOf(name)?.default) ?? undefined;
}
