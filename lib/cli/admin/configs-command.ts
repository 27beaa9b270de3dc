/**
 * `mq-admin configs`: kafka-configs over the Admin client, for topics and brokers, and for users and clients
 * (quotas and SCRAM credentials: client-configs.ts).
 *
 *   --describe  (--entity-type topics|brokers [--entity-name N | --entity-default] | --topic T | --broker B |
 *               --broker-defaults) [--all]
 *   --alter     (same entity flags) [--add-config 'k1=v1,k2=[a,b]'] [--add-config-file F] [--delete-config k1,k2]
 *
 * --describe prints Kafka's header (`Dynamic configs for topic T are:`, `All configs ...` with --all, `Default
 * configs for brokers in the cluster are:` for the broker default) and one `  name=value sensitive=false
 * synonyms={...}` line per entry; without --all only the entity's own dynamic overrides are listed. Brokers without
 * --entity-name: every live broker, then the cluster default, as Kafka's tool.
 * --alter checks that every key to delete has an override (as Kafka does), then sends the additions (SET) and
 * deletions (DELETE) as one IncrementalAlterConfigs. Broker keys take effect on running brokers when they are
 * dynamic (the log defaults topics inherit, num.replica.fetchers, ...); the broker refuses static ones with the reason.
 * `--describe --json`: [{"entityType":"topics"|"brokers","entityName" (null for the broker default),"configs":
 * [{"name","value","source","sensitive","readOnly","synonyms":[{"name","value","source"}]}]}], the same entries as
 * the text (own overrides, or all with --all).
 */
import { Command } from 'commander';
import type {
  Admin,
  AlterConfigOperation,
  ConfigEntry,
  ConfigResource,
  ConfigSourceName,
} from '../../client/admin/admin.js';
import { readPropertiesFile } from '../args.js';
import { oneAction, withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { alterClientConfigs, clientEntitySelection, describeClientConfigs } from './client-configs.js';
import { jsonOnlyFor, printJson, withJsonOption, type JsonFlag } from './json-output.js';

const ACTIONS = ['describe', 'alter'] as const;

interface ConfigsFlags extends ConnectionFlags, JsonFlag {
  describe?: boolean;
  alter?: boolean;
  /** Repeatable, as in Kafka, to name a user and a client together. */
  entityType?: string[];
  entityName?: string[];
  entityDefault?: boolean;
  topic?: string;
  broker?: string;
  brokerDefaults?: boolean;
  user?: string;
  userDefaults?: boolean;
  client?: string;
  clientDefaults?: boolean;
  all?: boolean;
  addConfig?: string;
  addConfigFile?: string;
  deleteConfig?: string;
}

/**
 * Parses `--add-config`: `k1=v1,k2=v2`, where square brackets group a list value that contains commas
 * (`k=[a,b,c]` sets k to `a,b,c`), as Kafka's ConfigCommand does.
 */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let depth = 0;
  let start = 0;
  const pairs: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if ((c === ',' && depth === 0) || i === text.length) {
      if (i > start) pairs.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new UsageError(`--add-config: unbalanced ']' in '${text}'.`);
  }
  if (depth !== 0) throw new UsageError(`--add-config: unbalanced '[' in '${text}'.`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--add-config: '${pair}' is not name=value.`);
    const value = pair.slice(eq + 1).trim();
    out[pair.slice(0, eq).trim()] = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  }
  return out;
}

/**
 * The operations of an alter: SET for each addition, DELETE for each removal; throws, as Kafka's tool, for a key to
 * remove that has no override in `current`.
 */
export function alterOperations(
  current: Readonly<Record<string, string>>,
  add: Readonly<Record<string, string>>,
  remove: readonly string[],
): AlterConfigOperation[] {
  const missing = remove.filter((k) => current[k] === undefined);
  if (missing.length > 0)
    throw new CommandError(`Invalid config(s): ${missing.join(',')} do(es) not exist as an override.`);
  return [
    ...Object.entries(add).map(([name, value]) => ({ name, op: 'SET' as const, value })),
    ...remove.map((name) => ({ name, op: 'DELETE' as const })),
  ];
}

/** One entry as `--describe --json` prints it (sensitive values null). */
export function configJson(c: ConfigEntry): object {
  const value = (v: string | null) => (c.isSensitive ? null : v);
  return {
    name: c.name,
    value: value(c.value),
    source: c.source,
    sensitive: c.isSensitive,
    readOnly: c.isReadOnly,
    synonyms: c.synonyms.map((s) => ({ name: s.name, value: value(s.value), source: s.source })),
  };
}

/** One describe line, Kafka's shape. */
export function configLine(c: ConfigEntry): string {
  const value = (v: string | null) => (c.isSensitive ? 'null' : (v ?? 'null'));
  const synonyms = c.synonyms.map((s) => `${s.source}:${s.name}=${value(s.value)}`).join(', ');
  return `  ${c.name}=${value(c.value)} sensitive=${c.isSensitive} synonyms={${synonyms}}\n`;
}

interface Entity {
  resource: ConfigResource;
  /** Source of the entity's own overrides, the ones describe shows without --all. */
  ownSource: ConfigSourceName;
  /** How the output names it: `topic orders`, `broker 1`, or null for the broker default. */
  label: string | null;
}

function entityOf(type: 'topics' | 'brokers', name: string | undefined, isDefault: boolean): Entity | null {
  if (type === 'topics') {
    if (isDefault) throw new UsageError('--entity-default applies to brokers only.');
    return name === undefined
      ? null
      : { resource: { type: 'topic', name }, ownSource: 'DYNAMIC_TOPIC_CONFIG', label: `topic ${name}` };
  }
  if (isDefault)
    return { resource: { type: 'broker', name: '' }, ownSource: 'DYNAMIC_DEFAULT_BROKER_CONFIG', label: null };
  if (name === undefined) return null;
  if (!/^\d+$/.test(name)) throw new UsageError(`A broker is named by its id; '${name}' is not one.`);
  return { resource: { type: 'broker', name }, ownSource: 'DYNAMIC_BROKER_CONFIG', label: `broker ${name}` };
}

/** The entity type and name from either the long form or the shortcuts. */
function selection(flags: ConfigsFlags): { type: 'topics' | 'brokers'; name: string | undefined; isDefault: boolean } {
  const shortcuts = [flags.topic !== undefined, flags.broker !== undefined, flags.brokerDefaults === true].filter(
    Boolean,
  ).length;
  if (shortcuts > 1 || (shortcuts === 1 && flags.entityType !== undefined)) {
    throw new UsageError(
      'Name one entity: --entity-type with --entity-name or --entity-default, or one of --topic, --broker, --broker-defaults.',
    );
  }
  if (flags.topic !== undefined) return { type: 'topics', name: flags.topic, isDefault: false };
  if (flags.broker !== undefined) return { type: 'brokers', name: flags.broker, isDefault: false };
  if (flags.brokerDefaults === true) return { type: 'brokers', name: undefined, isDefault: true };
  const [type, ...more] = flags.entityType ?? [];
  if ((type !== 'topics' && type !== 'brokers') || more.length > 0 || (flags.entityName?.length ?? 0) > 1) {
    throw new UsageError(
      `--entity-type must be topics, brokers, users or clients${type === undefined ? ' (or use --topic / --broker / --user / --client)' : `, not '${type}'`}; ` +
        'only users and clients may be given together.',
    );
  }
  return { type, name: flags.entityName?.[0], isDefault: flags.entityDefault === true };
}

/** Whether the flags name users or clients (quotas and SCRAM credentials) rather than topics or brokers. */
function namesClientEntities(flags: ConfigsFlags): boolean {
  return (
    (flags.entityType ?? []).some((t) => t === 'users' || t === 'clients') ||
    flags.user !== undefined ||
    flags.client !== undefined ||
    flags.userDefaults === true ||
    flags.clientDefaults === true
  );
}

/** The configs --alter adds and deletes. */
function requestedChanges(flags: ConfigsFlags): { add: Record<string, string>; remove: string[] } {
  const add = {
    ...(flags.addConfigFile === undefined ? {} : readPropertiesFile(flags.addConfigFile)),
    ...(flags.addConfig === undefined ? {} : parseAddConfig(flags.addConfig)),
  };
  const remove =
    flags.deleteConfig === undefined
      ? []
      : flags.deleteConfig
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
  if (Object.keys(add).length === 0 && remove.length === 0) {
    throw new UsageError('--alter needs --add-config, --add-config-file or --delete-config.');
  }
  const both = remove.filter((k) => k in add);
  if (both.length > 0) throw new UsageError(`Config(s) ${both.join(',')} cannot be both added and deleted.`);
  return { add, remove };
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function configsCommand(): Command {
  return withJsonOption(withConnectionOptions(new Command('configs')))
    .description(
      'Describe and change the config overrides of topics, the dynamic configs of brokers and their cluster-wide ' +
        'default, and the quotas and SCRAM credentials of users and clients (kafka-configs).',
    )
    .option('--describe', 'list configs for the given entity')
    .option('--alter', 'alter the configuration of the given entity')
    .option(
      '--entity-type <type>',
      'type of entity: topics, brokers, users or clients (users and clients may be given together)',
      collect,
    )
    .option('--entity-name <name>', 'name of the entity: a topic, a broker id, a user or a client id', collect)
    .option('--entity-default', 'the default entity (brokers, users, clients)')
    .option('--topic <name>', 'shortcut for --entity-type topics --entity-name <name>')
    .option('--broker <id>', 'shortcut for --entity-type brokers --entity-name <id>')
    .option('--broker-defaults', 'shortcut for --entity-type brokers --entity-default')
    .option('--user <principal>', 'shortcut for --entity-type users --entity-name <principal>')
    .option('--user-defaults', 'shortcut for --entity-type users --entity-default')
    .option('--client <client-id>', 'shortcut for --entity-type clients --entity-name <client-id>')
    .option('--client-defaults', 'shortcut for --entity-type clients --entity-default')
    .option('--all', 'with --describe: every config, with its source, not only the overrides')
    .option(
      '--add-config <configs>',
      "key=value pairs to add, e.g. 'retention.ms=86400000,cleanup.policy=[compact,delete]'",
    )
    .option('--add-config-file <file>', 'a properties file of configs to add')
    .option('--delete-config <names>', 'config names to remove, comma-separated')
    .addHelpText(
      'after',
      `
Examples:
  mq-admin configs --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --alter \\
      --add-config retention.ms=86400000,min.insync.replicas=2
  mq-admin configs --bootstrap-server localhost:9092 --topic orders --describe --all
  mq-admin configs --bootstrap-server localhost:9092 --entity-type brokers --entity-default --alter \\
      --add-config log.retention.hours=72
  mq-admin configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name 1 --alter \\
      --add-config num.replica.fetchers=2
  mq-admin configs --bootstrap-server localhost:9092 --command-config admin.properties --alter \\
      --entity-type users --entity-name alice --add-config 'SCRAM-SHA-512=[password=alice-secret]'
  mq-admin configs --bootstrap-server localhost:9092 --alter --entity-type clients --entity-name reports \\
      --add-config producer_byte_rate=1048576,consumer_byte_rate=2097152`,
    )
    .action(async (flags: ConfigsFlags) => {
      const action = oneAction(flags, ACTIONS);
      jsonOnlyFor(flags, action, ['describe']);
      if (namesClientEntities(flags)) {
        if (flags.json === true) {
          throw new UsageError('--json describes topics and brokers; users and clients print as kafka-configs does.');
        }
        const names = [...(flags.entityName ?? []), ...(flags.entityDefault === true ? [null] : [])];
        const entities = clientEntitySelection(flags.entityType ?? [], names, flags);
        await withAdmin(flags, async (admin) => {
          if (action === 'describe') await describeClientConfigs(admin, entities);
          else {
            const { add, remove } = requestedChanges(flags);
            await alterClientConfigs(admin, entities, add, remove);
          }
        });
        return;
      }
      const { type, name, isDefault } = selection(flags);
      await withAdmin(flags, async (admin) => {
        if (action === 'describe') await describeConfigs(admin, type, name, isDefault, flags);
        else await alterConfigs(admin, type, name, isDefault, flags);
      });
    });
}

async function describeConfigs(
  admin: Admin,
  type: 'topics' | 'brokers',
  name: string | undefined,
  isDefault: boolean,
  flags: ConfigsFlags,
): Promise<void> {
  const all = flags.all === true;
  let entities: Entity[];
  const one = entityOf(type, name, isDefault);
  if (one !== null) entities = [one];
  else if (type === 'topics')
    entities = (await admin.listTopics({ includeInternal: true })).map((t) => entityOf('topics', t, false)!);
  else {
    entities = [
      ...(await admin.describeCluster()).brokers.map((b) => entityOf('brokers', String(b.nodeId), false)!),
      entityOf('brokers', undefined, true)!,
    ];
  }
  const described = await admin.describeConfigs(entities.map((e) => e.resource));
  if (flags.json === true) {
    printJson(
      entities.map((e, i) => ({
        entityType: type,
        entityName: e.label === null ? null : e.resource.name,
        configs: described[i]!.configs.filter((c) => all || c.source === e.ownSource).map(configJson),
      })),
    );
    return;
  }
  let out = '';
  entities.forEach((e, i) => {
    const configs = described[i]!.configs.filter((c) => all || c.source === e.ownSource);
    const what = e.label === null ? 'brokers in the cluster' : e.label;
    out +=
      e.label === null ? `Default configs for ${what} are:\n` : `${all ? 'All' : 'Dynamic'} configs for ${what} are:\n`;
    out += configs.map(configLine).join('');
  });
  process.stdout.write(out);
}

async function alterConfigs(
  admin: Admin,
  type: 'topics' | 'brokers',
  name: string | undefined,
  isDefault: boolean,
  flags: ConfigsFlags,
): Promise<void> {
  const entity = entityOf(type, name, isDefault);
  if (entity === null)
    throw new UsageError('--alter needs the entity: --entity-name (or --topic / --broker) or --entity-default.');
  const { add, remove } = requestedChanges(flags);
  const [current] = await admin.describeConfigs([entity.resource]);
  const overrides = Object.fromEntries(
    current!.configs.filter((c) => c.source === entity.ownSource && c.value !== null).map((c) => [c.name, c.value!]),
  );
  await admin.incrementalAlterConfigs([{ ...entity.resource, ops: alterOperations(overrides, add, remove) }]);
  process.stdout.write(
    entity.label === null
      ? 'Completed updating default config for brokers in the cluster.\n'
      : `Completed updating config for ${entity.label}.\n`,
  );
}
