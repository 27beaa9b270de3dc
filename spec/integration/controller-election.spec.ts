/**
 * Controller election and fencing with three in-process controllers, each on its own ZooKeeper session, against a
 * real ZooKeeper: one wins, the epoch increments on every change of controller, a zombie's writes are refused.
 */
import { expect } from 'chai';
import { ControllerMovedError } from '../../lib/zk/zk-errors.js';
import { expireSession } from '../helpers/zk-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { ControllerTestCluster, SESSION_TIMEOUT_MS } from './controller-test-cluster.js';

describe('KafkaController election', function () {
  this.timeout(60_000); // above expireSession()'s own bound (10 attempts of up to 5 s) on a loaded machine

  describe('#startup', () => {
    it('makes exactly one of three brokers the active controller, with epoch 1', async () => {
      const cluster = await ControllerTestCluster.start([1, 2, 3]);
      const active = await cluster.waitForActiveController();
      expect(active.controller.epoch).to.equal(1);
      expect(await cluster.adminZk.getControllerEpoch()).to.include({ epoch: 1 });
      const others = [...cluster.brokers.values()].filter((b) => b !== active);
      for (const b of others) {
        expect(b.controller.isActive).to.equal(false);
        expect(b.controller.activeControllerCount).to.equal(0);
        await waitFor(
          () => b.controller.activeControllerId === active.id,
          `broker ${b.id} to see controller ${active.id}`,
        );
      }
      expect(active.controller.activeControllerCount).to.equal(1);
    });
  });

  describe('failover', () => {
    it('makes another broker active with epoch 2 within the session timeout when the active session closes', async () => {
      const cluster = await ControllerTestCluster.start([1, 2, 3]);
      const first = await cluster.waitForActiveController();
      const closedAt = Date.now();
      await cluster.killBroker(first.id);
      const second = await cluster.waitForActiveController('a new controller');
      expect(Date.now() - closedAt).to.be.below(SESSION_TIMEOUT_MS);
      expect(second.id).to.not.equal(first.id);
      expect(second.controller.epoch).to.equal(2);
      expect(await cluster.adminZk.getControllerEpoch()).to.include({ epoch: 2 });
    });

    it('hands over at once when the active controller shuts down cleanly', async () => {
      const cluster = await ControllerTestCluster.start([1, 2]);
      const first = await cluster.waitForActiveController();
      const resigned = new Promise<void>((resolve) => first.controller.once('resigned', resolve));
      await cluster.stopBroker(first.id);
      await resigned;
      const second = await cluster.waitForActiveController('the other broker to take over');
      expect(second.controller.epoch).to.equal(2);
    });

    it("refuses a zombie controller's fenced write with ControllerMovedError and changes nothing", async () => {
      const cluster = await ControllerTestCluster.start([1, 2, 3]);
      await cluster.createTopic('fenced', 1, 3);
      const before = await cluster.waitForState('fenced', 0, () => true, 'a state znode');
      const zombieEpochZkVersion = (await cluster.adminZk.getControllerEpoch())!.epochZkVersion;
      const first = await cluster.waitForActiveController();
      await cluster.killBroker(first.id);
      await cluster.waitForActiveController('a new controller');

      const write = cluster.adminZk.updatePartitionState(
        { topic: 'fenced', partition: 0 },
        { leader: first.id, leaderEpoch: before.leaderEpoch + 10, isr: [first.id], controllerEpoch: 1 },
        before.zkVersion,
        zombieEpochZkVersion,
      );
      const error = await write.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ControllerMovedError);
      const after = await cluster.state('fenced', 0);
      expect(after?.leaderEpoch).to.not.equal(before.leaderEpoch + 10);
      expect(after?.controllerEpoch).to.be.at.most(2);
    });
  });

  describe('session expiry', () => {
    it('resigns before anything else and races again on the new session', async () => {
      const cluster = await ControllerTestCluster.start([1, 2]);
      const first = await cluster.waitForActiveController();
      let activeWhenExpiredSeen: boolean | undefined;
      first.zk.zk.once('expired', () => (activeWhenExpiredSeen = first.controller.isActive));
      await expireSession(first.zk.zk);
      expect(activeWhenExpiredSeen).to.equal(false);
      const next = await cluster.waitForActiveController('a controller after the expiry');
      expect(next.controller.epoch).to.equal(2);
      expect(await cluster.adminZk.getControllerEpoch()).to.include({ epoch: 2 });
    });
  });
});
