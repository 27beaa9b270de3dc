/**
 * A described config as the Admin client returns it (Kafka's `ConfigEntry`): its value, where that value comes from
 * (Kafka's `ConfigSource` names) and, highest precedence first, where else a value could come from (synonyms).
 * Types only, importing nothing: the web console's browser code shares them (lib/console/api-types.ts).
 */

export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG';

export interface ConfigEntry {
  name: string;
  /** null when sensitive or unset. */
  value: string | null;
  source: ConfigSourceName;
  isReadOnly: boolean;
  isSensitive: boolean;
  /** Where else a value could come from, highest precedence first. */
  synonyms: Array<{ name: string; value: string | null; source: ConfigSourceName }>;
}
