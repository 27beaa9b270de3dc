/**
 * SASL/PLAIN, with the users in the listener's JAAS entry (`listener.name.<l>.plain.sasl.jaas.config`), on two
 * SASL_PLAINTEXT listeners of one broker: the Kafka-protocol one, where Python's confluent-kafka (librdkafka) and
 * kcat authenticate, and a msgpack one, where the mq client does; the PLAINTEXT listener stays the inter-broker one.
 * Sessions there last one second (connections.max.reauth.ms): the mq client re-authenticates on its connection.
 */
import { expect } from 'chai';
import { Admin, ApiError, Producer } from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { NetworkClient } from '../../lib/network/network-client.js';
import { clientSecurity } from '../../lib/network/security/client-security.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { KCAT, python, run } from '../helpers/kafka-tools.js';

const PLAIN_LOGIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const USERS = `${PLAIN_LOGIN} required user_alice="alice-secret" user_bob="bob-secret";`;

describe('SASL/PLAIN on SASL_PLAINTEXT listeners (1 broker)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 1,
      brokerProps: {
        listeners: 'PLAINTEXT://127.0.0.1:0,KAFKA://127.0.0.1:0,SASLMQ://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,KAFKA:SASL_PLAINTEXT,SASLMQ:SASL_PLAINTEXT',
        'listener.wire.protocol.map': 'KAFKA:KAFKA',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.kafka.plain.sasl.jaas.config': USERS,
        'listener.name.saslmq.plain.sasl.jaas.config': USERS,
        'connections.max.reauth.ms': 1000,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
  });
  after(() => cluster?.stop());

  const saslMq = () => `127.0.0.1:${cluster.local.broker(1).listeners['SASLMQ']}`;
  const plain = (user: string, password: string): Record<string, string> => ({
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': 'PLAIN',
    'sasl.username': user,
    'sasl.password': password,
  });

  it('serves the mq client with PLAIN, across re-authentications, and refuses a wrong password', async () => {
    const admin = defer(new Admin({ ...plain('alice', 'alice-secret'), 'bootstrap.servers': saslMq() }), (a) =>
      a.close(),
    );
    await admin.connect();
    await admin.createTopics([{ name: 'plain', numPartitions: 1, replicationFactor: 1 }]);
    const producer = defer(
      new Producer({ ...plain('alice', 'alice-secret'), 'bootstrap.servers': saslMq(), 'linger.ms': 0 }),
      (p) => p.close(),
    );
    await producer.connect();
    await producer.send({ topic: 'plain', value: 'v' });
    // One connection kept for three seconds while its session lasts one: it re-authenticates in place, since the
    // broker would close it at the first request after an expiry.
    const [host, port] = saslMq().split(':');
    const wire = defer(
      await NetworkClient.connect({
        host: host!,
        port: Number(port),
        security: clientSecurity((k) => plain('bob', 'bob-secret')[k], 'spec'),
      }),
      (c) => c.close(),
    );
    const started = Date.now();
    let answered = 0;
    while (Date.now() - started < 3000) {
      const res = await wire.send(ApiKey.Metadata, 0, { topics: [{ name: 'plain' }], allowAutoTopicCreation: false });
      expect(res.topics[0]!.errorCode).to.equal(ErrorCode.NONE);
      answered++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(wire.connected).to.equal(true);
    expect(answered).to.be.above(10);

    const wrong = defer(
      new Admin({ ...plain('alice', 'nope'), 'bootstrap.servers': saslMq(), 'default.api.timeout.ms': 3000 }),
      (a) => a.close(),
    );
    const error = await wrong.connect().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ApiError);
    expect((error as ApiError).errorName).to.equal('SASL_AUTHENTICATION_FAILED');
    expect((error as ApiError).message).to.contain('Authentication failed: Invalid username or password');
  });

  it('authenticates confluent-kafka (Python) and kcat with PLAIN on the Kafka listener, and refuses wrong ones', async () => {
    const bootstrap = cluster.kafkaBootstrapServers;
    const result = await python<{ delivered: number; read: string[]; refused: string }>(PYTHON_PLAIN, [bootstrap]);
    expect(result.delivered).to.equal(3);
    expect(result.read).to.deep.equal(['p0', 'p1', 'p2']);
    expect(result.refused).to.match(/Authentication failed: Invalid username or password/);
    const listed = await run(KCAT, [
      '-b',
      bootstrap,
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=bob',
      '-X',
      'sasl.password=bob-secret',
      '-L',
      '-J',
      '-m',
      '10',
    ]);
    expect(
      (JSON.parse(listed.stdout.toString()) as { topics: { topic: string }[] }).topics.map((t) => t.topic),
    ).to.include('from-python');
  });
});

/** Produces three records and reads them back with PLAIN, then tries a wrong password. */
const PYTHON_PLAIN = `
import json, sys, time
from confluent_kafka import Producer, Consumer, KafkaException
from confluent_kafka.admin import AdminClient

bs = sys.argv[1]
auth = {'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret'}
delivered = []
p = Producer({'bootstrap.servers': bs, 'acks': 'all', **auth})
for i in range(3):
    p.produce('from-python', value=b'p%d' % i, on_delivery=lambda err, msg: delivered.append(err) if err is None else None)
if p.flush(30) != 0:
    raise Exception('not delivered')
c = Consumer({'bootstrap.servers': bs, 'group.id': 'py', 'auto.offset.reset': 'earliest', **auth})
c.subscribe(['from-python'])
read = []
deadline = time.time() + 30
while len(read) < 3 and time.time() < deadline:
    m = c.poll(0.2)
    if m is not None and not m.error():
        read.append(m.value().decode())
c.close()
errors = []
bad = AdminClient({'bootstrap.servers': bs, **auth, 'sasl.password': 'wrong', 'error_cb': lambda e: errors.append(e.str())})
# librdkafka reports the failed authentication through error_cb as soon as the broker answers.
deadline = time.time() + 10
while not any('Authentication' in e for e in errors) and time.time() < deadline:
    try:
        bad.list_topics(timeout=0.5)
    except KafkaException as e:
        errors.append(str(e))
    bad.poll(0.1)
refused = next((e for e in errors if 'Authentication' in e), ' | '.join(errors))
print(json.dumps({'delivered': len(delivered), 'read': read, 'refused': refused}))
`;
