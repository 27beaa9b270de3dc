/**
 * docker/ without a Docker engine: the compose file is parsed by Debian's `docker-compose config` (installed by
 * scripts/setup.sh), every MQ_CFG_* variable it sets names a real broker key, and the image's entrypoint runs on the
 * host with MQ_CFG_* variables that take effect (read back through the Admin client and the health endpoint). The
 * Grafana dashboard asks only for metrics the broker serves.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { BROKER_CONFIG } from '../../lib/broker/broker-config.js';
import { Admin } from '../../lib/client/index.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';

const DOCKER = fileURLToPath(new URL('../../../docker/', import.meta.url));
const execFileAsync = promisify(execFile);

/** `MQ_CFG_LOG_RETENTION_HOURS` → `log.retention.hours`, as docker/mq-entrypoint.sh maps it. */
function keyOf(variable: string): string {
  return variable
    .slice('MQ_CFG_'.length)
    .toLowerCase()
    .replaceAll('___', '\u0001')
    .replaceAll('__', '-')
    .replaceAll('_', '.')
    .replaceAll('\u0001', '_');
}

describe('docker/: compose file, image entrypoint and dashboard', function () {
  this.timeout(60_000);

  it('parses with docker-compose config: a ZooKeeper ensemble of three, three brokers, monitoring as a profile', async () => {
    const compose = join(DOCKER, 'docker-compose.yml');
    const { stdout } = await execFileAsync('docker-compose', ['-f', compose, 'config']);
    for (const service of ['zoo1', 'zoo2', 'zoo3', 'broker1', 'broker2', 'broker3', 'prometheus', 'grafana'])
      expect(stdout, service).to.match(new RegExp(`^  ${service}:$`, 'm'));
    expect(stdout).to.include('image: zookeeper:3.8').and.include('- monitoring');
    expect(stdout.match(/ZOO_MY_ID: '\d'/g)).to.have.length(3);
    const variables = [...new Set(readFileSync(compose, 'utf8').match(/MQ_CFG_[A-Z_]+/g))];
    expect(variables).to.include('MQ_CFG_LOG_RETENTION_HOURS');
    for (const v of variables) expect(BROKER_CONFIG.has(keyOf(v)), `${v} → ${keyOf(v)}`).to.equal(true);
    // Brokers run as the image's unprivileged user.
    expect(readFileSync(join(DOCKER, 'Dockerfile'), 'utf8')).to.match(/^USER mq$/m);
  });

  it('runs the entrypoint on the host: MQ_CFG_* variables become broker keys, and the dashboard metrics exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-entrypoint-'));
    deferFn(() => rmSync(dir, { recursive: true, force: true }));
    const zk = await sharedZooKeeper();
    const child = spawn(join(DOCKER, 'mq-entrypoint.sh'), [], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MQ_CFG_BROKER_ID: '11',
        MQ_CFG_ZOOKEEPER_CONNECT: uniqueChroot(zk.connect, 'mq-entrypoint'),
        MQ_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS: '6000',
        MQ_CFG_LISTENERS: 'PLAINTEXT://127.0.0.1:0,KAFKA://127.0.0.1:0',
        MQ_CFG_LOG_DIRS: join(dir, 'logs'),
        MQ_CFG_METRICS_PORT: '0',
        MQ_CFG_LOG_RETENTION_HOURS: '42',
        MQ_CFG_NUM_PARTITIONS: '3',
        MQ_CFG_DEFAULT_REPLICATION_FACTOR: '1',
        MQ_CFG_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    deferFn(() => {
      child.kill('SIGKILL');
    });
    const started = await new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.includes('"msg":"started"')) resolve(JSON.parse(line) as { port: number; metricsPort: number });
      });
      void exited.then((code) => reject(new Error(`the entrypoint exited with ${code}: ${stderr}`)));
    });
    expect(stderr).to.include('mq-entrypoint: log.retention.hours=42 (from MQ_CFG_LOG_RETENTION_HOURS)');

    const admin = defer(new Admin({ 'bootstrap.servers': `127.0.0.1:${started.port}` }), (a) => a.close());
    await admin.connect();
    const [described] = await admin.describeConfigs([
      { type: 'broker', name: '11', keys: ['log.retention.hours', 'num.partitions', 'log.dirs'] },
    ]);
    const value = (name: string) => described!.configs.find((c) => c.name === name)!;
    expect(value('log.retention.hours')).to.include({ value: '42', source: 'STATIC_BROKER_CONFIG' });
    expect(value('num.partitions').value).to.equal('3');
    expect(value('log.dirs').value).to.equal(join(dir, 'logs'));
    const health = await fetch(`http://127.0.0.1:${started.metricsPort}/health`);
    expect(health.status).to.equal(200);

    // Every metric the Grafana dashboard charts is one this broker serves.
    const dashboard = readFileSync(join(DOCKER, 'grafana', 'dashboards', 'mq-cluster.json'), 'utf8');
    const wanted = new Set([...dashboard.matchAll(/\b((?:kafka|mq)_[a-z0-9_]+)/g)].map((m) => m[1]!));
    const served = await (await fetch(`http://127.0.0.1:${started.metricsPort}/metrics`)).text();
    // A metric without series yet (no log, no group here) still has its TYPE line.
    for (const name of wanted) expect(served, name).to.match(new RegExp(`^# TYPE ${name} `, 'm'));

    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
