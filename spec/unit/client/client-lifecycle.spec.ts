import { expect } from 'chai';
import { IllegalStateError } from '../../../lib/common/errors.js';
import { CLIENT_STATE_TRANSITIONS, ClientLifecycle } from '../../../lib/client/client-lifecycle.js';

describe('ClientLifecycle', () => {
  describe('#connect', () => {
    it('moves New → Connecting → Connected, and refuses a second connect()', async () => {
      const life = new ClientLifecycle('Producer');
      const seen: string[] = [];
      await life.connect(async () => {
        seen.push(life.state);
      });
      expect(seen).to.deep.equal(['Connecting']);
      expect(life.isConnected).to.equal(true);
      await life
        .connect(async () => undefined)
        .then(
          () => expect.fail('a second connect() must be refused'),
          (e: unknown) =>
            expect(e)
              .to.be.instanceOf(IllegalStateError)
              .with.property('message')
              .match(/connect once/),
        );
    });

    it('goes back to New when connecting fails, so that connect() may be tried again', async () => {
      const life = new ClientLifecycle('Admin');
      const refused = new Error('no broker answered');
      await life.connect(() => Promise.reject(refused)).catch((e: unknown) => expect(e).to.equal(refused));
      expect(life.state).to.equal('New');
      await life.connect(async () => undefined);
      expect(life.state).to.equal('Connected');
    });
  });

  describe('#beginClose', () => {
    it('answers the state it closed from once, and null to every later close()', async () => {
      const life = new ClientLifecycle('Consumer');
      await life.connect(async () => undefined);
      expect(life.beginClose()).to.equal('Connected');
      expect(life.beginClose()).to.equal(null);
      life.closed();
      expect(life.beginClose()).to.equal(null);
      expect(life.state).to.equal('Closed');
    });

    it('closes a client that never connected', () => {
      const life = new ClientLifecycle('Consumer');
      expect(life.beginClose()).to.equal('New');
      life.closed();
      expect(life.state).to.equal('Closed');
    });
  });

  describe('#requireConnected', () => {
    it('names the client, the call and what to do when not connected', async () => {
      const life = new ClientLifecycle('Producer');
      expect(() => life.requireConnected('send()')).to.throw(IllegalStateError, /producer is New: send\(\) needs/);
      await life.connect(async () => undefined);
      expect(() => life.requireConnected('send()')).not.to.throw();
      life.beginClose();
      expect(() => life.requireConnected('send()')).to.throw(IllegalStateError, /producer is closed.*after close\(\)/);
    });
  });

  describe('transition table', () => {
    const { allowed, forbidden } = CLIENT_STATE_TRANSITIONS.edges();
    it('allows exactly the lifecycle edges', () => {
      expect(allowed.map(([from, to]) => `${from}>${to}`).sort()).to.deep.equal(
        [
          'New>Connecting',
          'Connecting>New',
          'Connecting>Connected',
          'New>Closing',
          'Connecting>Closing',
          'Connected>Closing',
          'Closing>Closed',
        ].sort(),
      );
      expect(forbidden).to.have.length(25 - 7);
    });
  });
});
