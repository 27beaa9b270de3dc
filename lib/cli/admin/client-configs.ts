/**
 * `mq-admin configs` for users and clients (kafka-configs with --bootstrap-server, Kafka 2.8): quotas through
 * Describe/AlterClientQuotas and SCRAM credentials through Describe/AlterUserScramCredentials.
 *
 *   --entity-type users [--entity-name U | --entity-default] [--entity-type clients [--entity-name C | ...]]
 *   --user U | --user-defaults, --client C | --client-defaults (may be combined: a user's quota for one client id)
 *   --alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=...]'
 *   --alter --add-config 'producer_byte_rate=1048576,consumer_byte_rate=2097152,request_percentage=50'
 *   --alter --delete-config SCRAM-SHA-256,producer_byte_rate
 *
 * Kafka's rules and messages: users take quota and SCRAM keys but not both in one call, and no SCRAM credentials
 * for the default user; clients take quota keys only; deleting a quota that is not set is an error. Output: `Quota
 * configs for user-principal 'alice', client-id 'c1' are producer_byte_rate=1048576.0` (values printed as Java prints
 * a double) and `SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192`.
 *
 * Parsing and formatting are the pure functions below; the actions only call the Admin client.
 */
import type { Admin } from '../../client/admin/admin.js';
import type { ClientQuotaEntry, QuotaEntity, ScramCredentialAlteration } from '../../client/admin/security-admin.js';
import { DEFAULT_SCRAM_ITERATIONS, scramMechanism, type ScramMechanismName } from '../../network/security/scram.js';
import { CommandError, UsageError } from '../cli-errors.js';

export const QUOTA_KEYS: readonly string[] = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'];

/** A selected user and/or client: a name, the default (null), or every one (undefined with `all`). */
export interface ClientEntitySelection {
  readonly user?: string | null;
  readonly client?: string | null;
  /** Which types were named without a name: describe every entity of them. */
  readonly all: readonly ('users' | 'clients')[];
}

/**
 * The selection from the entity flags: `types` and `names` are the repeated --entity-type / --entity-name pairs
 * (a default marks --entity-default for that position), merged with the --user / --client shortcuts.
 */
export function clientEntitySelection(
  types: readonly string[],
  names: readonly (string | null)[],
  shortcuts: { user?: string; userDefaults?: boolean; client?: string; clientDefaults?: boolean },
): ClientEntitySelection {
  const selection: { user?: string | null; client?: string | null } = {};
  const all: ('users' | 'clients')[] = [];
  const set = (type: string, name: string | null | undefined) => {
    if (type !== 'users' && type !== 'clients') {
      throw new UsageError(`--entity-type ${type} cannot be combined with users or clients; give it on its own.`);
    }
    const key = type === 'users' ? 'user' : 'client';
    if (key in selection || all.includes(type)) throw new UsageError(`--entity-type ${type} is given twice.`);
    if (name === undefined) all.push(type);
    else selection[key] = name;
  };
  types.forEach((t, i) => set(t, names[i]));
  if (names.length > types.length) throw new UsageError('Every --entity-name needs an --entity-type before it.');
  if (shortcuts.user !== undefined || shortcuts.userDefaults)
    set('users', shortcuts.userDefaults ? null : shortcuts.user);
  if (shortcuts.client !== undefined || shortcuts.clientDefaults)
    set('clients', shortcuts.clientDefaults ? null : shortcuts.client);
  return { ...selection, all };
}

/** Parses `[iterations=8192,]password=...` (brackets already removed by --add-config parsing). */
export function parseScramConfig(
  mechanism: ScramMechanismName,
  value: string,
): { iterations: number; password: string } {
  const m = /^(?:iterations=(-?\d*),)?password=(.*)$/s.exec(value);
  if (!m)
    throw new UsageError(`Invalid credential property ${mechanism}=${value}: expected [iterations=N,]password=P.`);
  const iterations = m[1] !== undefined && m[1] !== '' && m[1] !== '-1' ? Number(m[1]) : DEFAULT_SCRAM_ITERATIONS;
  const min = scramMechanism(mechanism)!.minIterations;
  if (iterations < min)
    throw new UsageError(`Iterations ${iterations} is less than the minimum ${min} required for ${mechanism}`);
  return { iterations, password: m[2]! };
}

export interface ClientConfigChange {
  readonly scram: ScramCredentialAlteration[];
  /** Quota keys to set (a number) or remove (null). */
  readonly quotas: Record<string, number | null>;
}

/** Checks an alteration against Kafka's rules (see the header) and splits it into SCRAM and quota changes. */
export function clientConfigChange(
  selection: ClientEntitySelection,
  add: Readonly<Record<string, string>>,
  remove: readonly string[],
): ClientConfigChange {
  const isScram = (k: string) => scramMechanism(k) !== undefined;
  const isQuota = (k: string) => QUOTA_KEYS.includes(k);
  const userOnly = selection.user !== undefined && selection.client === undefined;
  const typeName = userOnly ? 'users' : 'clients';
  const unknownAdd = Object.keys(add).filter((k) => !isQuota(k) && !(userOnly && isScram(k)));
  const unknownDelete = remove.filter((k) => !isQuota(k) && !(userOnly && isScram(k)));
  const what = userOnly ? 'quota and SCRAM credential' : 'quota';
  if (unknownAdd.length > 0) {
    throw new UsageError(
      `Only ${what} configs can be added for '${typeName}' using --bootstrap-server. Unexpected config names: ${unknownAdd.join(',')}`,
    );
  }
  if (unknownDelete.length > 0) {
    throw new UsageError(
      `Only ${what} configs can be deleted for '${typeName}' using --bootstrap-server. Unexpected config names: ${unknownDelete.join(',')}`,
    );
  }
  const scramKeys = [...Object.keys(add), ...remove].filter(isScram);
  const quotaKeys = [...Object.keys(add), ...remove].filter(isQuota);
  if (scramKeys.length > 0 && selection.user === null) {
    throw new UsageError(
      'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.',
    );
  }
  if (scramKeys.length > 0 && quotaKeys.length > 0) {
    throw new UsageError(
      "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.",
    );
  }
  const quotas: Record<string, number | null> = {};
  const scram: ScramCredentialAlteration[] = [];
  for (const [key, value] of Object.entries(add)) {
    if (isScram(key)) {
      const mechanism = key as ScramMechanismName;
      scram.push({ user: selection.user!, mechanism, ...parseScramConfig(mechanism, value) });
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n))
        throw new UsageError(`Cannot parse quota configuration value for ${key}: ${value}`);
      quotas[key] = n;
    }
  }
  for (const key of remove) {
    if (isScram(key)) scram.push({ user: selection.user!, mechanism: key as ScramMechanismName, delete: true });
    else quotas[key] = null;
  }
  return { scram, quotas };
}

/** Java's `Double.toString`: `1024.0`, `0.5`, `1.048576E7`, as kafka-configs prints quota values. */
export function javaDouble(n: number): string {
  if (n === 0) return '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** `user-principal 'alice', client-id 'c1'`, or `the default user-principal`. */
export function quotaEntityText(entity: QuotaEntity): string {
  const part = (type: string, name: string | null | undefined) =>
    name === undefined ? [] : [name === null ? `the default ${type}` : `${type} '${name}'`];
  return [...part('user-principal', entity.user), ...part('client-id', entity['client-id'])].join(', ');
}

export function quotaLine(e: ClientQuotaEntry): string {
  const values = Object.entries(e.values)
    .map(([k, v]) => `${k}=${javaDouble(v)}`)
    .join(', ');
  return `Quota configs for ${quotaEntityText(e.entity)} are ${values}\n`;
}

/** The quota entity of a selection that names its user and/or client (for --alter). */
function quotaEntity(selection: ClientEntitySelection): QuotaEntity {
  return {
    ...(selection.user !== undefined ? { user: selection.user } : {}),
    ...(selection.client !== undefined ? { 'client-id': selection.client } : {}),
  };
}

export async function describeClientConfigs(admin: Admin, selection: ClientEntitySelection): Promise<void> {
  const components: { entityType: 'user' | 'client-id'; match?: string | null }[] = [];
  if (selection.user !== undefined || selection.all.includes('users'))
    components.push({ entityType: 'user', ...(selection.user !== undefined ? { match: selection.user } : {}) });
  if (selection.client !== undefined || selection.all.includes('clients'))
    components.push({
      entityType: 'client-id',
      ...(selection.client !== undefined ? { match: selection.client } : {}),
    });
  let out = (await admin.describeClientQuotas({ components, strict: true })).map(quotaLine).join('');
  const describeScram = components.every((c) => c.entityType === 'user') && selection.user !== null;
  if (describeScram) {
    const users = selection.user === undefined ? undefined : [selection.user];
    for (const u of await admin.describeUserScramCredentials(users)) {
      if (u.error !== undefined) {
        if (selection.user === undefined || u.error.errorName !== 'RESOURCE_NOT_FOUND')
          out += `Error retrieving SCRAM credential configs for user-principal '${u.user}': ${u.error.message}\n`;
        continue;
      }
      const text = u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ');
      out += `SCRAM credential configs for user-principal '${u.user}' are ${text}\n`;
    }
  }
  process.stdout.write(out);
}

export async function alterClientConfigs(
  admin: Admin,
  selection: ClientEntitySelection,
  add: Readonly<Record<string, string>>,
  remove: readonly string[],
): Promise<void> {
  if (selection.all.length > 0) {
    throw new UsageError('--alter needs the entity: --entity-name (or --user / --client) or --entity-default.');
  }
  const change = clientConfigChange(selection, add, remove);
  if (change.scram.length > 0) {
    await admin.alterUserScramCredentials(change.scram);
  } else {
    const removed = Object.entries(change.quotas).filter(([, v]) => v === null);
    if (removed.length > 0) {
      const [current] = await admin.describeClientQuotas({
        components: Object.entries(quotaEntity(selection)).map(([entityType, match]) => ({
          entityType: entityType as 'user' | 'client-id',
          match,
        })),
        strict: true,
      });
      const missing = removed.map(([k]) => k).filter((k) => current?.values[k] === undefined);
      if (missing.length > 0) throw new CommandError(`Invalid config(s): ${missing.join(',')}`);
    }
    await admin.alterClientQuotas([{ entity: quotaEntity(selection), ops: change.quotas }]);
  }
  const [type, name] = selection.user !== undefined ? ['user', selection.user] : ['client', selection.client!];
  process.stdout.write(
    name === null
      ? `Completed updating default config for ${type}s in the cluster.\n`
      : `Completed updating config for ${type} ${name}.\n`,
  );
}
