/**
 * A real ZooKeeper for specs, started through zk/zk-server.sh on a free loopback port with a temporary data dir.
 *
 * - `startZooKeeper()`: a server of one's own (stop it yourself, e.g. `defer(zk, (z) => z.stop())`).
 * - `sharedZooKeeper()`: one server for the whole mocha run, started on first use and stopped by the root
 *   `afterAll` hook (and killed on process exit if the run is interrupted); in a parallel run, the one the main
 *   process started for all workers (shared-zookeeper-fixture.ts). Give every spec its own chroot with
 *   `uniqueChroot(connect)` so specs never see each other's znodes.
 * - `expireSession(client)`: makes the server expire a ZkClient's session now.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkoutRoot } from '../../lib/cli/local-cluster.js';
import { freePort } from '../../lib/network/free-port.js';

/**
 * What expireSession needs of a ZkClient (structural, so that this helper, loaded by the root hooks of every
 * run, does not pull lib/zk into builds that do not use it).
 */
export interface SessionOwner {
  readonly connectString: string;
  readonly sessionId: string;
  readonly sessionCredentials: { sessionId: Buffer; password: Buffer };
  on(event: 'expired' | 'connected', listener: () => void): unknown;
  off(event: 'expired' | 'connected', listener: () => void): unknown;
}

export interface ZooKeeperServer {
  /** `127.0.0.1:<port>`, without chroot. */
  readonly connect: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const SCRIPT = join(checkoutRoot(), 'zk', 'zk-server.sh');
const HOST = '127.0.0.1';

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  const jars = process.env['ZOOKEEPER_JARS'] ?? '/usr/share/java';
  if (!existsSync(join(jars, 'zookeeper.jar'))) {
    throw new Error(
      `ZooKeeper is not installed (${join(jars, 'zookeeper.jar')} is missing). ` +
        'Run scripts/setup.sh (or apt-get install -y zookeeper), or set ZOOKEEPER_JARS to the folder holding its jars.',
    );
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mq-zk-'));
  await runScript(['start', '--port', String(port), '--data-dir', dataDir, '--host', HOST]);
  const pid = Number(readFileSync(join(dataDir, 'zookeeper.pid'), 'utf8').trim());
  const killOnExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    connect: `${HOST}:${port}`,
    port,
    dataDir,
    stop: () => {
      stopped ??= runScript(['stop', '--data-dir', dataDir]).then(() => {
        process.off('exit', killOnExit);
        rmSync(dataDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

let shared: Promise<ZooKeeperServer> | undefined;

/**
 * Set by spec/helpers/shared-zookeeper-fixture.ts in the main mocha process: the `host:port` of one server that
 * every worker of a parallel run shares (each spec still works in a chroot of its own).
 */
export const SHARED_ZOOKEEPER_ENV = 'MQ_SPEC_SHARED_ZOOKEEPER';

/** The run-wide server: the fixture's when a parallel run has one, else started on first call. */
export function sharedZooKeeper(): Promise<ZooKeeperServer> {
  const fromFixture = process.env[SHARED_ZOOKEEPER_ENV];
  if (fromFixture !== undefined && fromFixture !== '') {
    const port = Number(fromFixture.split(':')[1]);
    return Promise.resolve({ connect: fromFixture, port, dataDir: '', stop: () => Promise.resolve() });
  }
  shared ??= startZooKeeper();
  return shared;
}

/** Stops the run-wide server if one was started (root afterAll hook). */
export async function stopSharedZooKeeper(): Promise<void> {
  if (shared === undefined) return;
  const server = shared;
  shared = undefined;
  await (await server).stop();
}

/** `${connect}/mq-spec-<random>`: a chroot of one's own on a shared server. */
export function uniqueChroot(connect: string, name = 'mq-spec'): string {
  return `${connect}/${name}-${randomBytes(6).toString('hex')}`;
}

/**
 * Expires `client`'s session: a second connection attaches to the session with its id and password and closes
 * it. The client's immediate reconnect can win that race and keep the session alive, so this repeats until the
 * client reports 'expired'.
 */
export async function expireSession(client: SessionOwner, attempts = 10): Promise<void> {
  const firstServer = client.connectString.split('/')[0]!.split(',')[0]!;
  const [host, port] = firstServer.split(':') as [string, string];
  for (let i = 0; i < attempts; i++) {
    // Under load the attempt may neither expire the session nor disturb the client's connection; give each
    // attempt a bounded wait and try again rather than waiting forever.
    const outcome = new Promise<'expired' | 'connected' | 'nothing'>((resolveOutcome) => {
      const onExpired = (): void => done('expired');
      const onConnected = (): void => done('connected');
      const timer = setTimeout(() => done('nothing'), 5000);
      const done = (o: 'expired' | 'connected' | 'nothing'): void => {
        clearTimeout(timer);
        client.off('expired', onExpired);
        client.off('connected', onConnected);
        resolveOutcome(o);
      };
      client.on('expired', onExpired);
      client.on('connected', onConnected);
    });
    const { sessionId, password } = client.sessionCredentials;
    await closeSessionFromAnotherConnection(host, Number(port), sessionId, password);
    if ((await outcome) === 'expired') return;
  }
  throw new Error(`Could not expire ZooKeeper session 0x${client.sessionId} in ${attempts} attempts.`);
}

/**
 * Speaks just enough of ZooKeeper's protocol to attach to a session and close it: a ConnectRequest and a
 * closeSession request in one write, so the close is queued before the owner can reconnect.
 */
function closeSessionFromAnotherConnection(
  host: string,
  port: number,
  sessionId: Buffer,
  password: Buffer,
): Promise<void> {
  const connectRequest = Buffer.alloc(4 + 8 + 4 + 8 + 4 + password.length + 1);
  let o = connectRequest.writeInt32BE(0, 0); // protocol version
  o = connectRequest.writeBigInt64BE(0n, o); // last zxid seen
  o = connectRequest.writeInt32BE(6000, o); // session timeout
  o += sessionId.copy(connectRequest, o);
  o = connectRequest.writeInt32BE(password.length, o);
  o += password.copy(connectRequest, o);
  connectRequest.writeUInt8(0, o); // read-only: false
  const closeRequest = Buffer.alloc(8);
  closeRequest.writeInt32BE(1, 0); // xid
  closeRequest.writeInt32BE(-11, 4); // OpCode.closeSession
  const frame = (b: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  return new Promise((resolveClosed, reject) => {
    const socket = netConnect(port, host, () =>
      socket.write(Buffer.concat([frame(connectRequest), frame(closeRequest)])),
    );
    socket.on('data', () => undefined);
    socket.on('error', reject);
    socket.on('close', () => resolveClosed());
  });
}

async function runScript(args: string[]): Promise<void> {
  await new Promise<void>((resolveRun, reject) => {
    // The script backgrounds the server with setsid; stdio must not be inherited or we would wait for it.
    const child = spawn(SCRIPT, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolveRun()
        : reject(new Error(`zk/zk-server.sh ${args.join(' ')} failed (exit ${code}): ${output.trim()}`)),
    );
  });
}
