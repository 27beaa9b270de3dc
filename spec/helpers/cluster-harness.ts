/**
 * Real clusters for integration specs: broker processes (bin/mq-broker) started by the same LocalCluster as
 * `mq-cluster up`, against the run-wide ZooKeeper in a chroot of their own, listening on free ports, with data
 * in a temporary directory. Stop with `cluster.stop()` (register it with `defer`), which shuts brokers down
 * cleanly and removes the data (kept, with each broker's broker.log, when MQ_SPEC_KEEP_CLUSTER_DIRS=1: for
 * debugging a failed run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../../lib/cli/local-cluster.js';
import { securityFromOptions } from '../../lib/client/client-options.js';
import { NetworkClient } from '../../lib/network/network-client.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { waitFor } from './wait-for.js';
import { sharedZooKeeper, uniqueChroot } from './zk-harness.js';

export interface TestClusterOptions {
  brokers: number;
  /** Extra broker properties for every broker. Specs default to short ZooKeeper sessions (6 s). */
  brokerProps?: Record<string, string | number | boolean>;
  /** SASL_SSL listeners with SCRAM, ACLs and ZooKeeper ACLs, as `mq-cluster up --secure` (cluster-security.ts). */
  secure?: boolean;
  /** Properties of one broker, over `brokerProps` (e.g. its own listeners and advertised.listeners). */
  brokerPropsFor?: (id: number) => Record<string, string | number | boolean>;
  /** Whether brokers open a Kafka-protocol listener beside PLAINTEXT. @default true */
  kafkaListener?: boolean;
  /** log.dirs per broker (JBOD): `logs-1`, `logs-2`, ... in each broker's dir. @default 1 (`logs`) */
  logDirsPerBroker?: number;
}

export class TestCluster {
  private constructor(
    readonly local: LocalCluster,
    readonly zkServerConnect: string,
  ) {}

  static async start(opts: TestClusterOptions): Promise<TestCluster> {
    const zk = await sharedZooKeeper();
    const chroot = uniqueChroot('', 'mq-cluster');
    const dir = mkdtempSync(join(tmpdir(), 'mq-cluster-'));
    const local = new LocalCluster({
      dir,
      brokers: opts.brokers,
      port: 0,
      ...(opts.kafkaListener === false ? { kafkaPort: null } : {}),
      externalZooKeeper: zk.connect,
      chroot,
      secure: opts.secure ?? false,
      logDirsPerBroker: opts.logDirsPerBroker,
      brokerProps: {
        'zookeeper.session.timeout.ms': 6000,
        // stop() shuts every broker down at once, so none can take another's leadership and each controlled
        // shutdown retries to the end: with Kafka's 5 s backoff that is 10 s per cluster, for nothing.
        'controlled.shutdown.retry.backoff.ms': 200,
        'log.segment.bytes': 16 * 1024 * 1024,
        'offsets.topic.replication.factor': Math.min(3, opts.brokers),
        ...opts.brokerProps,
      },
      brokerPropsFor: opts.brokerPropsFor,
    });
    const cluster = new TestCluster(local, zk.connect);
    try {
      await local.start();
      await cluster.awaitBrokersKnown();
    } catch (e) {
      await local.stop().catch(() => undefined);
      throw e;
    }
    return cluster;
  }

  /**
   * Waits until every broker's metadata lists every broker. Each broker learns of the others from its own
   * /brokers/ids watch, so a topic created at once could meet a controller that has not seen the last broker
   * register yet (INVALID_REPLICATION_FACTOR), as it could on Kafka: specs start from the settled cluster.
   */
  private async awaitBrokersKnown(): Promise<void> {
    const ids = this.local.brokerIds();
    const security = securityFromOptions(this.adminProperties, 'the test cluster');
    await Promise.all(
      ids.map(async (id) => {
        const client = await NetworkClient.connect({
          host: '127.0.0.1',
          port: this.local.broker(id).port,
          clientId: 'test-cluster',
          security,
        });
        try {
          await waitFor(async () => {
            const md = await client.send(ApiKey.Metadata, 0, { topics: [], allowAutoTopicCreation: false });
            return md.brokers.length === ids.length;
          }, `broker ${id} to see all ${ids.length} brokers`);
        } finally {
          await client.close();
        }
      }),
    );
  }

  get bootstrapServers(): string {
    return this.local.bootstrapServers;
  }

  /** The brokers' Kafka-protocol listeners, for kcat, KafkaJS and librdkafka. */
  get kafkaBootstrapServers(): string {
    return this.local.kafkaBootstrapServers;
  }

  /** The super user's client configs on a secured cluster (security.protocol, SASL, TLS); {} otherwise. */
  get adminProperties(): Record<string, string> {
    return this.local.adminProperties;
  }

  /** Client configs for `user` on a secured cluster. */
  clientProperties(user: string, password: string): Record<string, string> {
    return this.local.clientProperties(user, password);
  }

  /** `host:port/chroot` of this cluster's ZooKeeper namespace. */
  get zookeeperConnect(): string {
    return this.local.zookeeperConnect;
  }

  async stop(): Promise<void> {
    await this.local.stop();
    if (process.env['MQ_SPEC_KEEP_CLUSTER_DIRS'] === '1') return;
    rmSync(this.local.dir, { recursive: true, force: true });
  }
}
