/**
 * Simulated hosts on one machine (`mq-cluster up --netns`, the fault specs): one Linux network namespace per host,
 * each with its own address on a private bridge that this module creates, so that brokers and ZooKeeper nodes talk
 * over real (virtual) links that a fault can cut one at a time, and clients on the machine reach every address.
 *
 * Layout, for a network tagged `<tag>` (4 random hex digits, checked unused): bridge `mq<tag>br` holding the first
 * address of a private /24 (`10.X.Y.1`, X in 200-254, chosen so that no address or route of the machine overlaps
 * it); per host `<name>` a namespace `mq<tag>-<name>` whose `eth0` (one end of a veth pair; the other end,
 * `mq<tag><name>`, is on the bridge) has `10.X.Y.<octet>`, plus its own loopback. The machine's own processes are
 * the "clients": they reach every host through the bridge, and the hosts reach them at the bridge address.
 * Processes run in a host with `command(name, argv)` (nsenter: only the network namespace changes, so files and
 * mounts stay shared).
 *
 * Ownership and cleanup: only what this module created is ever touched. `destroy()` deletes the namespaces (their
 * links go with them) and the bridge; it is idempotent and goes on past errors. Each network is also recorded in
 * `/run/mq-hosts/<tag>.json` with its owner's pid: a network created for a process (`ownedBy: 'process'`, the
 * specs) is destroyed by an exit hook when that process exits, and `sweepOrphans()` destroys the ones whose process
 * died without running it (SIGKILL); a detached one (`mq-cluster up --detach`) lives until `mq-cluster down`.
 * Needs root and iproute2 (nsenter from util-linux).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, UsageError } from '../cli-errors.js';
import { processAlive, requireRoot, run, tryRun, undoOnExit } from './system-command.js';

const RECORD_DIR = '/run/mq-hosts';
const NETNS_DIR = '/run/netns';
const HOST_NAME = /^[a-z][a-z0-9]{0,6}$/;

export interface SimulatedHost {
  /** The host's name in its network (`zk1`, `b2`). */
  readonly name: string;
  readonly netns: string;
  /** The machine's end of the host's link, on the bridge. */
  readonly link: string;
  readonly ip: string;
}

/** What a network is made of, as recorded (cluster.json, /run/mq-hosts) for `down`, faults and the sweep. */
export interface HostNetworkRecord {
  readonly tag: string;
  readonly bridge: string;
  /** `10.X.Y.0/24` */
  readonly subnet: string;
  /** The bridge's address: where the machine's own processes (clients) come from. */
  readonly clientIp: string;
  readonly hosts: readonly SimulatedHost[];
  /** 'process': destroyed when `pid` exits; 'detached': until destroyed explicitly. */
  readonly ownedBy: 'process' | 'detached';
  readonly pid: number;
}

export interface HostNetworkOptions {
  /** Each host's name (lowercase letters and digits, up to 7) and the last byte of its address (2-254). */
  hosts: readonly { name: string; octet: number }[];
  /** Whether the network outlives this process (see the header). @default false */
  detached?: boolean;
}

export class HostNetwork {
  private destroyed = false;
  /** Unregisters the exit hook's destroy (a network owned by this process). */
  private forgetOnExit: (() => void) | undefined;

  private constructor(readonly record: HostNetworkRecord) {}

  /** Creates the bridge and every host; on failure, removes what was created and throws. */
  static create(opts: HostNetworkOptions): HostNetwork {
    requireRoot('Simulated hosts');
    validateHosts(opts.hosts);
    HostNetwork.sweepOrphans();
    const tag = unusedTag();
    const prefix = freeSubnetPrefix();
    const record: HostNetworkRecord = {
      tag,
      bridge: `mq${tag}br`,
      subnet: `${prefix}.0/24`,
      clientIp: `${prefix}.1`,
      hosts: opts.hosts.map(({ name, octet }) => ({
        name,
        netns: `mq${tag}-${name}`,
        link: `mq${tag}${name}`,
        ip: `${prefix}.${octet}`,
      })),
      ownedBy: opts.detached ? 'detached' : 'process',
      pid: process.pid,
    };
    const network = new HostNetwork(record);
    network.save();
    if (!opts.detached) network.forgetOnExit = undoOnExit(() => network.destroy());
    try {
      run('ip', ['link', 'add', 'name', record.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
      run('ip', ['addr', 'add', `${record.clientIp}/24`, 'dev', record.bridge]);
      run('ip', ['link', 'set', record.bridge, 'up']);
      for (const h of record.hosts) {
        run('ip', ['netns', 'add', h.netns]);
        run('ip', ['link', 'add', h.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns]);
        run('ip', ['link', 'set', h.link, 'master', record.bridge, 'up']);
        run('ip', ['-n', h.netns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
        run('ip', ['-n', h.netns, 'link', 'set', 'eth0', 'up']);
        run('ip', ['-n', h.netns, 'link', 'set', 'lo', 'up']);
      }
    } catch (e) {
      network.destroy();
      throw e;
    }
    return network;
  }

  /** A network created earlier (its record from cluster.json), to fault or destroy it. */
  static fromRecord(record: HostNetworkRecord): HostNetwork {
    return new HostNetwork(record);
  }

  /** Destroys networks left by processes that died without cleaning up (their owner pid is gone). */
  static sweepOrphans(): string[] {
    if (!existsSync(RECORD_DIR)) return [];
    const swept: string[] = [];
    for (const file of readdirSync(RECORD_DIR).filter((f) => f.endsWith('.json'))) {
      let record: HostNetworkRecord;
      try {
        record = JSON.parse(readFileSync(join(RECORD_DIR, file), 'utf8')) as HostNetworkRecord;
      } catch {
        continue;
      }
      if (record.ownedBy !== 'process' || record.pid === process.pid || processAlive(record.pid)) continue;
      new HostNetwork(record).destroy();
      swept.push(record.tag);
    }
    return swept;
  }

  get hosts(): readonly SimulatedHost[] {
    return this.record.hosts;
  }

  host(name: string): SimulatedHost {
    const h = this.record.hosts.find((x) => x.name === name);
    if (h === undefined)
      throw new UsageError(`No host ${name} in network ${this.record.tag} (hosts: ${this.hostNames().join(', ')}).`);
    return h;
  }

  hostNames(): string[] {
    return this.record.hosts.map((h) => h.name);
  }

  /** `[command, args]` that runs `argv` inside host `name` (its network namespace only). */
  command(name: string, argv: readonly string[]): [string, string[]] {
    return ['nsenter', [`--net=${join(NETNS_DIR, this.host(name).netns)}`, '--', ...argv]];
  }

  /** Runs a tool inside host `name` and returns its stdout (see system-command.ts). */
  runIn(name: string, tool: string, args: readonly string[], input?: string): string {
    const [cmd, cmdArgs] = this.command(name, [tool, ...args]);
    return run(cmd, cmdArgs, input);
  }

  /**
   * Deletes every namespace and the bridge (see the header), then the record. Processes still running inside a
   * namespace keep it alive, unreachable, until they exit: stop them first.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.forgetOnExit?.();
    const errors: Error[] = [];
    for (const h of this.record.hosts) {
      if (existsSync(join(NETNS_DIR, h.netns))) pushError(errors, tryRun('ip', ['netns', 'del', h.netns]));
    }
    if (linkExists(this.record.bridge)) pushError(errors, tryRun('ip', ['link', 'del', this.record.bridge]));
    rmSync(join(RECORD_DIR, `${this.record.tag}.json`), { force: true });
    if (errors.length > 0)
      throw new CommandError(`Removing network ${this.record.tag}: ${errors.map((e) => e.message).join('; ')}`);
  }

  private save(): void {
    mkdirSync(RECORD_DIR, { recursive: true });
    writeFileSync(join(RECORD_DIR, `${this.record.tag}.json`), JSON.stringify(this.record, null, 2) + '\n');
  }
}

function validateHosts(hosts: HostNetworkOptions['hosts']): void {
  const names = new Set<string>();
  const octets = new Set<number>();
  for (const { name, octet } of hosts) {
    if (!HOST_NAME.test(name))
      throw new UsageError(`Host name '${name}' must be 1-7 lowercase letters and digits, starting with a letter.`);
    if (!Number.isInteger(octet) || octet < 2 || octet > 254)
      throw new UsageError(`Host ${name}: the last byte of its address must be 2-254, not ${octet}.`);
    if (names.has(name) || octets.has(octet)) throw new UsageError(`Host ${name} or address .${octet} given twice.`);
    names.add(name);
    octets.add(octet);
  }
}

/** A tag no link or namespace of the machine uses yet. */
function unusedTag(): string {
  const links = run('ip', ['-o', 'link', 'show']);
  const namespaces = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR) : [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const tag = randomBytes(2).toString('hex');
    if (!links.includes(`mq${tag}`) && !namespaces.some((n) => n.startsWith(`mq${tag}-`))) return tag;
  }
  throw new CommandError('Could not find an unused network tag in 100 attempts; remove stale mq* links.');
}

/** `10.X.Y` of a /24 that no address or route of the machine overlaps. */
function freeSubnetPrefix(): string {
  const taken = [
    ...run('ip', ['-4', '-o', 'addr', 'show']).matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g),
    ...run('ip', ['-4', 'route', 'show', 'table', 'all']).matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)\/(\d+)/gm),
  ].map((m) => ({ base: ipToInt(m[1]!), bits: Number(m[2]) }));
  for (let attempt = 0; attempt < 200; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 55)}.${Math.floor(Math.random() * 256)}`;
    const base = ipToInt(`${prefix}.0`);
    const overlaps = taken.some(({ base: other, bits }) => {
      const shared = Math.min(bits, 24);
      const mask = shared === 0 ? 0 : (~0 << (32 - shared)) >>> 0;
      return (other & mask) >>> 0 === (base & mask) >>> 0;
    });
    if (!overlaps) return prefix;
  }
  throw new CommandError('Could not find a free private /24 under 10.200.0.0/13 in 200 attempts.');
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, b) => ((n << 8) | Number(b)) >>> 0, 0);
}

function linkExists(name: string): boolean {
  return tryRun('ip', ['link', 'show', name]) === undefined;
}

function pushError(errors: Error[], e: Error | undefined): void {
  if (e !== undefined) errors.push(e);
}
