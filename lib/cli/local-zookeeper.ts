/**
 * The ZooKeeper of a local cluster (`mq-cluster up`, the integration specs' clusters): one standalone server, or an
 * ensemble of N members (`--zk-ensemble 3`), each started through `zk/zk-server.sh` on loopback with a data dir of
 * its own. An ensemble is the shape of a production ZooKeeper: it serves while a majority of its members is up, so
 * one member can die (SIGKILL) without brokers or clients noticing more than a reconnect.
 *
 * Layout: a standalone server in `<dir>/zookeeper/`; ensemble member i (1..N) in `<dir>/zookeeper-<i>/` (zoo.cfg,
 * myid, pid, logs). Ports: client ports from `clientPort` up (2181, 2182, ...), quorum ports from 2888 and election
 * ports from 3888 (all free ports picked at random when `clientPort` is 0).
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
  clientPort: number;
  dataDir: string;
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
}

export class LocalZooKeeper {
  private nodesValue: ZooKeeperNode[] = [];

  constructor(private readonly opts: LocalZooKeeperOptions) {}

  get nodes(): readonly ZooKeeperNode[] {
    return this.nodesValue;
  }

  /** `host:port,host:port,...` of every member, for brokers and clients. */
  get connect(): string {
    return this.nodesValue.map((n) => `${this.opts.host}:${n.clientPort}`).join(',');
  }

  async start(): Promise<void> {
    const { size, host, dir } = this.opts;
    const port = async (base: number, i: number) => (this.opts.clientPort === 0 ? this.opts.freePort() : base + i);
    const nodes: ZooKeeperNode[] = [];
    const members: string[] = [];
    for (let i = 0; i < size; i++) {
      const clientPort = await port(this.opts.clientPort, i);
      nodes.push({
        id: size === 1 ? 0 : i + 1,
        clientPort,
        dataDir: join(dir, size === 1 ? 'zookeeper' : `zookeeper-${i + 1}`),
      });
      members.push(`${i + 1}=${host}:${await port(2888, i)}:${await port(3888, i)}`);
    }
    this.nodesValue = nodes;
    await Promise.all(
      nodes.map((n) =>
        this.run([
          'start',
          '--port',
          String(n.clientPort),
          '--data-dir',
          n.dataDir,
          '--host',
          host,
          ...(size === 1 ? [] : ['--id', String(n.id), '--ensemble', members.join(',')]),
        ]),
      ),
    );
    if (size > 1) await this.awaitQuorum();
  }

  /** Stops every member that is still running. */
  async stop(): Promise<void> {
    await Promise.all(this.nodesValue.map((n) => LocalZooKeeper.stopDataDir(this.opts.script, n.dataDir)));
  }

  /** SIGKILLs one member (a crash); the ensemble goes on while a majority is up. */
  kill(id: number): void {
    const node = this.nodesValue.find((n) => n.id === id);
    if (node === undefined)
      throw new CommandError(`No ZooKeeper member ${id} (members: ${this.nodesValue.map((n) => n.id).join(',')}).`);
    process.kill(Number(readFileSync(join(node.dataDir, 'zookeeper.pid'), 'utf8').trim()), 'SIGKILL');
  }

  /** A member's role from its `srvr` answer: leader, follower, standalone; null when it does not answer. */
  async mode(id: number): Promise<string | null> {
    const node = this.nodesValue.find((n) => n.id === id);
    if (node === undefined) return null;
    const answer = await fourLetterWord(this.opts.host, node.clientPort, 'srvr').catch(() => '');
    return /^Mode: (\w+)/m.exec(answer)?.[1] ?? null;
  }

  /** Stops the server whose data dir is `dataDir` (for `mq-cluster down`). */
  static async stopDataDir(script: string, dataDir: string): Promise<void> {
    await execFileAsync(script, ['stop', '--data-dir', dataDir]);
  }

  private async run(args: string[]): Promise<void> {
    try {
      await execFileAsync(this.opts.script, args);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new CommandError(`ZooKeeper did not start: ${(err.stderr ?? err.message).trim()}`, { cause: e });
    }
  }

  /** Waits until one member says it leads: the quorum has formed. */
  private async awaitQuorum(timeoutMs = 30_000): Promise<void> {
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
