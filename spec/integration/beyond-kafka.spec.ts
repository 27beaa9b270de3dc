/**
 * What mq adds to Kafka (issue 19), on one three-broker cluster shared by its four parts so that `npm test` pays for
 * one cluster start: lag in time, finding a record, retries and dead letters, and delayed delivery — the last one
 * last, since it SIGKILLs a broker and then the whole cluster. Each part creates its own topics and groups; the
 * broker settings are the union of what the parts need (a 6 s ZooKeeper session so that a SIGKILLed broker is
 * noticed soon, six delay partitions, three transaction state partitions, metrics on a free port, no initial
 * rebalance delay).
 */
import { Admin } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import type { SharedCluster } from './beyond-kafka/shared-cluster.js';
import { consumerRetrySpecs } from './beyond-kafka/consumer-retries.js';
import { delayedDeliverySpecs } from './beyond-kafka/delayed-delivery.js';
import { findRecordSpecs } from './beyond-kafka/find-record.js';
import { lagTimeSpecs } from './beyond-kafka/lag-time.js';

const SESSION_TIMEOUT_MS = 6000;

describe('Beyond Kafka (3 brokers, RF 3)', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let admin: Admin | undefined;
  const shared: SharedCluster = {
    get cluster() {
      return cluster!;
    },
    get admin() {
      return admin!;
    },
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  };

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: {
        'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        'replica.lag.time.max.ms': 3000,
        'delayed.delivery.topic.num.partitions': 6,
        'offsets.topic.num.partitions': 3,
        'transaction.state.log.num.partitions': 3,
        'group.initial.rebalance.delay.ms': 0,
        'metrics.port': 0,
      },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers, 'request.timeout.ms': 5000 });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  lagTimeSpecs(shared);
  findRecordSpecs(shared);
  consumerRetrySpecs(shared);
  delayedDeliverySpecs(shared);
});
