/**
 * Scenario: machines lose power, one at a time — first a follower, then the leader. Three brokers on hosts of their
 * own running with the durability journal, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a
 * consumer group throughout. A power loss is SIGKILL plus the loss of everything not flushed (lib/cli/faults/
 * power-loss.ts): with Kafka's defaults brokers never fsync on their own, so a broker comes back with little or
 * nothing of its recent log.
 *
 * - Follower: it recovers what it kept, fetches the rest from the leader and rejoins the ISR.
 * - Leader: the controller elects a follower of the ISR (which holds every acknowledged record in its memory, since
 *   acks=all waited for it); the old leader comes back, truncates to the new leader's log and catches up.
 * - Nothing acknowledged is lost, because no acknowledged record lived on one machine only.
 *
 * The limit, "last replica standing": with min.insync.replicas=1 a leader cut off from its peers shrinks the ISR to
 * itself and goes on acknowledging alone; when it then loses power, what it had not flushed is gone — as with Kafka,
 * which relies on replication, not fsync (docs/ARCHITECTURE.md). It is the only replica the controller may elect
 * (unclean election is off), so when it comes back its followers truncate to its shorter log: every acknowledged
 * value past what it had flushed is lost, and nothing else (the log is a prefix of what was acknowledged, the
 * replicas identical). With every write flushed before it is acknowledged (log.flush.interval.messages=1, the
 * broker default of the topics' flush.messages) the same sequence loses nothing.
 *
 * Coming back: the restarted broker registers as soon as its old ZooKeeper session expires (6 s after the power
 * loss). If the controller handles that expiry only after the new registration (a bounce), the state znode it finds
 * still names broker 1 leader in the old leader epoch; the broker must not lead on it (that state was written for
 * its earlier run), or its followers would truncate to it and join an ISR the controller is about to replace with
 * its election — which then picks one of them, and broker 1 never leads again. The third case forces that order by
 * holding the other brokers (the controller among them) while broker 1 registers again.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import type { Verdict } from '../helpers/checker/workload.js';
import { FaultCluster, REPLICA_LAG_TIME_MAX_MS, SESSION_TIMEOUT_MS } from '../helpers/fault-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'power-loss';

describe('Fault: power loss of a follower, of the leader, of the last replica standing', function () {
  this.timeout(300_000);

  it('recovers both from their replicas and loses nothing acknowledged', async () => {
    const cluster = await FaultCluster.start({ brokers: 3, durabilityJournal: true });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(600, 'before the power losses');

    const followerCut = await cluster.faults.powerLoss(3);
    expect(followerCut.length, 'segments that lost unflushed bytes on the follower').to.be.greaterThan(0);
    await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(3), 'the follower out of the ISR');
    await workload.ackedMore(300, 'with the follower down');
    await cluster.local.startBroker(3);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the follower back in the ISR');
    await workload.ackedMore(300, 'after the follower came back');

    const leaderCut = await cluster.faults.powerLoss(1);
    expect(leaderCut.length, 'segments that lost unflushed bytes on the leader').to.be.greaterThan(0);
    const moved = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== 1, 'a new leader');
    expect([2, 3]).to.include(moved.leader);
    await workload.ackedMore(300, 'with the new leader');
    await cluster.local.startBroker(1);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the old leader back in the ISR');
    await workload.ackedMore(300, 'after the old leader came back');
    expectNoAnomalies('power loss of a follower, then of the leader', await workload.check());
  });

  /**
   * The leader, cut off from its peers, acknowledges alone (min.insync.replicas=1), stops producing, loses power, and
   * comes back as the only replica that may lead; returns the histories' verdict and how many acknowledged values
   * were past the end of the final log.
   */
  async function lastReplicaStanding(
    topic: string,
    brokerProps: Record<string, string | number> = {},
    restartSeenAsBounce = false,
  ): Promise<{ verdict: Verdict; ackedPastEnd: number }> {
    const cluster = await FaultCluster.start({ brokers: 3, durabilityJournal: true, brokerProps });
    await cluster.createTopic(topic, [[1, 2, 3]], { 'min.insync.replicas': '1' });
    const workload = new Workload({ cluster: cluster.local, topic, partitions: 1 });
    await workload.ackedMore(300, 'with every replica in sync');

    const cut = cluster.inject(cluster.faults.isolate(1, 'peers'));
    await cluster.waitForState(
      topic,
      0,
      (s) => s.isr.length === 1,
      'the ISR shrunk to the leader',
      REPLICA_LAG_TIME_MAX_MS * 4,
    );
    await workload.ackedMore(300, 'by the last replica standing');
    await workload.producer.stop();
    const lostAt = Date.now();
    const registration = (await cluster.brokerSessions())[1];
    await cluster.faults.powerLoss(1);
    cut.heal();
    if (restartSeenAsBounce) {
      const started = cluster.local.startBroker(1);
      // Hold brokers 2 and 3 (the controller is one of them) from before broker 1's old session can expire until
      // broker 1 registered again: the controller then sees the expiry and the registration as one change. Their
      // own sessions (6 s) outlive the hold.
      await new Promise((r) => setTimeout(r, Math.max(0, SESSION_TIMEOUT_MS - 2000 - (Date.now() - lostAt))));
      for (const id of [2, 3]) await cluster.local.signalBroker(id, 'SIGSTOP');
      try {
        await waitFor(
          async () => ![undefined, registration].includes((await cluster.brokerSessions())[1]),
          'broker 1 registered again',
        );
      } finally {
        for (const id of [2, 3]) await cluster.local.signalBroker(id, 'SIGCONT');
      }
      await started;
    } else await cluster.local.startBroker(1);
    await cluster.waitForState(
      topic,
      0,
      (s) => s.leader === 1 && s.isr.length === 3,
      'broker 1 leading again, with its followers back in sync',
    );
    const verdict = await workload.check();
    const ackedPastEnd = workload.producer.acked.filter((a) => a.offset >= verdict.finalRecords).length;
    return { verdict, ackedPastEnd };
  }

  it('the last replica standing loses what it had not flushed (the documented limit), and only that', async () => {
    const { verdict, ackedPastEnd } = await lastReplicaStanding('power-loss-last-replica');
    const { counts } = verdict.report;
    process.stdout.write(
      `      ${counts['lost-write']} of ${verdict.acked} acknowledged values lost; ${verdict.finalRecords} left in the log\n`,
    );
    expect(counts['lost-write'], 'acknowledged values lost with the unflushed log').to.be.greaterThan(0);
    expect(counts['lost-write'], 'lost values are exactly those past the end of the log').to.equal(ackedPastEnd);
    expect(counts['inconsistent-offsets'], 'offsets holding two values').to.equal(0);
    expect(counts['duplicate'], 'duplicates').to.equal(0);
    expect(counts['replica-divergence'], 'replicas that differ').to.equal(0);
  });

  it('the last replica standing leads again when the controller sees its restart as a bounce', async () => {
    const { verdict, ackedPastEnd } = await lastReplicaStanding('power-loss-bounce', {}, true);
    const { counts } = verdict.report;
    expect(counts['lost-write'], 'lost values are exactly those past the end of the log').to.equal(ackedPastEnd);
    expect(counts['inconsistent-offsets'], 'offsets holding two values').to.equal(0);
    expect(counts['duplicate'], 'duplicates').to.equal(0);
    expect(counts['replica-divergence'], 'replicas that differ').to.equal(0);
  });

  it('the last replica standing loses nothing when every write is flushed before it is acknowledged', async () => {
    const { verdict, ackedPastEnd } = await lastReplicaStanding('power-loss-flushed', {
      'log.flush.interval.messages': 1,
    });
    expect(ackedPastEnd, 'acknowledged values past the end of the log').to.equal(0);
    expectNoAnomalies('power loss of the last replica standing, every write flushed', verdict);
  });
});
