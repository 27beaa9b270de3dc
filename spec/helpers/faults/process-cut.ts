/**
 * Cuts one local process off from one TCP port (a broker from ZooKeeper) while every other process keeps talking to
 * that port and the cut process keeps talking to everyone else:
 *
 * - its connections to the port open at the moment of the cut are dropped in both directions, matched by their
 *   source ports (read with `ss`);
 * - connections it opens while cut (a client reconnecting) are dropped as they start, matched by a cgroup v2 that
 *   the process is moved into for the duration. Sockets belong to the cgroup they were created in, which is why the
 *   existing ones need the port rules.
 *
 * `heal()` deletes the rules (its own nftables table, lib/cli/faults/packet-filter.ts), moves the process back to its cgroup
 * and removes the cgroup; anything still in place when the process exits is undone by an exit hook. Blocked TCP
 * connections are not reset: the peers' retransmissions get through after the heal, as after a real network cut.
 * Needs root, nftables, `ss` (iproute2) and a cgroup v2 hierarchy mounted under /sys/fs/cgroup (unified or hybrid).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hostNft, PacketFilterTable } from '../../../lib/cli/faults/packet-filter.js';

/** nft resolves `socket cgroupv2` paths below this directory. */
const NFT_CGROUP_BASE = '/sys/fs/cgroup';

export interface ProcessCut {
  readonly pid: number;
  readonly port: number;
  /** Source ports of the connections that were open when the cut began. */
  readonly cutConnections: readonly number[];
  /** Lets the packets through again and undoes everything the cut set up. Idempotent. */
  heal(): void;
}

export function cutProcessFromPort(pid: number, port: number): ProcessCut {
  const cgroup = new TemporaryCgroup(pid);
  let table: PacketFilterTable | undefined;
  try {
    cgroup.enter();
    const sourcePorts = connectionsTo(pid, port);
    table = new PacketFilterTable(
      `cut_${process.pid}_${++tableCounter}`,
      hostNft,
      {
        output: [
          `socket cgroupv2 level 1 "${cgroup.nftPath}" tcp dport ${port} drop`,
          ...sourcePorts.map((p) => `tcp sport ${p} tcp dport ${port} drop`),
        ],
        input: sourcePorts.map((p) => `tcp sport ${port} tcp dport ${p} drop`),
      },
      { removeOnExit: true },
    );
    const rules = table;
    let healed = false;
    return {
      pid,
      port,
      cutConnections: sourcePorts,
      heal: () => {
        if (healed) return;
        healed = true;
        try {
          rules.delete();
        } finally {
          cgroup.leave();
        }
      },
    };
  } catch (e) {
    table?.delete();
    cgroup.leave();
    throw e;
  }
}

/** Local ports of `pid`'s TCP connections (any state) to `port`. */
function connectionsTo(pid: number, port: number): number[] {
  const out = execFileSync('ss', ['-Htanp', 'dport', '=', `:${port}`], { encoding: 'utf8' });
  const ports: number[] = [];
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const local = line.trim().split(/\s+/)[3] ?? '';
    const localPort = Number(local.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(localPort) && localPort > 0) ports.push(localPort);
  }
  return ports;
}

let counter = 0;
let tableCounter = 0;
const entered = new Set<TemporaryCgroup>();
let exitHookInstalled = false;

/** A cgroup v2 directly below the hierarchy's root that holds one process for a while. */
class TemporaryCgroup {
  readonly dir: string;
  /** The path `nft ... socket cgroupv2 level 1` expects. */
  readonly nftPath: string;
  private readonly root: string;
  private original: string | undefined;

  constructor(private readonly pid: number) {
    this.root = cgroup2Root();
    const name = `mq_fault_${process.pid}_${++counter}`;
    this.dir = join(this.root, name);
    this.nftPath = relative(NFT_CGROUP_BASE, this.dir);
  }

  enter(): void {
    const line = readFileSync(`/proc/${this.pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (line === undefined) throw new Error(`Process ${this.pid} is in no cgroup v2.`);
    this.original = line.slice(3);
    mkdirSync(this.dir);
    entered.add(this);
    installExitHook();
    writeFileSync(join(this.dir, 'cgroup.procs'), String(this.pid));
  }

  /** Moves the process back (if it still runs) and removes the cgroup. Idempotent. */
  leave(): void {
    if (!entered.delete(this)) return;
    if (this.original !== undefined && existsSync(`/proc/${this.pid}`)) {
      try {
        writeFileSync(join(this.root, this.original, 'cgroup.procs'), String(this.pid));
      } catch (e) {
        if (existsSync(`/proc/${this.pid}`)) throw e;
      }
    }
    rmdirSync(this.dir);
  }
}

function cgroup2Root(): string {
  const mount = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[2] === 'cgroup2')?.[1];
  if (mount === undefined || !(mount === NFT_CGROUP_BASE || mount.startsWith(`${NFT_CGROUP_BASE}/`))) {
    throw new Error(
      `A process cut needs a cgroup v2 hierarchy mounted under ${NFT_CGROUP_BASE} (found: ${mount ?? 'none'}).`,
    );
  }
  return mount;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const cgroup of [...entered]) {
      try {
        cgroup.leave();
      } catch {
        // best effort at exit
      }
    }
  });
}
