/**
 * The ZooKeeper of a local cluster (`mq-cluster up`, the integration specs' clusters): one standalone server, or an
 * ensemble of N members (`--zk-ensemble 3`), each started through `zk/zk-server.sh` on loopback with a data dir of
 * its own. An ensemble is the shape of a production ZooKeeper: it serves while a majority of its members is up, so
 * one member can die (SIGKILL) without brokers or clients noticing more than a reconnect.
 *
 * Layout: a standalone server in `<dir>/zookeeper/`; ensemble member i (1..N) in `<dir>/zookeeper-<i>/` (zoo.cfg,
 * myid, pid, logs). Ports: client ports from `clientPort` up (2181, 2182, ...), quorum ports from 2888 and election
 * ports from 3888 (all free ports picked at random when `clientPort` is 0). On simulated hosts (`hosts`, one per
 * member), each member runs on its own host with the standard ports (2181, 2888, 3888) of its own address.
 * Faults: a member can be stopped (SIGTERM, or SIGKILL for a crash) and started again with its data; with a majority
 * stopped the ensemble has no quorum and serves nobody until enough members are back.
 * Readiness: `start()` resolves once every member answers `ruok` and, for an ensemble, one of them reports itself
 * leader (`srvr`: the quorum has formed and serves).
 * Ownership: started and stopped by LocalCluster, which records the data dirs in cluster.json for `mq-cluster down`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommandError } from './cli-errors.js';

const execFileAsync = promisify(execFile);

export interface ZooKeeperNode {
  /** 1..N in an ensemble (its myid); 0 for a standalone server. */
  id: number;
  host: string;
  clientPort: number;
  dataDir: string;
  /** zk-server.sh's arguments that start it (again). */
  startArgs: string[];
}

/** A host a member runs on (a simulated one: lib/cli/faults/host-network.ts). */
export interface ZooKeeperHost {
  ip: string;
  /** `[command, args]` running `argv` on that host. */
  command: (argv: readonly string[]) => [string, string[]];
}

export interface LocalZooKeeperOptions {
  /** Parent directory of the data dirs. */
  dir: string;
  host: string;
  /** Members; 1 runs a standalone server. */
  size: number;
  /** Client port of the first member; 0 picks free ports. */
  clientPort: number;
  /** zk/zk-server.sh */
  script: string;
  /** Picks a free loopback port. */
  freePort: () => Promise<number>;
  /** One host per member (see the header); `host` and `clientPort` are then ignored. */
  hosts?: readonly ZooKeeperHost[];
}

export class LocalZooKeeper {
  private nodesValue: ZooKeeperNode[] = [];

  constructor(private readonly opts: LocalZooKeeperOptions) {}

  get nodes(): readonly ZooKeeperNode[] {
    return this.nodesValue;
  }

  /** `host:port,host:port,...` of every member, for brokers and clients. */
  get connect(): string {
    return this.nodesValue.map((n) => `${n.host}:${n.clientPort}`).join(',');
  }

  async start(): Promise<void> {
    const { size, dir, hosts } = this.opts;
    // On hosts of their own, members share the standard ports; on one host, each takes its own.
    const port = async (base: number, i: number) =>
      hosts !== undefined ? base : this.opts.clientPort === 0 ? this.opts.freePort() : base + i;
    const nodes: Omit<ZooKeeperNode, 'startArgs'>[] = [];
    const members: string[] = [];
    for (let i = 0; i < size; i++) {
      const host = hosts?.[i]?.ip ?? this.opts.host;
      const clientPort = await port(hosts !== undefined ? 2181 : this.opts.clientPort, i);
      nodes.push({
        id: size === 1 ? 0 : i + 1,
        host,
        clientPort,
        dataDir: join(dir, size === 1 ? 'zookeeper' : `zookeeper-${i + 1}`),
      });
      members.push(`${i + 1}=${host}:${await port(2888, i)}:${await port(3888, i)}`);
    }
    this.nodesValue = nodes.map((n) => ({
      ...n,
      startArgs: [
        'start',
        '--port',
        String(n.clientPort),
        '--data-dir',
        n.dataDir,
        '--host',
        n.host,
        ...(size === 1 ? [] : ['--id', String(n.id), '--ensemble', members.join(',')]),
      ],
    }));
    await Promise.all(this.nodesValue.map((n) => this.startMember(n.id)));
    if (size > 1) await this.awaitQuorum();
  }

  /** Starts member `id` (again) with its data; resolves once it answers `ruok` (not necessarily in a quorum). */
  async startMember(id: number): Promise<void> {
    const node = this.node(id);
    await LocalZooKeeper.startWith(this.opts.script, node.startArgs, this.opts.hosts?.[this.nodesValue.indexOf(node)]);
  }

  /** Starts a member from its recorded start arguments, on `host` if given (for `mq-cluster fault zk-start`). */
  static async startWith(
    script: string,
    startArgs: readonly string[],
    host?: Pick<ZooKeeperHost, 'command'>,
  ): Promise<void> {
    const argv = [script, ...startArgs];
    const [cmd, args] = host === undefined ? [argv[0]!, argv.slice(1)] : host.command(argv);
    try {
      await execFileAsync(cmd, args);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new CommandError(`ZooKeeper did not start: ${(err.stderr ?? err.message).trim()}`, { cause: e });
    }
  }

  /** Stops member `id` cleanly (SIGTERM; SIGKILL after 10 s). */
  async stopMember(id: number): Promise<void> {
    await LocalZooKeeper.stopDataDir(this.opts.script, this.node(id).dataDir);
  }

  /** Stops every member that is still running. */
  async stop(): Promise<void> {
    await Promise.all(this.nodesValue.map((n) => LocalZooKeeper.stopDataDir(this.opts.script, n.dataDir)));
  }

  /** SIGKILLs one member (a crash); the ensemble goes on while a majority is up. */
  kill(id: number): void {
    process.kill(Number(readFileSync(join(this.node(id).dataDir, 'zookeeper.pid'), 'utf8').trim()), 'SIGKILL');
  }

  /** A member's role from its `srvr` answer: leader, follower, standalone; null when it does not answer. */
  async mode(id: number): Promise<string | null> {
    const node = this.nodesValue.find((n) => n.id === id);
    if (node === undefined) return null;
    const answer = await fourLetterWord(node.host, node.clientPort, 'srvr').catch(() => '');
    return /^Mode: (\w+)/m.exec(answer)?.[1] ?? null;
  }

  /** Waits until one member says it leads: the quorum has formed (again). */
  async awaitQuorum(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const modes = await Promise.all(this.nodesValue.map((n) => this.mode(n.id)));
      if (modes.includes('leader')) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new CommandError(
      `The ZooKeeper ensemble did not elect a leader within ${timeoutMs} ms; see the zookeeper.log files in ` +
        this.nodesValue.map((n) => n.dataDir).join(', '),
    );
  }

  private node(id: number): ZooKeeperNode {
    const node = this.nodesValue.find((n) => n.id === id);
    if (node === undefined)
      throw new CommandError(`No ZooKeeper member ${id} (members: ${this.nodesValue.map((n) => n.id).join(',')}).`);
    return node;
  }

  /** Stops the server whose data dir is `dataDir` (for `mq-cluster down`). */
  static async stopDataDir(script: string, dataDir: string): Promise<void> {
    await execFileAsync(script, ['stop', '--data-dir', dataDir]);
  }
}

/** Sends a ZooKeeper four-letter command (`ruok`, `srvr`) and resolves with the answer. */
function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port }, () => socket.end(word));
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new CommandError(`No answer to ${word} from ${host}:${port}.`)));
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}
