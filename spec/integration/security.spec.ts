/**
 * A secured 3-broker cluster, as `mq-cluster up --secure` starts it (SASL_SSL listeners with SCRAM, ACLs with one
 * super user, ZooKeeper ACLs): who is refused and with what, that refused principals learn nothing, that granted
 * ones are served, that ACL and credential changes apply to running brokers, that replication and failover work
 * over the inter-broker SASL_SSL listener, that a produce quota holds a producer to its rate while another client
 * runs free, that kcat (librdkafka) gets the same treatment through the Kafka-protocol listener, and that a storm of
 * garbage and truncated TLS and SASL handshakes leaves the brokers serving everyone else. Delayed records travel the
 * inter-broker listener to their targets' leaders, and their sender needs Write on the target too.
 */
import { fileURLToPath } from 'node:url';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  AclOperation,
  AclPermissionType,
  Admin,
  ApiError,
  Consumer,
  DELAYED_TOPIC,
  PatternType,
  Producer,
  ResourceType,
  type AclBinding,
} from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { NetworkClient } from '../../lib/network/network-client.js';
import { clientSecurity } from '../../lib/network/security/client-security.js';
import { FrameEncoder } from '../../lib/protocol/frame-encoder.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { ZkClient } from '../../lib/zk/zk-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { KCAT, run } from '../helpers/kafka-tools.js';
import { waitFor } from '../helpers/wait-for.js';

const MQ_ADMIN = fileURLToPath(new URL('../../../bin/mq-admin', import.meta.url));
const QUOTA_BYTES_PER_SEC = 100_000;

describe('Security (3 brokers: SASL_SSL + SCRAM, ACLs, ZooKeeper ACLs)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      secure: true,
      // Two one-second quota windows (Kafka's default is eleven, which lets a new client burst ten seconds' worth
      // before it is throttled): over a few seconds the rate then averages out to the quota.
      brokerProps: {
        'quota.window.num': 2,
        'quota.window.size.seconds': 1,
        'auto.create.topics.enable': false,
        'group.initial.rebalance.delay.ms': 0,
        'transaction.state.log.num.partitions': 1,
      },
    });
    admin = new Admin({ ...cluster.adminProperties, 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    await admin.createTopics([
      { name: 'orders', numPartitions: 1, replicationFactor: 3 },
      { name: 'secret', numPartitions: 1, replicationFactor: 3 },
    ]);
    await admin.alterUserScramCredentials([
      { user: 'alice', mechanism: 'SCRAM-SHA-512', password: 'alice-secret' },
      { user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'alice-secret' },
    ]);
    await waitFor(async () => canConnect('alice', 'alice-secret'), 'alice to be able to authenticate');
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  async function connectedAdmin(props: Record<string, string>, timeoutMs = 20_000): Promise<Admin> {
    const a = defer(
      new Admin({ ...props, 'bootstrap.servers': cluster.bootstrapServers, 'default.api.timeout.ms': timeoutMs }),
      (x) => x.close(),
    );
    await a.connect();
    return a;
  }

  async function canConnect(user: string, password: string): Promise<boolean> {
    try {
      await (await connectedAdmin(cluster.clientProperties(user, password), 3000)).close();
      return true;
    } catch {
      return false;
    }
  }

  /** The error an operation fails with. */
  async function failure(op: () => Promise<unknown>): Promise<Error> {
    try {
      await op();
    } catch (e) {
      return e as Error;
    }
    expect.fail('expected the operation to be refused');
  }

  const aliceProps = () => cluster.clientProperties('alice', 'alice-secret');

  /** A producer without idempotence, so that topic ACLs alone decide (see the spec on InitProducerId). */
  function producerFor(props: Record<string, string>, clientId = 'spec-producer', idempotent = false): Producer {
    return defer(
      new Producer({
        ...props,
        'bootstrap.servers': cluster.bootstrapServers,
        'client.id': clientId,
        'enable.idempotence': idempotent,
        'max.block.ms': 10_000,
        'delivery.timeout.ms': 10_000,
        'request.timeout.ms': 5000,
      }),
      (p) => p.close(),
    );
  }

  const allow = (
    principal: string,
    operation: number,
    resourceType: number,
    name: string,
    patternType: number = PatternType.LITERAL,
  ): AclBinding => ({
    pattern: {
      resourceType: resourceType as AclBinding['pattern']['resourceType'],
      name,
      patternType: patternType as AclBinding['pattern']['patternType'],
    },
    entry: {
      principal,
      host: '*',
      operation: operation as AclBinding['entry']['operation'],
      permissionType: AclPermissionType.ALLOW,
    },
  });

  it('refuses a client without TLS, one without SASL, a wrong password and an unknown user, each with its error', async () => {
    const plaintext = await failure(() => connectedAdmin({}, 3000));
    expect(plaintext.message).to.match(/security\.protocol/);

    const tlsOnly = await failure(() =>
      connectedAdmin({ 'security.protocol': 'SSL', 'ssl.truststore.location': cluster.local.caFile! }, 3000),
    );
    expect(tlsOnly).to.be.instanceOf(ApiError);
    expect((tlsOnly as ApiError).errorName).to.equal('ILLEGAL_SASL_STATE');

    const wrong = await failure(() => connectedAdmin(cluster.clientProperties('alice', 'not-her-password'), 3000));
    const unknown = await failure(() => connectedAdmin(cluster.clientProperties('mallory', 'guess'), 3000));
    for (const e of [wrong, unknown]) {
      expect(e).to.be.instanceOf(ApiError);
      expect((e as ApiError).errorName).to.equal('SASL_AUTHENTICATION_FAILED');
    }
    // The same words for both: nobody learns which users exist.
    const reason = (e: Error) => e.message.replace(/\(user \w+,/, '(user _,');
    expect(reason(unknown)).to.equal(reason(wrong));
  });

  it('refuses a principal without ACLs with the named errors, and it learns nothing about topics', async () => {
    const alice = await connectedAdmin(aliceProps());
    expect(await alice.listTopics()).to.deep.equal([]);
    for (const topic of ['secret', 'no-such-topic']) {
      const e = await failure(() => alice.describeTopics([topic]));
      expect((e as ApiError).errorName, `describe ${topic}`).to.equal('TOPIC_AUTHORIZATION_FAILED');
    }
    const producer = producerFor(aliceProps());
    await producer.connect();
    const produce = await failure(() => producer.send({ topic: 'orders', value: 'x' }));
    expect((produce as ApiError).errorName).to.equal('TOPIC_AUTHORIZATION_FAILED');
    // An idempotent producer needs IdempotentWrite on the cluster, or Write on some topic, for its producer id.
    const wire = defer(
      await NetworkClient.connect({
        host: '127.0.0.1',
        port: cluster.local.broker(1).port,
        security: clientSecurity((k) => aliceProps()[k], 'spec'),
      }),
      (c) => c.close(),
    );
    const initProducerId = await wire.send(ApiKey.InitProducerId, 0, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(initProducerId.errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    // The operations APIs have their rules too: Delete on the topic, AlterConfigs on it, Alter on the Cluster.
    const deleted = await wire.send(ApiKey.DeleteRecords, 0, {
      topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, offset: -1 }] }],
      timeoutMs: 5000,
    });
    expect(deleted.topics[0]!.partitions[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const altered = await wire.send(ApiKey.IncrementalAlterConfigs, 0, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'secret',
          configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }],
        },
      ],
      validateOnly: false,
    });
    expect(altered.responses[0]!.errorCode).to.equal(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const elected = await wire.send(ApiKey.ElectLeaders, 0, {
      electionType: 0,
      topicPartitions: [{ topic: 'secret', partitions: [0] }],
      timeoutMs: 5000,
    });
    expect(elected.errorCode).to.equal(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    // Transactions: Write on the transactional id before anything else; markers come from brokers only.
    const ended = await wire.send(ApiKey.EndTxn, 0, {
      transactionalId: 'alice-tx',
      producerId: 1,
      producerEpoch: 0,
      committed: true,
    });
    expect(ended.errorCode).to.equal(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const markers = await failure(() =>
      wire.send(ApiKey.WriteTxnMarkers, 0, {
        markers: [
          {
            producerId: 1,
            producerEpoch: 0,
            transactionResult: true,
            topics: [{ name: 'secret', partitionIndexes: [0] }],
            coordinatorEpoch: 0,
          },
        ],
      }),
    );
    expect((markers as ApiError).errorName).to.equal('CLUSTER_AUTHORIZATION_FAILED');
    const create = await failure(() =>
      alice.createTopics([{ name: 'alice-topic', numPartitions: 1, replicationFactor: 1 }]),
    );
    expect((create as ApiError).errorName).to.equal('TOPIC_AUTHORIZATION_FAILED');
    const acls = await failure(() =>
      alice.describeAcls({
        patternFilter: { resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY },
        entryFilter: {
          principal: null,
          host: null,
          operation: AclOperation.ANY,
          permissionType: AclPermissionType.ANY,
        },
      }),
    );
    expect((acls as ApiError).errorName).to.equal('CLUSTER_AUTHORIZATION_FAILED');
    // Reassignments: Alter on the Cluster to move replicas, Describe on it to list the moves.
    const moved = await failure(() =>
      alice.alterPartitionReassignments([{ topic: 'secret', partition: 0, replicas: null }]),
    );
    expect((moved as ApiError).errorName).to.equal('CLUSTER_AUTHORIZATION_FAILED');
    const moving = await failure(() => alice.listPartitionReassignments());
    expect((moving as ApiError).errorName).to.equal('CLUSTER_AUTHORIZATION_FAILED');
    const groups = await failure(() => alice.listConsumerGroupOffsets('billing'));
    expect((groups as ApiError).errorName).to.equal('GROUP_AUTHORIZATION_FAILED');
  });

  it('serves a principal once ACLs grant it, and refuses again when they are removed, on running brokers', async () => {
    await run(process.execPath, [
      MQ_ADMIN,
      'acls',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--command-config',
      adminConfigFile(),
      '--add',
      '--allow-principal',
      'User:alice',
      '--producer',
      '--consumer',
      '--topic',
      'orders',
      '--group',
      'billing',
    ]);
    const producer = producerFor(aliceProps());
    await producer.connect();
    // Every broker applies the change from its ZooKeeper notification; the partition leader must have it.
    await waitFor(
      async () =>
        await producer.send({ topic: 'orders', value: 'first' }).then(
          () => true,
          () => false,
        ),
      'alice to be allowed to write',
    );
    const alice = await connectedAdmin(aliceProps());
    expect(await alice.listTopics()).to.deep.equal(['orders']);

    const consumer = defer(
      new Consumer({
        ...aliceProps(),
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': 'billing',
        'auto.offset.reset': 'earliest',
      }),
      (c) => c.close(),
    );
    await consumer.connect();
    consumer.subscribe(['orders']);
    for await (const record of consumer) {
      expect(record.value?.toString()).to.equal('first');
      break;
    }
    await consumer.commit();

    await admin.deleteAcls([
      {
        patternFilter: { resourceType: ResourceType.TOPIC, name: 'orders', patternType: PatternType.LITERAL },
        entryFilter: {
          principal: 'User:alice',
          host: null,
          operation: AclOperation.WRITE,
          permissionType: AclPermissionType.ANY,
        },
      },
    ]);
    await waitFor(
      async () =>
        await producer.send({ topic: 'orders', value: 'late' }).then(
          () => false,
          (e: ApiError) => e.errorName === 'TOPIC_AUTHORIZATION_FAILED',
        ),
      'alice to be refused writes again',
    );

    // A prefixed ACL covers every topic whose name starts with the prefix.
    await admin.createTopics([{ name: 'logs-app', numPartitions: 1, replicationFactor: 3 }]);
    await admin.createAcls([
      allow('User:alice', AclOperation.WRITE, ResourceType.TOPIC, 'logs-', PatternType.PREFIXED),
    ]);
    await waitFor(
      async () =>
        await producer.send({ topic: 'logs-app', value: 'p' }).then(
          () => true,
          () => false,
        ),
      'a prefixed ACL to apply',
    );
  });

  it('applies SCRAM credentials created, changed and deleted with mq-admin configs to the next connection', async () => {
    const configs = (...args: string[]) =>
      run(process.execPath, [
        MQ_ADMIN,
        'configs',
        '--bootstrap-server',
        cluster.bootstrapServers,
        '--command-config',
        adminConfigFile(),
        ...args,
      ]);
    const created = await configs(
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'bob',
      '--add-config',
      'SCRAM-SHA-512=[password=bob-1]',
    );
    expect(created.stdout.toString()).to.equal('Completed updating config for user bob.\n');
    await waitFor(() => canConnect('bob', 'bob-1'), 'bob to authenticate');
    // The same change through the Admin API (AlterUserScramCredentials), as mq-admin sends it.
    await admin.alterUserScramCredentials([
      { user: 'bob', mechanism: 'SCRAM-SHA-512', password: 'bob-2', iterations: 8192 },
    ]);
    await waitFor(
      async () => !(await canConnect('bob', 'bob-1')) && (await canConnect('bob', 'bob-2')),
      'the new password to replace the old',
    );
    const described = await configs('--describe', '--entity-type', 'users', '--entity-name', 'bob');
    expect(described.stdout.toString()).to.equal(
      "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=8192\n",
    );
    await admin.alterUserScramCredentials([{ user: 'bob', mechanism: 'SCRAM-SHA-512', delete: true }]);
    await waitFor(async () => !(await canConnect('bob', 'bob-2')), 'the deleted credential to be refused');
  });

  it('authenticates kcat (librdkafka) with SCRAM over TLS on the Kafka listener and holds it to the ACLs', async () => {
    const kcatAs = (user: string, password: string, args: string[], input = '', metadataTimeoutS = 10) =>
      run(
        KCAT,
        [
          '-b',
          cluster.kafkaBootstrapServers,
          '-X',
          'security.protocol=SASL_SSL',
          '-X',
          'sasl.mechanisms=SCRAM-SHA-256',
          '-X',
          `sasl.username=${user}`,
          '-X',
          `sasl.password=${password}`,
          '-X',
          `ssl.ca.location=${cluster.local.caFile!}`,
          '-m',
          String(metadataTimeoutS),
          ...args,
        ],
        input,
        30_000,
      );
    await admin.createAcls([
      allow('User:alice', AclOperation.WRITE, ResourceType.TOPIC, 'orders'),
      allow('User:alice', AclOperation.READ, ResourceType.TOPIC, 'orders'),
    ]);
    await waitFor(
      async () =>
        await kcatAs('alice', 'alice-secret', ['-P', '-t', 'orders'], 'from-kcat\n').then(
          () => true,
          () => false,
        ),
      'kcat to produce as alice',
    );
    const listed = (await kcatAs('alice', 'alice-secret', ['-L', '-J'])).stdout.toString();
    const topics = (JSON.parse(listed) as { topics: { topic: string }[] }).topics.map((t) => t.topic).sort();
    expect(topics).to.include('orders').and.not.include('secret');
    const read = await kcatAs('alice', 'alice-secret', ['-C', '-t', 'orders', '-o', 'beginning', '-e', '-f', '%s\n']);
    expect(read.stdout.toString()).to.include('from-kcat');
    // librdkafka reports the failed authentication at once; kcat then waits out its metadata timeout (-m).
    const refused = await failure(() => kcatAs('alice', 'wrong', ['-L'], '', 2));
    expect(refused.message).to.match(/Authentication failed during authentication due to invalid credentials/);
  });

  it('holds a producer to its client-id quota (within 20%) while another client is unaffected', async () => {
    await admin.createTopics([{ name: 'quota', numPartitions: 1, replicationFactor: 1 }]);
    await admin.alterClientQuotas([
      { entity: { 'client-id': 'throttled' }, ops: { producer_byte_rate: QUOTA_BYTES_PER_SEC } },
    ]);
    const value = Buffer.alloc(1000, 'q');
    const measure = async (clientId: string) => {
      const producer = producerFor(cluster.adminProperties, clientId);
      await producer.connect();
      const acked: number[] = [];
      const started = performance.now();
      const deadline = started + 5000;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (performance.now() < deadline) {
            await producer.send({ topic: 'quota', partition: 0, value });
            acked.push(performance.now() - started);
          }
        }),
      );
      return (acked.length * value.length * 1000) / (performance.now() - started);
    };
    const [throttled, free] = await Promise.all([measure('throttled'), measure('free')]);
    expect(throttled, `throttled producer: ${Math.round(throttled)} B/s`).to.be.within(
      QUOTA_BYTES_PER_SEC * 0.8,
      QUOTA_BYTES_PER_SEC * 1.2,
    );
    expect(free, `unthrottled producer: ${Math.round(free)} B/s`).to.be.above(QUOTA_BYTES_PER_SEC * 3);
  });

  it('keeps serving while many connections send garbage and truncated TLS and SASL handshakes', async () => {
    const producer = producerFor(cluster.adminProperties, 'bystander');
    await producer.connect();
    await admin.createTopics([{ name: 'bystander', numPartitions: 1, replicationFactor: 3 }]);
    const ca = readFileSync(cluster.local.caFile!);
    const encoder = new FrameEncoder();
    const frame = (apiKey: number, body: object) =>
      Buffer.concat(encoder.encode({ apiKey, apiVersion: 0, correlationId: 1, clientId: 'fuzz', body }));
    const targets = cluster.local
      .brokerIds()
      .flatMap((id) => [cluster.local.broker(id).port, cluster.local.broker(id).kafkaPort]);
    const attacks: (() => Promise<void>)[] = [];
    for (let i = 0; i < 20; i++) {
      const port = targets[i % targets.length]!;
      // Not TLS at all: random bytes where a ClientHello belongs.
      attacks.push(() => raw(netConnect({ host: '127.0.0.1', port }), (s) => s.write(randomBytes(200))));
      // A TLS handshake cut short: the connection is dropped as soon as TCP is up.
      attacks.push(() =>
        raw(netConnect({ host: '127.0.0.1', port }), (s) => s.write(Buffer.from([0x16, 0x03, 0x01, 0x02]))),
      );
    }
    for (let i = 0; i < 20; i++) {
      const port = cluster.local.broker(cluster.local.brokerIds()[i % 3]!).port;
      const tls = () => tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
      // Valid TLS, then SASL garbage: an unknown mechanism, authentication bytes that are no SCRAM message, a frame
      // that claims more bytes than ever come, and requests before authenticating.
      attacks.push(() => raw(tls(), (s) => s.write(frame(ApiKey.SaslHandshake, { mechanism: 'EVIL' }))));
      attacks.push(() =>
        raw(tls(), (s) => {
          s.write(frame(ApiKey.SaslHandshake, { mechanism: 'SCRAM-SHA-512' }));
          s.write(frame(ApiKey.SaslAuthenticate, { authBytes: randomBytes(64) }));
        }),
      );
      attacks.push(() => raw(tls(), (s) => s.write(Buffer.concat([Buffer.from([0, 0, 0x10, 0]), randomBytes(10)]))));
      attacks.push(() =>
        raw(tls(), (s) => s.write(frame(ApiKey.Metadata, { topics: null, allowAutoTopicCreation: true }))),
      );
    }
    const served: number[] = [];
    const storm = Promise.all(attacks.map((a) => a()));
    const bystander = (async () => {
      for (let i = 0; i < 30; i++) served.push((await producer.send({ topic: 'bystander', value: `b${i}` })).offset);
    })();
    await Promise.all([storm, bystander]);
    expect(served).to.have.length(30);
    for (const id of cluster.local.brokerIds())
      expect(() => process.kill(cluster.local.broker(id).pid, 0)).not.to.throw();
    expect((await admin.describeCluster()).brokers).to.have.length(3);
  });

  it('commits a transaction whose markers travel the inter-broker SASL_SSL listener', async () => {
    // Three partitions led by three brokers: the coordinator writes markers to at least two others.
    await admin.createTopics([{ name: 'tx', numPartitions: 3, replicationFactor: 3 }]);
    const producer = defer(
      new Producer({
        ...cluster.adminProperties,
        'bootstrap.servers': cluster.bootstrapServers,
        'transactional.id': 'secured-tx',
      }),
      (p) => p.close(),
    );
    await producer.connect();
    await producer.initTransactions();
    producer.beginTransaction();
    for (const partition of [0, 1, 2]) await producer.send({ topic: 'tx', partition, value: `tx-${partition}` });
    await producer.commitTransaction();
    // The commit completes once every leader wrote its marker, sent to the others over the inter-broker listener.
    await waitFor(
      async () => (await admin.describeTransactions(['secured-tx']))[0]!.state === 'CompleteCommit',
      'the coordinator to write the markers on every leader and complete the commit',
      { timeoutMs: 15_000 },
    );
    const consumer = defer(
      new Consumer({
        ...cluster.adminProperties,
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': 'tx-reader',
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
      }),
      (c) => c.close(),
    );
    await consumer.connect();
    consumer.subscribe(['tx']);
    const read: string[] = [];
    for await (const record of consumer) {
      read.push(record.value!.toString());
      if (read.length === 3) break;
    }
    expect(read.sort()).to.deep.equal(['tx-0', 'tx-1', 'tx-2']);
  });

  it('delivers delayed records over the inter-broker SASL_SSL listener, and takes Write on the target of their sender', async () => {
    const topic = 'reminders';
    await admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 3 }]);
    const consumer = defer(
      new Consumer({ ...cluster.adminProperties, 'bootstrap.servers': cluster.bootstrapServers }),
      (c) => c.close(),
    );
    await consumer.connect();
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const arrived: string[] = [];
    const reading = consumer.run({ eachMessage: ({ message }) => void arrived.push(message.value!.toString()) });
    // The super user's records (which also create the delay topic), one per partition: the delay partitions' leaders
    // append them to target leaders on other brokers, over the inter-broker listener.
    const admins = defer(
      new Producer({ ...cluster.adminProperties, 'bootstrap.servers': cluster.bootstrapServers }),
      (p) => p.close(),
    );
    await admins.connect();
    await Promise.all(
      [0, 1, 2].map((partition) => admins.send({ topic, partition, value: `a${partition}`, delayMs: 300 })),
    );

    // alice may write the delay topic and reminders, and see secret without writing it.
    await admin.createAcls([
      allow('User:alice', AclOperation.WRITE, ResourceType.TOPIC, DELAYED_TOPIC),
      allow('User:alice', AclOperation.WRITE, ResourceType.TOPIC, topic),
      allow('User:alice', AclOperation.DESCRIBE, ResourceType.TOPIC, 'secret'),
    ]);
    const producer = producerFor(aliceProps());
    await producer.connect();
    await waitFor(
      async () =>
        await producer.send({ topic, partition: 0, value: 'alice', delayMs: 300 }).then(
          () => true,
          () => false,
        ),
      'alice to be allowed to send delayed records to reminders',
    );
    // Write on the delay topic is not Write on every topic: the broker delivers as itself, so it asks for the target's.
    const refused = await failure(() => producer.send({ topic: 'secret', value: 'sneaked', delayMs: 300 }));
    expect((refused as ApiError).errorName).to.equal('TOPIC_AUTHORIZATION_FAILED');
    await waitFor(() => arrived.length >= 4, 'the delayed records to arrive', { timeoutMs: 15_000 });
    expect(arrived.sort()).to.deep.equal(['a0', 'a1', 'a2', 'alice']);
    consumer.stop();
    await reading;
  });

  // Last of the broker specs: it leaves two brokers running.
  it('replicates and fails over on the inter-broker SASL_SSL listener without losing acknowledged records', async () => {
    const topic = 'replicated';
    await admin.createTopics([
      { name: topic, numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const producer = defer(
      new Producer({
        ...cluster.adminProperties,
        'bootstrap.servers': cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 1,
        'request.timeout.ms': 3000,
        'retry.backoff.ms': 50,
        'delivery.timeout.ms': 60_000,
        'metadata.max.age.ms': 500,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, topic, 1).start();
    let killed = -1;
    try {
      await load.ackedMore(50, 'before the failover');
      const [before] = await admin.describeTopics([topic]);
      const leader = before!.partitions[0]!.leader;
      killed = leader;
      await cluster.local.killBroker(leader);
      await load.ackedMore(50, `with broker ${leader} dead`);
    } finally {
      await load.stop();
    }
    expect(load.failures.map((e) => e.message).slice(0, 3)).to.deep.equal([]);
    // Both survivors hold every acknowledged record: what the new leader took, it had fetched over SASL_SSL.
    const survivors = cluster.local.brokerIds().filter((id) => id !== killed);
    await expectNoAckedLoss(cluster, topic, 1, survivors, load.acked);
  });

  it("lets only the brokers' ZooKeeper identity change Kafka's znodes (zookeeper.set.acl)", async () => {
    const anonymous = defer(new ZkClient({ connect: cluster.zookeeperConnect }), (z) => z.close());
    await anonymous.connect();
    expect(await anonymous.getData('/brokers/topics/orders')).to.not.equal(null);
    for (const [what, op] of [
      ['write a topic', () => anonymous.setData('/brokers/topics/orders', Buffer.from('{}'))],
      ['read credentials', () => anonymous.getData('/config/users/alice')],
      ['add an ACL', () => anonymous.create('/kafka-acl/Topic-intruder', Buffer.from('{}'))],
    ] as const) {
      const e = await failure(op);
      expect((e as { zkCode?: string }).zkCode, what).to.equal('NO_AUTH');
    }
  });

  function adminConfigFile(): string {
    return `${cluster.local.dir}/admin.properties`;
  }
});

/** Opens a socket, does `attack` once it is connected, then closes it after a moment; never fails. */
async function raw(socket: Socket, attack: (s: Socket) => void): Promise<void> {
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once(socket.constructor.name === 'TLSSocket' ? 'secureConnect' : 'connect', () => {
      attack(socket);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 300);
    });
    socket.once('close', () => resolve());
  });
}

function randomBytes(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
}
