/**
 * `mq-admin acls`: kafka-acls, with its flags and output, through the brokers (`--bootstrap-server`, CreateAcls /
 * DescribeAcls / DeleteAcls, needing Alter or Describe on the Cluster) or straight to ZooKeeper
 * (`--authorizer-properties zookeeper.connect=host:port[/chroot]`, as Kafka's tool writes /kafka-acl before any
 * principal may; with zookeeper.set.acl the JAAS file in KAFKA_OPTS gives the ZooKeeper identity).
 *
 *   --add | --remove | --list
 *   resources: --topic T, --group G, --transactional-id X (each repeatable), --cluster;
 *              --resource-pattern-type literal (default) | prefixed (and, to list or remove, any | match)
 *   entries:   --allow-principal User:alice, --deny-principal, --allow-host, --deny-host (default *),
 *              --operation Read (repeatable; default All); or --producer [--idempotent] / --consumer
 *   --principal User:alice (with --list), --force (no confirmation when removing)
 *
 * Output, as Kafka's: `Adding ACLs for resource \`ResourcePattern(resourceType=TOPIC, name=orders,
 * patternType=LITERAL)\`: ` then one `\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)` line per
 * entry; after --add and --remove, and for --list, `Current ACLs for resource \`...\`: ` blocks.
 *
 * Parsing (flags → resource filters and entries) and formatting are pure functions; the action runs them against
 * an `AclService`: the Admin client or the ZooKeeper store.
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import {
  AclOperation,
  AclPermissionType,
  CLUSTER_RESOURCE_NAME,
  formatAccessControlEntry,
  formatResourcePattern,
  parseOperation,
  parsePatternType,
  parsePrincipal,
  patternFilterMatches,
  PatternType,
  ResourceType,
  unsupportedOperationProblem,
  WILDCARD_HOST,
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type ResourcePattern,
  type ResourcePatternFilter,
} from '../../common/acl.js';
import type { Admin } from '../../client/admin/admin.js';
import { ACL_STORES } from '../../zk/acl-znodes.js';
import { AclZkStore, sameEntry } from '../../zk/acl-zk-store.js';
import { listArg, propArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { oneAction, withAdmin, withZooKeeper } from './connection.js';

const ACTIONS = ['add', 'remove', 'list'] as const;

export interface AclsFlags {
  bootstrapServer?: string;
  commandConfig?: string;
  authorizerProperties?: Record<string, string>;
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  topic?: string[];
  group?: string[];
  transactionalId?: string[];
  cluster?: boolean;
  resourcePatternType?: string;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  allowHost?: string[];
  denyHost?: string[];
  operation?: string[];
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
  principal?: string[];
  force?: boolean;
}

/** A resource filter and the entries the command adds or removes there (none: every entry, for --remove). */
export interface FilterAcls {
  readonly filter: ResourcePatternFilter;
  readonly entries: readonly AccessControlEntry[];
}

const CLUSTER_FILTER = (patternType: number): ResourcePatternFilter => ({
  resourceType: ResourceType.CLUSTER,
  name: CLUSTER_RESOURCE_NAME,
  patternType: patternType as ResourcePatternFilter['patternType'],
});

/** The resource filters the flags name (Kafka's getResourceFilter). */
export function resourceFilters(flags: AclsFlags, required: boolean): ResourcePatternFilter[] {
  const patternType = parsePatternType(flags.resourcePatternType ?? 'literal');
  const of = (resourceType: ResourcePatternFilter['resourceType'], names: string[] | undefined) =>
    (names ?? []).map((name) => ({ resourceType, name: name.trim(), patternType }));
  const filters: ResourcePatternFilter[] = [...of(ResourceType.TOPIC, flags.topic)];
  if (patternType === PatternType.LITERAL && (flags.cluster || flags.idempotent))
    filters.push(CLUSTER_FILTER(patternType));
  filters.push(...of(ResourceType.GROUP, flags.group), ...of(ResourceType.TRANSACTIONAL_ID, flags.transactionalId));
  if (filters.length === 0 && required) {
    throw new UsageError('You must provide at least one resource: --topic <topic> or --cluster or --group <group>.');
  }
  return filters;
}

function principals(list: string[] | undefined, flag: string): string[] {
  return (list ?? []).map((p) => {
    const principal = p.trim();
    if (parsePrincipal(principal) === undefined)
      throw new UsageError(`${flag} ${principal}: a principal is principalType:name, e.g. User:alice or User:*.`);
    return principal;
  });
}

/** The entries for `operations` (Kafka's getAcl): every allowed and denied principal × operation × host. */
function entriesFor(flags: AclsFlags, operations: readonly AclOperation[]): AccessControlEntry[] {
  const out: AccessControlEntry[] = [];
  const add = (who: string[], hosts: string[] | undefined, permissionType: AclPermissionType) => {
    const hostList = (hosts ?? [WILDCARD_HOST]).map((h) => h.trim());
    for (const principal of who)
      for (const operation of operations)
        for (const host of hostList) out.push({ principal, host, operation, permissionType });
  };
  add(principals(flags.allowPrincipal, '--allow-principal'), flags.allowHost, AclPermissionType.ALLOW);
  add(principals(flags.denyPrincipal, '--deny-principal'), flags.denyHost, AclPermissionType.DENY);
  return out;
}

/**
 * The filters and entries of --add or --remove (Kafka's getResourceFilterToAcls): from --operation, or the
 * --producer (topics Write, Describe, Create; transactional ids Write, Describe; --idempotent: IdempotentWrite on
 * the Cluster) and --consumer (topics Read, Describe; groups Read) roles. Operations are checked per resource type.
 */
export function filterAcls(flags: AclsFlags): FilterAcls[] {
  const filters = resourceFilters(flags, true);
  const byKey = new Map<string, { filter: ResourcePatternFilter; entries: AccessControlEntry[] }>();
  const put = (filter: ResourcePatternFilter, entries: AccessControlEntry[]) => {
    const key = formatResourcePattern(filter);
    const group = byKey.get(key) ?? { filter, entries: [] };
    for (const e of entries) if (!group.entries.some((x) => sameEntry(x, e))) group.entries.push(e);
    byKey.set(key, group);
  };
  if (flags.producer || flags.consumer) {
    for (const f of filters) {
      if (flags.producer && f.resourceType === ResourceType.TOPIC)
        put(f, entriesFor(flags, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]));
      if (flags.producer && f.resourceType === ResourceType.TRANSACTIONAL_ID)
        put(f, entriesFor(flags, [AclOperation.WRITE, AclOperation.DESCRIBE]));
      if (flags.producer && flags.idempotent && f.resourceType === ResourceType.CLUSTER)
        put(f, entriesFor(flags, [AclOperation.IDEMPOTENT_WRITE]));
      if (flags.consumer && f.resourceType === ResourceType.TOPIC)
        put(f, entriesFor(flags, [AclOperation.READ, AclOperation.DESCRIBE]));
      if (flags.consumer && f.resourceType === ResourceType.GROUP) put(f, entriesFor(flags, [AclOperation.READ]));
    }
  } else {
    const operations = (flags.operation ?? ['All']).map((o) => {
      try {
        return parseOperation(o);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    });
    for (const f of filters) put(f, entriesFor(flags, operations));
  }
  for (const { filter, entries } of byKey.values()) {
    for (const e of entries) {
      const problem = unsupportedOperationProblem(filter.resourceType, e.operation);
      if (problem !== undefined) throw new UsageError(problem);
    }
  }
  return [...byKey.values()];
}

/** `<title> \`<pattern>\`: \n \t<entry>\n\t<entry> \n` as Kafka prints it (println adds the last newline). */
export function aclBlock(
  title: string,
  pattern: ResourcePattern | ResourcePatternFilter,
  entries: readonly AccessControlEntry[],
): string {
  return `${title} \`${formatResourcePattern(pattern)}\`: \n ${entries.map((e) => `\t${formatAccessControlEntry(e)}`).join('\n')} \n\n`;
}

/** Bindings grouped by pattern, in first-seen order. */
export function byPattern(
  bindings: readonly AclBinding[],
): { pattern: ResourcePattern; entries: AccessControlEntry[] }[] {
  const groups = new Map<string, { pattern: ResourcePattern; entries: AccessControlEntry[] }>();
  for (const { pattern, entry } of bindings) {
    const key = formatResourcePattern(pattern);
    const group = groups.get(key) ?? { pattern, entries: [] };
    group.entries.push(entry);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** What the command needs from wherever the ACLs live. */
interface AclService {
  add(bindings: AclBinding[]): Promise<void>;
  remove(filters: AclBindingFilter[]): Promise<void>;
  list(filter: ResourcePatternFilter): Promise<AclBinding[]>;
}

const ANY_ENTRY = { principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY };
const ANY_PATTERN: ResourcePatternFilter = { resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY };

function adminService(admin: Admin): AclService {
  return {
    add: (bindings) => admin.createAcls(bindings),
    remove: async (filters) => {
      await admin.deleteAcls(filters);
    },
    list: (patternFilter) => admin.describeAcls({ patternFilter, entryFilter: ANY_ENTRY }),
  };
}

function zooKeeperService(store: AclZkStore): AclService {
  const all = async (): Promise<AclBinding[]> => {
    const out: AclBinding[] = [];
    for (const s of ACL_STORES) {
      for (const { pattern, acls } of await store.loadStore(s))
        for (const entry of acls.entries) out.push({ pattern, entry });
    }
    return out;
  };
  return {
    add: async (bindings) => {
      await store.createAclPaths();
      for (const { pattern, entries } of byPattern(bindings)) {
        await store.updateAcls(pattern, (current) => [
          ...current,
          ...entries.filter((e) => !current.some((c) => sameEntry(c, e))),
        ]);
      }
    },
    remove: async (filters) => {
      const bindings = await all();
      for (const filter of filters) {
        const matching = bindings.filter((b) => patternFilterMatches(filter.patternFilter, b.pattern));
        for (const { pattern } of byPattern(matching)) {
          await store.updateAcls(pattern, (current) =>
            current.filter(
              (e) =>
                !(
                  (filter.entryFilter.principal === null || filter.entryFilter.principal === e.principal) &&
                  (filter.entryFilter.host === null || filter.entryFilter.host === e.host) &&
                  (filter.entryFilter.operation === AclOperation.ANY || filter.entryFilter.operation === e.operation) &&
                  (filter.entryFilter.permissionType === AclPermissionType.ANY ||
                    filter.entryFilter.permissionType === e.permissionType)
                ),
            ),
          );
        }
      }
    },
    list: async (patternFilter) => (await all()).filter((b) => patternFilterMatches(patternFilter, b.pattern)),
  };
}

export function aclsCommand(): Command {
  const collect = listArg;
  return new Command('acls')
    .description('Add, remove and list ACLs (kafka-acls).')
    .option('--bootstrap-server <host:port>', 'the server(s) to connect to (needs Alter / Describe on the cluster)')
    .option('--command-config <file>', 'a properties file of client configs (e.g. the SASL and TLS settings)')
    .option(
      '--authorizer-properties <key=value>',
      'instead of --bootstrap-server: write ACLs in ZooKeeper directly, e.g. zookeeper.connect=localhost:2181',
      propArg,
    )
    .option('--add', 'add ACLs')
    .option('--remove', 'remove ACLs')
    .option('--list', 'list ACLs of the given resources (all without any)')
    .option('--topic <topic>', 'topic to which ACLs are added or removed; * means every topic', collect)
    .option('--group <group>', 'consumer group to which ACLs are added or removed; * means every group', collect)
    .option('--transactional-id <id>', 'transactional id to which ACLs are added or removed', collect)
    .option('--cluster', 'add or remove cluster ACLs')
    .option(
      '--resource-pattern-type <type>',
      'literal (default) or prefixed; to list or remove also any (every pattern type) or match (every pattern that applies)',
    )
    .option('--allow-principal <principal>', 'principalType:name, e.g. User:alice; User:* is everyone', collect)
    .option('--deny-principal <principal>', 'principal denied access (deny beats allow)', collect)
    .option('--allow-host <host>', 'host the allowed principals may connect from (default *)', collect)
    .option('--deny-host <host>', 'host the denied principals are denied from (default *)', collect)
    .option(
      '--operation <operation>',
      'Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, ' +
        'IdempotentWrite or All (default All; repeatable)',
      collect,
    )
    .option('--producer', 'producer role: Write, Describe, Create on topics (Write, Describe on transactional ids)')
    .option('--consumer', 'consumer role: Read, Describe on topics, Read on groups')
    .option('--idempotent', 'with --producer: IdempotentWrite on the cluster')
    .option('--principal <principal>', 'with --list: only the ACLs of this principal (repeatable)', collect)
    .option('--force', 'remove without asking for confirmation')
    .addHelpText(
      'after',
      `
Examples:
  mq-admin acls --bootstrap-server localhost:9092 --command-config admin.properties --add \\
      --allow-principal User:alice --operation Read --topic orders --group billing
  mq-admin acls --bootstrap-server localhost:9092 --command-config admin.properties --add \\
      --allow-principal User:ingest --producer --topic logs- --resource-pattern-type prefixed
  mq-admin acls --bootstrap-server localhost:9092 --command-config admin.properties --list --topic orders`,
    )
    .action(async (flags: AclsFlags) => {
      const action = oneAction(flags, ACTIONS);
      checkFlags(flags, action);
      const run = (service: AclService) => runAction(service, flags, action);
      if (flags.bootstrapServer !== undefined) {
        await withAdmin({ bootstrapServer: flags.bootstrapServer, commandConfig: flags.commandConfig }, (admin) =>
          run(adminService(admin)),
        );
      } else {
        const connect = flags.authorizerProperties?.['zookeeper.connect'];
        if (connect === undefined)
          throw new UsageError('--authorizer-properties needs zookeeper.connect=host:port[/chroot].');
        await withZooKeeper(connect, (zk) => run(zooKeeperService(new AclZkStore(zk.zk))));
      }
    });
}

function checkFlags(flags: AclsFlags, action: (typeof ACTIONS)[number]): void {
  if ((flags.bootstrapServer === undefined) === (flags.authorizerProperties === undefined))
    throw new UsageError('Give exactly one of --bootstrap-server or --authorizer-properties.');
  if (flags.commandConfig !== undefined && flags.bootstrapServer === undefined)
    throw new UsageError('The --command-config option can only be used with --bootstrap-server option');
  if (action === 'list' && (flags.producer || flags.consumer || flags.allowPrincipal || flags.denyPrincipal))
    throw new UsageError('--list takes resources and --principal, not principals to add or roles.');
  if ((flags.producer || flags.consumer) && (flags.operation || flags.denyPrincipal || flags.denyHost))
    throw new UsageError('--producer and --consumer infer the operations; they take neither --operation nor --deny-*.');
  if (flags.principal !== undefined && action !== 'list')
    throw new UsageError('The --principal option is only available if --list is set');
  if (action === 'add') {
    const patternType = parsePatternType(flags.resourcePatternType ?? 'literal');
    if (patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED)
      throw new UsageError(
        `A '--resource-pattern-type' value of '${flags.resourcePatternType}' is not valid when adding acls.`,
      );
  }
}

async function runAction(service: AclService, flags: AclsFlags, action: (typeof ACTIONS)[number]): Promise<void> {
  if (action === 'add') {
    const groups = filterAcls(flags);
    if (groups.some((g) => g.entries.length === 0))
      throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
    for (const { filter, entries } of groups) {
      const pattern = { ...filter, name: filter.name! } as ResourcePattern;
      process.stdout.write(aclBlock('Adding ACLs for resource', pattern, entries));
      await service.add(entries.map((entry) => ({ pattern, entry })));
    }
  } else if (action === 'remove') {
    for (const { filter, entries } of filterAcls(flags)) {
      const what =
        entries.length === 0
          ? `delete all ACLs for resource filter \`${formatResourcePattern(filter)}\``
          : `remove ACLs: \n ${entries.map((e) => `\t${formatAccessControlEntry(e)}`).join('\n')} \n from resource filter \`${formatResourcePattern(filter)}\``;
      if (!(flags.force || (await confirm(`Are you sure you want to ${what}? (y/n)`)))) continue;
      const entryFilters = entries.length === 0 ? [ANY_ENTRY] : entries;
      await service.remove(entryFilters.map((entryFilter) => ({ patternFilter: filter, entryFilter })));
    }
  }
  await listAcls(service, flags);
}

async function listAcls(service: AclService, flags: AclsFlags): Promise<void> {
  const filters = resourceFilters(flags, false);
  const bindings: AclBinding[] = [];
  for (const filter of filters.length === 0 ? [ANY_PATTERN] : filters) bindings.push(...(await service.list(filter)));
  const groups = byPattern(bindings.filter((b, i) => bindings.findIndex((x) => sameBinding(x, b)) === i));
  let out = '';
  const only = principals(flags.principal, '--principal');
  if (only.length === 0) {
    for (const g of groups) out += aclBlock('Current ACLs for resource', g.pattern, g.entries);
  } else {
    for (const principal of only) {
      out += `ACLs for principal \`${principal}\`\n`;
      for (const g of groups) {
        const mine = g.entries.filter((e) => e.principal === principal);
        if (mine.length > 0) out += aclBlock('Current ACLs for resource', g.pattern, mine);
      }
    }
  }
  process.stdout.write(out);
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return formatResourcePattern(a.pattern) === formatResourcePattern(b.pattern) && sameEntry(a.entry, b.entry);
}

async function confirm(question: string): Promise<boolean> {
  process.stdout.write(`${question}\n`);
  const rl = createInterface({ input: process.stdin });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim().toLowerCase() === 'y';
  } finally {
    rl.close();
  }
}
