/**
 * The cluster the parts of beyond-kafka.spec.ts share: started and stopped by that file's hooks, read by the parts
 * only inside their hooks and tests (the getters are undefined while mocha collects the tests).
 */
import type { Admin } from '../../../lib/client/index.js';
import type { TestCluster } from '../../helpers/cluster-harness.js';

export interface SharedCluster {
  readonly cluster: TestCluster;
  readonly admin: Admin;
  /** The brokers' zookeeper.session.timeout.ms: how long a SIGKILLed broker stays registered. */
  readonly sessionTimeoutMs: number;
}
