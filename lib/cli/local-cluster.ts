/**
 * A local cluster on loopback: ZooKeeper (one server, or an ensemble: LocalZooKeeper) and N broker processes
 * (`bin/mq-broker`), each with its own config file and log dir under one data directory. Used by
 * `mq-cluster up|down` and by the integration specs' harness, so that both run the same code.
 *
 * Every broker has two listeners unless told otherwise: PLAINTEXT (the msgpack protocol, for the mq client and
 * between brokers) and KAFKA (Apache Kafka's binary protocol, `listener.wire.protocol.map=KAFKA:KAFKA`), so that
 * kcat and other Kafka clients work against a fresh local cluster. With `secure`, both are SASL_SSL instead, ACLs
 * are on with one super user, and the znodes are written with ZooKeeper ACLs (zookeeper.set.acl) under a digest
 * identity from `<dir>/jaas.conf` (cluster-security.ts); `adminProperties` are the super user's client configs.
 *
 * Layout of `dir`: `zookeeper/` or `zookeeper-<i>/` (ZooKeeper data, zoo.cfg, pid, logs),
 * `broker-<id>/server.properties`, `broker-<id>/logs/` (log.dirs; `logs-1/`..`logs-N/` with several log dirs per
 * broker), `broker-<id>/broker.log` (its stdout/stderr), `cluster.json` (pids, addresses, the simulated network and
 * the mounts, for `down`, for `mq-cluster fault` and for a detached cluster); secured: `tls/` (CA and broker
 * certificate), `admin.properties` (the super user's client configs), `jaas.conf` (the brokers' ZooKeeper identity).
 *
 * Hosts: on loopback by default, every process on `host` with ports of its own. With `netns`, each ZooKeeper node
 * and each broker runs on a simulated host of its own (lib/cli/faults/host-network.ts: a network namespace with its
 * own address on a private bridge): ZooKeeper member i `zk<i>` at `.<10+i>`, broker i `b<i>` at `.<20+i>`, each on
 * the standard ports of its own address (2181; 9092 and 9192 for Kafka clients), and the machine's processes reach
 * them all as clients. With `logDirTmpfsBytes`, every log dir is a tmpfs of that size (a small disk that faults can
 * fill); `stop()` and `down` remove the network and unmount the tmpfs, and nothing else. `secure` and `netns` do not
 * go together (the certificate names 127.0.0.1 only).
 *
 * Readiness: a broker prints the pino line `{"msg":"started",...,"port":N,"listeners":{...}}` once it is registered in
 * ZooKeeper and serving; the launcher waits for that line (so brokers may listen on port 0 and report the bound
 * ports).
 * Ownership: the cluster owns its child processes; `stop()` sends SIGTERM (clean shutdown) and SIGKILL after a
 * grace period. Nothing here imports broker code: brokers are separate processes.
 */
import { CommandError, UsageError } from './cli-errors.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from '../common/errors.js';
import { LocalZooKeeper } from './local-zookeeper.js';
import { freePort } from '../network/free-port.js';
import { ClusterFaults, type ClusterLayout } from './faults/cluster-faults.js';
import { HostNetwork, type HostNetworkRecord } from './faults/host-network.js';
import { mountTmpfs, unmount } from './faults/disk-faults.js';
import { processAlive } from './faults/system-command.js';
import {
  ensureCertificates,
  secureBrokerProperties,
  secureClientProperties,
  superUserPassword,
  SUPER_USER,
  writeAdminProperties,
  writeScramCredentials,
  type ClusterTls,
} from './cluster-security.js';
import { randomBytes } from 'node:crypto';

/** The name of the Kafka-protocol listener the local cluster opens on every broker. */
export const KAFKA_LISTENER = 'KAFKA';
const ROOT = checkoutRoot();
const ZK_SCRIPT = join(ROOT, 'zk', 'zk-server.sh');
const BROKER_BIN = join(ROOT, 'bin', 'mq-broker');
/** The compiled tree this module belongs to; brokers run from the same one (bin/mq-broker reads MQ_DIST). */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The checkout root: the nearest ancestor of this file holding zk/zk-server.sh (works from any build dir). */
export function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'zk', 'zk-server.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new CommandError(`zk/zk-server.sh not found above ${fileURLToPath(import.meta.url)}.`);
    dir = parent;
  }
  return dir;
}

export interface LocalClusterOptions {
  /** Data directory; created if missing. */
  dir: string;
  brokers: number;
  /** ZooKeeper client port; 0 picks a free one. Default 2181. */
  zkPort?: number;
  /** Port of broker 1; broker i listens on port + i - 1. 0 lets every broker pick a free port. Default 9092. */
  port?: number;
  /**
   * Port of broker 1's Kafka-protocol listener (KAFKA); broker i listens on kafkaPort + i - 1, 0 lets every broker
   * pick a free one, null opens none. Default `port + 100` (9192), or 0 when `port` is 0.
   */
  kafkaPort?: number | null;
  host?: string;
  /** ZooKeeper chroot for the brokers (e.g. `/mq-spec-1a2b`); default none. */
  chroot?: string;
  /** Extra broker properties, applied to every broker. */
  brokerProps?: Record<string, string | number | boolean>;
  /** Properties of one broker, applied over `brokerProps` (e.g. its own listeners). */
  brokerPropsFor?: (id: number) => Record<string, string | number | boolean>;
  /** Use an already running ZooKeeper at this `host:port` instead of starting one. */
  externalZooKeeper?: string;
  /** ZooKeeper ensemble members to start (an odd number: 3 survives one lost member). Default 1 (standalone). */
  zkEnsemble?: number;
  /** Keep processes running after this process exits (mq-cluster up --detach). */
  detached?: boolean;
  /** TLS + SCRAM + ACLs + ZooKeeper ACLs (mq-cluster up --secure; see the header). */
  secure?: boolean;
  startTimeoutMs?: number;
  /** Each ZooKeeper node and each broker on a simulated host of its own (see the header); needs root. */
  netns?: boolean;
  /** Log dirs per broker (JBOD). Default 1. */
  logDirsPerBroker?: number;
  /** Mount every broker log dir as a tmpfs of this many bytes (a small disk); needs root. */
  logDirTmpfsBytes?: number;
  /** Brokers keep a durability journal (MQ_TEST_DURABILITY_JOURNAL=1) for the power-loss fault. */
  durabilityJournal?: boolean;
}

export interface BrokerProcess {
  id: number;
  /** The address its listeners are on and clients reach it at. */
  host: string;
  port: number;
  /** Port of its Kafka-protocol listener, -1 when it has none. */
  kafkaPort: number;
  /** Port of the Prometheus endpoint when the broker has `metrics.port` set, else -1. */
  metricsPort: number;
  /** Every listener's bound port, by name. */
  listeners: Record<string, number>;
  pid: number;
  dir: string;
  /** Its log.dirs. */
  logDirs: string[];
}

interface ClusterFile {
  /** `dataDir` (one server) is how clusters started before ensembles recorded it. */
  zk: {
    connect: string;
    dataDirs?: string[];
    dataDir?: string;
    external: boolean;
    /** zk-server.sh's start arguments of each member, for `mq-cluster fault zk-start`. */
    startArgs?: string[][];
  };
  brokers: BrokerProcess[];
  /** The simulated hosts (netns), when the cluster runs on them. */
  network?: HostNetworkRecord;
  /** tmpfs mounted for log dirs. */
  mounts?: string[];
}

/** Names and address bytes of the simulated hosts (see the header). */
const zkHost = (i: number) => ({ name: `zk${i}`, octet: 10 + i });
const brokerHost = (id: number) => ({ name: `b${id}`, octet: 20 + id });

export class LocalCluster {
  readonly dir: string;
  private readonly host: string;
  private zkConnectBase = '';
  private zkExternal = false;
  private zooKeeperValue: LocalZooKeeper | undefined;
  private readonly children = new Map<number, ChildProcess>();
  private readonly brokers = new Map<number, BrokerProcess>();
  private networkValue: HostNetwork | undefined;
  private readonly mounts = new Set<string>();
  private tls: ClusterTls | undefined;
  private superUserPassword = '';

  constructor(private readonly opts: LocalClusterOptions) {
    this.dir = resolve(opts.dir);
    this.host = opts.host ?? '127.0.0.1';
  }

  /** `host:port[/chroot]` as brokers and clients should use it. */
  get zookeeperConnect(): string {
    return this.zkConnectBase + (this.opts.chroot ?? '');
  }

  get bootstrapServers(): string {
    return [...this.brokers.values()].map((b) => `${b.host}:${b.port}`).join(',');
  }

  /** The simulated hosts, when the cluster runs on them (`netns`). */
  get network(): HostNetwork | undefined {
    return this.networkValue;
  }

  /** What faults need to know of a cluster on simulated hosts (lib/cli/faults/cluster-faults.ts). */
  layout(): ClusterLayout {
    if (this.networkValue === undefined)
      throw new UsageError('Faults between hosts need a cluster on simulated hosts (netns).');
    return layoutOf(this.networkValue.record, [...this.brokers.values()]);
  }

  /** `host:port,...` of the brokers' Kafka-protocol listeners ('' when they have none), for Kafka clients. */
  get kafkaBootstrapServers(): string {
    return [...this.brokers.values()]
      .filter((b) => b.kafkaPort >= 0)
      .map((b) => `${b.host}:${b.kafkaPort}`)
      .join(',');
  }

  /** The super user's client configs on a secured cluster (security.protocol, SASL and TLS); {} otherwise. */
  get adminProperties(): Record<string, string> {
    return this.tls === undefined ? {} : secureClientProperties(this.tls, SUPER_USER, this.superUserPassword);
  }

  /** Client configs for another user of a secured cluster; {} otherwise. */
  clientProperties(user: string, password: string): Record<string, string> {
    return this.tls === undefined ? {} : secureClientProperties(this.tls, user, password);
  }

  /** The CA certificate clients of a secured cluster trust. */
  get caFile(): string | undefined {
    return this.tls?.caFile;
  }

  /** The super user's password on a secured cluster. */
  get superUser(): { user: string; password: string } | undefined {
    return this.tls === undefined ? undefined : { user: SUPER_USER, password: this.superUserPassword };
  }

  /** `KAFKA_OPTS` naming the secured cluster's JAAS file (its ZooKeeper identity), for tools that write znodes. */
  get kafkaOpts(): string | undefined {
    return this.tls === undefined ? undefined : `-Djava.security.auth.login.config=${join(this.dir, 'jaas.conf')}`;
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers.get(id);
    if (!b)
      throw new UsageError(
        `Broker ${id} is not part of this cluster (brokers: ${[...this.brokers.keys()].join(', ')}).`,
      );
    return b;
  }

  brokerIds(): number[] {
    return [...this.brokers.keys()];
  }

  /** Starts ZooKeeper (unless external) and every broker; resolves once all brokers reported `started`. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (this.opts.netns) {
      if (this.opts.externalZooKeeper)
        throw new UsageError('A cluster on simulated hosts runs its own ZooKeeper; drop the external one.');
      if (this.opts.secure)
        throw new UsageError(
          'A secured cluster cannot run on simulated hosts: its broker certificate names 127.0.0.1 only. ' +
            'Drop --secure or --netns.',
        );
      const zkMembers = this.opts.zkEnsemble ?? 1;
      this.networkValue = HostNetwork.create({
        hosts: [
          ...Array.from({ length: zkMembers }, (_, i) => zkHost(i + 1)),
          ...Array.from({ length: this.opts.brokers }, (_, i) => brokerHost(i + 1)),
        ],
        detached: this.opts.detached,
      });
      // Recorded before anything runs on it, so that `down` can remove it whatever happens next.
      this.writeClusterFile();
    }
    await this.startZooKeeper();
    if (this.opts.secure) await this.secure();
    const ids = Array.from({ length: this.opts.brokers }, (_, i) => i + 1);
    await Promise.all(ids.map((id) => this.startBroker(id)));
    this.writeClusterFile();
  }

  /**
   * Certificates, the JAAS file with the brokers' ZooKeeper identity, and the super user's SCRAM credentials in
   * ZooKeeper, written before any broker starts (as Kafka's ZooKeeper mode requires for the inter-broker user).
   */
  private async secure(): Promise<void> {
    this.tls = await ensureCertificates(this.dir);
    this.superUserPassword = superUserPassword(this.dir);
    const jaasFile = join(this.dir, 'jaas.conf');
    if (!existsSync(jaasFile)) {
      writeFileSync(
        jaasFile,
        'Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="kafka"\n' +
          `  password="${randomBytes(18).toString('base64url')}";\n};\n`,
        { mode: 0o600 },
      );
    }
    await writeScramCredentials(this.zookeeperConnect, SUPER_USER, this.superUserPassword, {
      KAFKA_OPTS: this.kafkaOpts,
    });
    writeAdminProperties(this.dir, this.tls, this.superUserPassword);
  }

  private async startZooKeeper(): Promise<void> {
    if (this.opts.externalZooKeeper) {
      this.zkConnectBase = this.opts.externalZooKeeper;
      this.zkExternal = true;
      return;
    }
    const network = this.networkValue;
    const size = this.opts.zkEnsemble ?? 1;
    const zooKeeper = new LocalZooKeeper({
      dir: this.dir,
      host: this.host,
      size,
      clientPort: this.opts.zkPort ?? 2181,
      script: ZK_SCRIPT,
      freePort,
      ...(network
        ? {
            hosts: Array.from({ length: size }, (_, i) => ({
              ip: network.host(zkHost(i + 1).name).ip,
              command: (argv: readonly string[]) => network.command(zkHost(i + 1).name, argv),
            })),
          }
        : {}),
    });
    this.zooKeeperValue = zooKeeper;
    await zooKeeper.start();
    this.zkConnectBase = zooKeeper.connect;
  }

  /** The ZooKeeper this cluster started (undefined with an external one). */
  get zooKeeper(): LocalZooKeeper | undefined {
    return this.zooKeeperValue;
  }

  /** Starts (or restarts) broker `id` with its existing data; resolves when it reports `started`. */
  async startBroker(id: number): Promise<BrokerProcess> {
    const dir = join(this.dir, `broker-${id}`);
    const logDirs = this.prepareLogDirs(dir);
    const network = this.networkValue;
    const host = network ? network.host(brokerHost(id).name).ip : this.host;
    const previous = this.brokers.get(id);
    let port: number;
    let kafkaPort: number;
    if (network) {
      // Every broker has an address of its own: the same ports on each.
      port = this.opts.port || 9092;
      kafkaPort = this.opts.kafkaPort === null ? -1 : this.opts.kafkaPort || port + 100;
    } else {
      const basePort = this.opts.port ?? 9092;
      // A restarted broker keeps its port so that clients' bootstrap lists stay valid.
      port = previous?.port ?? (basePort === 0 ? 0 : basePort + id - 1);
      const kafkaBase = this.opts.kafkaPort === undefined ? (basePort === 0 ? 0 : basePort + 100) : this.opts.kafkaPort;
      kafkaPort = previous?.kafkaPort ?? (kafkaBase === null ? -1 : kafkaBase === 0 ? 0 : kafkaBase + id - 1);
    }
    const listeners: Record<string, string> =
      this.tls !== undefined
        ? {
            ...secureBrokerProperties(host, port, kafkaPort, KAFKA_LISTENER, this.tls, this.superUserPassword),
            'zookeeper.set.acl': 'true',
          }
        : kafkaPort < 0
          ? { listeners: `PLAINTEXT://${host}:${port}` }
          : {
              listeners: `PLAINTEXT://${host}:${port},${KAFKA_LISTENER}://${host}:${kafkaPort}`,
              'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,${KAFKA_LISTENER}:PLAINTEXT`,
              'listener.wire.protocol.map': `${KAFKA_LISTENER}:KAFKA`,
            };
    const props: Record<string, string | number | boolean> = {
      'broker.id': id,
      ...listeners,
      'log.dirs': logDirs.join(','),
      'zookeeper.connect': this.zookeeperConnect,
      // As Kafka's sample configs for small clusters: the transaction log fits the cluster's size.
      'transaction.state.log.replication.factor': Math.min(3, this.opts.brokers),
      'transaction.state.log.min.isr': Math.min(2, this.opts.brokers),
      ...this.opts.brokerProps,
      ...this.opts.brokerPropsFor?.(id),
    };
    const configFile = join(dir, 'server.properties');
    writeFileSync(
      configFile,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    const logFile = join(dir, 'broker.log');
    const startOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    // The broker writes straight into its log file, so it never depends on this process staying alive.
    const fd = openSync(logFile, 'a');
    const argv = [process.execPath, BROKER_BIN, '--config', configFile];
    const [cmd, args] = network ? network.command(brokerHost(id).name, argv) : [argv[0]!, argv.slice(1)];
    const child = spawn(cmd, args, {
      cwd: ROOT,
      detached: this.opts.detached ?? false,
      stdio: ['ignore', fd, fd],
      env: {
        ...process.env,
        MQ_DIST: DIST,
        ...(this.kafkaOpts === undefined ? {} : { KAFKA_OPTS: this.kafkaOpts }),
        ...(this.opts.durabilityJournal ? { MQ_TEST_DURABILITY_JOURNAL: '1' } : {}),
      },
    });
    closeSync(fd);
    this.children.set(id, child);
    if (this.opts.detached) child.unref();
    const bound = await waitForStarted(child, logFile, startOffset, this.opts.startTimeoutMs ?? 30000, id);
    const info: BrokerProcess = {
      id,
      host,
      port: bound.port,
      kafkaPort: bound.listeners[KAFKA_LISTENER] ?? -1,
      metricsPort: bound.metricsPort,
      listeners: bound.listeners,
      pid: child.pid!,
      dir,
      logDirs,
    };
    this.brokers.set(id, info);
    return info;
  }

  /** Creates (and mounts, with `logDirTmpfsBytes`) the log dirs of a broker; returns them. */
  private prepareLogDirs(brokerDir: string): string[] {
    const count = this.opts.logDirsPerBroker ?? 1;
    const dirs =
      count === 1
        ? [join(brokerDir, 'logs')]
        : Array.from({ length: count }, (_, i) => join(brokerDir, `logs-${i + 1}`));
    for (const d of dirs) {
      mkdirSync(d, { recursive: true });
      if (this.opts.logDirTmpfsBytes !== undefined && !this.mounts.has(d)) {
        mountTmpfs(d, this.opts.logDirTmpfsBytes);
        this.mounts.add(d);
      }
    }
    return dirs;
  }

  /** Sends `signal` to broker `id` and waits for it to exit (SIGSTOP/SIGCONT return at once). */
  async signalBroker(id: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(id);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      child.kill(signal);
      return;
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  killBroker(id: number): Promise<void> {
    return this.signalBroker(id, 'SIGKILL');
  }

  /**
   * Clean shutdown of one broker (SIGTERM), SIGKILL after `graceMs`. Resolves true when the broker exited on its
   * own within the grace period (a clean shutdown), false when it had to be killed or was not running.
   */
  async stopBroker(id: number, graceMs = 20000): Promise<boolean> {
    const child = this.children.get(id);
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    return !killed && child.exitCode === 0;
  }

  async restartBroker(id: number): Promise<BrokerProcess> {
    await this.stopBroker(id);
    return this.startBroker(id);
  }

  /** Stops every broker cleanly, then ZooKeeper; then removes the simulated hosts and unmounts the tmpfs. */
  async stop(): Promise<void> {
    try {
      await Promise.all([...this.children.keys()].map((id) => this.stopBroker(id)));
      await this.zooKeeperValue?.stop();
    } finally {
      releaseHostResources([...this.mounts], this.networkValue);
      this.mounts.clear();
    }
  }

  private writeClusterFile(): void {
    const file: ClusterFile = {
      zk: {
        connect: this.zookeeperConnect,
        dataDirs: this.zooKeeperValue?.nodes.map((n) => n.dataDir) ?? [],
        external: this.zkExternal,
        startArgs: this.zooKeeperValue?.nodes.map((n) => n.startArgs) ?? [],
      },
      brokers: [...this.brokers.values()],
      ...(this.networkValue ? { network: this.networkValue.record } : {}),
      ...(this.mounts.size > 0 ? { mounts: [...this.mounts] } : {}),
    };
    writeFileSync(join(this.dir, 'cluster.json'), JSON.stringify(file, null, 2) + '\n');
  }

  /** Stops a cluster started with `detached` from its `cluster.json`; returns what it stopped. */
  static async down(dir: string, graceMs = 20000): Promise<string[]> {
    const file = readClusterFile(dir);
    const stopped: string[] = [];
    await Promise.all(
      file.brokers.map(async (b) => {
        if (!processAlive(b.pid)) return;
        process.kill(b.pid, 'SIGTERM');
        const deadline = Date.now() + graceMs;
        while (processAlive(b.pid) && Date.now() < deadline) await sleep(100);
        if (processAlive(b.pid)) {
          process.kill(b.pid, 'SIGKILL');
          // A killed process still exists until the kernel has torn it down: report it stopped only once gone.
          const killDeadline = Date.now() + 5000;
          while (processAlive(b.pid) && Date.now() < killDeadline) await sleep(50);
        }
        stopped.push(`broker ${b.id} (pid ${b.pid})`);
      }),
    );
    if (!file.zk.external) {
      const dataDirs = file.zk.dataDirs ?? (file.zk.dataDir === undefined ? [] : [file.zk.dataDir]);
      await Promise.all(dataDirs.map((d) => LocalZooKeeper.stopDataDir(ZK_SCRIPT, d)));
      stopped.push(dataDirs.length > 1 ? `zookeeper (${dataDirs.length} members)` : 'zookeeper');
    }
    releaseHostResources(file.mounts ?? [], file.network && HostNetwork.fromRecord(file.network));
    if (file.network) stopped.push(`simulated hosts ${file.network.subnet}`);
    return stopped;
  }
}

/** The faults of a running cluster on simulated hosts in `dir`, from its cluster.json (`mq-cluster fault`). */
export function recordedClusterFaults(dir: string): ClusterFaults {
  const file = readClusterFile(dir);
  if (file.network === undefined)
    throw new UsageError(
      `The cluster in ${resolve(dir)} runs on loopback; faults between hosts need one started with mq-cluster up --netns.`,
    );
  return new ClusterFaults(layoutOf(file.network, file.brokers), { removeOnExit: false });
}

/**
 * Stops (SIGTERM) or starts again, with its data, ZooKeeper member `member` (1-based) of the cluster in `dir`
 * (`mq-cluster fault zk-stop|zk-start`).
 */
export async function toggleRecordedZooKeeperMember(
  dir: string,
  member: number,
  action: 'stop' | 'start',
): Promise<void> {
  const file = readClusterFile(dir);
  const dataDir = file.zk.dataDirs?.[member - 1];
  const startArgs = file.zk.startArgs?.[member - 1];
  if (file.zk.external || dataDir === undefined || startArgs === undefined)
    throw new UsageError(
      `No ZooKeeper member ${member} started by mq-cluster in ${resolve(dir)} (members: 1..${file.zk.dataDirs?.length ?? 0}).`,
    );
  if (action === 'stop') return LocalZooKeeper.stopDataDir(ZK_SCRIPT, dataDir);
  const network = file.network && HostNetwork.fromRecord(file.network);
  const host = zkHost(member).name;
  await LocalZooKeeper.startWith(
    ZK_SCRIPT,
    startArgs,
    network && { command: (argv: readonly string[]) => network.command(host, argv) },
  );
}

function readClusterFile(dir: string): ClusterFile {
  const path = join(resolve(dir), 'cluster.json');
  if (!existsSync(path))
    throw new UsageError(`No cluster.json in ${resolve(dir)}: no cluster was started there with mq-cluster up.`);
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterFile;
}

/**
 * Tails `logFile` from `offset` until the broker's `{"msg":"started","port":N}` line appears; rejects with the
 * log's last lines if the process exits first or the time runs out.
 */
async function waitForStarted(
  child: ChildProcess,
  logFile: string,
  offset: number,
  timeoutMs: number,
  id: number,
): Promise<{ port: number; metricsPort: number; listeners: Record<string, number> }> {
  const deadline = Date.now() + timeoutMs;
  let pos = offset;
  let partial = '';
  const tail = () => readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  for (;;) {
    const size = statSync(logFile).size;
    if (size > pos) {
      const buf = Buffer.alloc(size - pos);
      const fd = openSync(logFile, 'r');
      try {
        readSync(fd, buf, 0, buf.length, pos);
      } finally {
        closeSync(fd);
      }
      pos = size;
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"started"')) continue;
        try {
          const parsed = JSON.parse(line) as {
            msg?: string;
            port?: number;
            metricsPort?: number;
            listeners?: Record<string, number>;
          };
          if (parsed.msg === 'started' && typeof parsed.port === 'number')
            return { port: parsed.port, metricsPort: parsed.metricsPort ?? -1, listeners: parsed.listeners ?? {} };
        } catch {
          // not a JSON log line
        }
      }
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new CommandError(
        `Broker ${id} exited during start (code ${child.exitCode}, signal ${child.signalCode}). Last lines of ${logFile}:\n${tail()}`,
      );
    }
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `Broker ${id} did not report started within ${timeoutMs} ms. Last lines of ${logFile}:\n${tail()}`,
      );
    }
    await sleep(50);
  }
}

/** The layout of a cluster on simulated hosts, from its network and its brokers (live, or from cluster.json). */
export function layoutOf(network: HostNetworkRecord, brokers: readonly BrokerProcess[]): ClusterLayout {
  return {
    network,
    brokers: brokers.map((b) => ({ id: b.id, host: brokerHost(b.id).name, pid: b.pid, logDirs: b.logDirs })),
    zookeeperHosts: network.hosts.filter((h) => h.name.startsWith('zk')).map((h) => h.name),
  };
}

/** Unmounts the log dirs' tmpfs and removes the simulated hosts, once their processes are gone. */
function releaseHostResources(mounts: readonly string[], network: HostNetwork | undefined): void {
  for (const m of mounts) unmount(m);
  network?.destroy();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
