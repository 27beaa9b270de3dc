import { expect } from 'chai';
import type { TopicDescription } from '../../../lib/client/index.js';
import { brokerViews, partitionView, topicSummary, type ProbeResult } from '../../../lib/console/cluster-health.js';

const partition = (p: number, leader: number, replicas: number[], isr: number[]) => ({
  partition: p,
  leader,
  leaderEpoch: 0,
  replicas,
  isr,
  offlineReplicas: [],
});

const orders: TopicDescription = {
  name: 'orders',
  isInternal: false,
  partitions: [
    partition(0, 1, [1, 2, 3], [1, 2, 3]),
    partition(1, 2, [2, 3, 1], [2, 1]),
    partition(2, -1, [3, 4], [3]),
  ],
};

const address = (port: number) => ({ host: '127.0.0.1', port, rack: null });
const ok: ProbeResult = { apis: [{ apiKey: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 3 }] };

describe('console cluster health', () => {
  it('tells online, unreachable (registered, silent) and offline (known, unregistered) brokers apart', () => {
    const views = brokerViews({
      registered: new Map([
        [1, address(9092)],
        [2, address(9093)],
      ]),
      known: new Map([[3, address(9094)]]),
      probes: new Map<number, ProbeResult>([
        [1, ok],
        [2, { error: 'connect ECONNREFUSED' }],
      ]),
      controllerId: 1,
      topics: [orders],
      sizes: new Map([
        [1, 100],
        [2, 200],
      ]),
    });
    expect(views.map((b) => [b.id, b.status, b.port])).to.deep.equal([
      [1, 'online', 9092],
      [2, 'unreachable', 9093],
      [3, 'offline', 9094],
      // Named only in a replica list: known to exist, never seen registered.
      [4, 'offline', null],
    ]);
    expect(views[0]).to.include({ isController: true, leaderOf: 1, followerOf: 1, underReplicated: 0, sizeBytes: 100 });
    expect(views[0]!.problem).to.equal(null);
    // Broker 2 leads partition 1, whose ISR lacks broker 3; its size is not shown while it does not answer.
    expect(views[1]).to.include({ leaderOf: 1, followerOf: 1, underReplicated: 1, sizeBytes: null, apis: null });
    expect(views[1]!.problem).to.match(/does not answer: connect ECONNREFUSED/);
    expect(views[2]!.problem).to.match(/Not registered/);
  });

  it("flags a partition's ISR when it shrank or holds a broker that is not online, and its leader when down", () => {
    const status = (id: number) => (id === 2 ? 'unreachable' : id === 4 ? 'offline' : 'online');
    const [p0, p1, p2] = orders.partitions.map((p) => partitionView(p, status));
    expect(p0).to.include({ underReplicated: false, leaderDown: false });
    expect(p0!.isrNotOnline).to.deep.equal([2]);
    expect(p1).to.include({ underReplicated: true, leaderDown: true });
    expect(p2).to.include({ underReplicated: true, leaderDown: true });
  });

  it('sums a topic from its partitions: under-replicated, offline, at risk, and size only when every leader answered', () => {
    const status = () => 'online' as const;
    const summary = topicSummary(
      orders,
      status,
      new Map([
        [0, 10],
        [1, 20],
        [2, 30],
      ]),
      12.5,
    );
    expect(summary).to.deep.equal({
      name: 'orders',
      internal: false,
      partitions: 3,
      replicationFactor: 3,
      underReplicated: 2,
      offline: 1,
      atRisk: 1,
      sizeBytes: 60,
      messagesPerSec: 12.5,
    });
    expect(topicSummary(orders, status, new Map([[0, 10]]), null).sizeBytes).to.equal(null);
  });
});
