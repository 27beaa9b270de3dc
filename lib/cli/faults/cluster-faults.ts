/**
 * The faults of a cluster on simulated hosts, by what they do to a broker or a ZooKeeper node — what
 * `mq-cluster fault` and the fault specs inject, over the mechanisms of network-faults.ts, disk-faults.ts and
 * power-loss.ts:
 *
 * | fault | how |
 * | --- | --- |
 * | isolate a broker from its peers, from ZooKeeper, from clients, or from all | packet filter in its namespace |
 * | cut a ZooKeeper member off from every other host | packet filter in its namespace |
 * | a slow, lossy link of a host (delay, jitter, loss) | tc netem on both ends of its link |
 * | fill a broker's log dir | fallocate on its tmpfs, all but `leaveBytes` |
 * | fail a broker's next write or fsync on a partition's segment with EIO or ENOSPC | strace syscall injection |
 * | power loss of a broker | SIGKILL, then every segment cut back to what was flushed (durability journal) |
 *
 * Restarting brokers and ZooKeeper nodes belongs to the cluster's owner (LocalCluster, `mq-cluster`), which started
 * them. A `ClusterFaults` is built from the cluster's layout — live (specs) or read back from cluster.json (the
 * command line) — and touches only that cluster's hosts and files.
 */
import { UsageError } from '../cli-errors.js';
import { emptyDisk, fillDisk, injectIoError, type InjectedCall, type InjectedError } from './disk-faults.js';
import { HostNetwork, type HostNetworkRecord } from './host-network.js';
import { cutOff, degradeLink, healHost, type Fault, type LinkDegradation } from './network-faults.js';
import { discardUnflushed, type DiscardedBytes } from './power-loss.js';
import { processAlive } from './system-command.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterLayout {
  network: HostNetworkRecord;
  brokers: readonly { id: number; host: string; pid: number; logDirs: readonly string[] }[];
  /** Names of the ZooKeeper nodes' hosts. */
  zookeeperHosts: readonly string[];
}

/** What a broker can be cut off from. */
export type Isolation = 'peers' | 'zookeeper' | 'clients' | 'all';

export const ISOLATIONS: readonly Isolation[] = ['peers', 'zookeeper', 'clients', 'all'];

export class ClusterFaults {
  private readonly network: HostNetwork;

  /** `removeOnExit`: faults go away with this process (specs); false for the command line. */
  constructor(
    private readonly layout: ClusterLayout,
    private readonly opts: { removeOnExit: boolean },
  ) {
    this.network = HostNetwork.fromRecord(layout.network);
  }

  /** Cuts broker `id` off from its peers, from ZooKeeper, from clients, or from all of them. */
  isolate(id: number, from: Isolation): Fault {
    const broker = this.broker(id);
    const ips = (hosts: readonly string[]) => hosts.map((h) => this.network.host(h).ip);
    const peers = ips(this.layout.brokers.filter((b) => b.id !== id).map((b) => b.host));
    const zookeeper = ips(this.layout.zookeeperHosts);
    const clients = [this.layout.network.clientIp];
    const addresses = { peers, zookeeper, clients, all: [...peers, ...zookeeper, ...clients] }[from];
    return cutOff(this.network, broker.host, addresses, `from_${from}`, this.opts);
  }

  /** Makes the link of a host (a broker `b<id>` or a ZooKeeper node `zk<n>`) slow and lossy, both ways. */
  degradeLink(host: string, how: LinkDegradation): Fault {
    return degradeLink(this.network, host, how, this.opts);
  }

  /**
   * Cuts ZooKeeper member `member` (1-based) off from every other host and the clients: the rest of the ensemble,
   * when it is a majority, goes on serving, and the sessions of brokers connected to the member move to the others.
   */
  isolateZooKeeper(member: number): Fault {
    const host = this.layout.zookeeperHosts[member - 1];
    if (host === undefined)
      throw new UsageError(
        `No ZooKeeper member ${member} (members: 1..${this.layout.zookeeperHosts.length}) in this cluster.`,
      );
    const others = this.network.hosts.filter((h) => h.name !== host).map((h) => h.ip);
    return cutOff(this.network, host, [...others, this.layout.network.clientIp], 'from_all', this.opts);
  }

  /** Removes every network fault of every host; returns `host: table` for each one removed. */
  healNetwork(): string[] {
    return this.network.hostNames().flatMap((h) => healHost(this.network, h).map((t) => `${h}: ${t}`));
  }

  /** Fills log dir `dirIndex` (0-based) of broker `id` but `leaveBytes`; heal frees the space. */
  fillLogDir(id: number, dirIndex = 0, leaveBytes = 0): Fault {
    const dir = this.logDir(id, dirIndex);
    const bytes = fillDisk(dir, leaveBytes);
    return {
      description: `log dir ${dir} of broker ${id} filled (${bytes} bytes allocated, ${leaveBytes} left)`,
      heal: () => void emptyDisk(dir),
    };
  }

  /** Frees every filled log dir of every broker; returns the dirs freed. */
  emptyLogDirs(): string[] {
    return this.layout.brokers.flatMap((b) => b.logDirs.filter((d) => emptyDisk(d)));
  }

  /**
   * Makes broker `id`'s next `call` (write or fsync) on the active segment of `topic-partition` fail with `error`;
   * resolves once it has (see disk-faults.ts).
   */
  async failNextIo(
    id: number,
    call: InjectedCall,
    error: InjectedError,
    topic: string,
    partition: number,
  ): Promise<void> {
    const broker = this.broker(id);
    const dir = broker.logDirs.map((d) => join(d, `${topic}-${partition}`)).find((d) => existsSync(d));
    if (dir === undefined) throw new UsageError(`Broker ${id} has no replica of ${topic}-${partition}.`);
    const segments = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    if (segments.length === 0) throw new UsageError(`No segment in ${dir}.`);
    await injectIoError({ pid: broker.pid, call, error, file: join(dir, segments[segments.length - 1]!) });
  }

  /**
   * Broker `id`'s machine loses power: SIGKILL, and once the process is gone, every segment loses what was not
   * flushed (power-loss.ts; the broker must run with the durability journal). Returns what was cut.
   */
  async powerLoss(id: number): Promise<DiscardedBytes[]> {
    const broker = this.broker(id);
    try {
      process.kill(broker.pid, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
    const deadline = Date.now() + 10_000;
    while (processAlive(broker.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return discardUnflushed(broker.logDirs);
  }

  private broker(id: number): ClusterLayout['brokers'][number] {
    const b = this.layout.brokers.find((x) => x.id === id);
    if (b === undefined)
      throw new UsageError(
        `No broker ${id} in this cluster (brokers: ${this.layout.brokers.map((x) => x.id).join(',')}).`,
      );
    return b;
  }

  private logDir(id: number, dirIndex: number): string {
    const dirs = this.broker(id).logDirs;
    const dir = dirs[dirIndex];
    if (dir === undefined)
      throw new UsageError(`Broker ${id} has ${dirs.length} log dir(s); there is no #${dirIndex}.`);
    return dir;
  }
}
