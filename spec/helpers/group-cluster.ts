/**
 * The three-broker cluster consumer-group specs share: five __consumer_offsets partitions (fewer to create than
 * Kafka's 50), a 300 ms initial rebalance delay, sessions down to 1 s allowed (so that specs may expire members
 * quickly), no topic auto-creation. `useGroupCluster()` registers mocha hooks that start it with a connected Admin
 * before the suite and stop both after it.
 */
import { Admin } from '../../lib/client/index.js';
import { TestCluster } from './cluster-harness.js';

export const GROUP_SPEC_BROKER_PROPS = {
  'offsets.topic.num.partitions': 5,
  'group.initial.rebalance.delay.ms': 300,
  'group.min.session.timeout.ms': 1000,
  'auto.create.topics.enable': false,
};

export function startGroupCluster(): Promise<TestCluster> {
  return TestCluster.start({ brokers: 3, brokerProps: GROUP_SPEC_BROKER_PROPS });
}

/** Call inside a describe(): the cluster and admin are set once its before-all hook ran. */
export function useGroupCluster(): { readonly cluster: TestCluster; readonly admin: Admin } {
  const env = {} as { cluster: TestCluster; admin: Admin };
  before(async () => {
    env.cluster = await startGroupCluster();
    env.admin = new Admin({ 'bootstrap.servers': env.cluster.bootstrapServers });
    await env.admin.connect();
  });
  after(async () => {
    await env.admin?.close();
    await env.cluster?.stop();
  });
  return env;
}
