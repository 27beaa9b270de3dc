import { expect } from 'chai';
import { TimeoutError } from '../../lib/common/errors.js';
import { ZkClient, type ZkClientOptions, type ZkNodeData } from '../../lib/zk/zk-client.js';
import { ZkError } from '../../lib/zk/zk-errors.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';
import { expireSession, sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

async function expectZkError(p: Promise<unknown>, code: string): Promise<ZkError> {
  const e = await rejection(p);
  expect(e).to.be.instanceOf(ZkError);
  expect((e as ZkError).zkCode).to.equal(code);
  return e as ZkError;
}

describe('ZkClient', function () {
  this.timeout(60_000); // above expireSession()'s own bound (10 attempts of up to 5 s) on a loaded machine
  let server: string;
  let connect: string;

  before(async () => {
    server = (await sharedZooKeeper()).connect;
  });

  beforeEach(() => {
    connect = uniqueChroot(server);
  });

  async function open(opts: Partial<ZkClientOptions> = {}): Promise<ZkClient> {
    const zk = defer(new ZkClient({ connect, sessionTimeoutMs: 6000, ...opts }), (c) => c.close());
    await zk.connect();
    return zk;
  }

  describe('#connect', () => {
    it('creates a missing chroot and works relative to it', async () => {
      connect = `${uniqueChroot(server)}/nested/deeper`;
      const zk = await open();
      await zk.create('/a', b('1'));
      const root = await open({ connect: server });
      const chroot = connect.slice(server.length);
      expect((await root.getData(`${chroot}/a`))?.data.toString()).to.equal('1');
      expect(await zk.getChildren('/')).to.deep.equal(['a']);
    });

    it('rejects with a TimeoutError when no server answers', async () => {
      const zk = new ZkClient({ connect: '127.0.0.1:1', connectionTimeoutMs: 300 });
      const e = await rejection(zk.connect());
      expect(e).to.be.instanceOf(TimeoutError);
      expect((e as Error).message).to.contain('Could not connect to ZooKeeper at 127.0.0.1:1 within 300 ms');
      await zk.close();
    });
  });

  describe('#create', () => {
    it('creates persistent, ephemeral and sequential znodes', async () => {
      const zk = await open();
      expect(await zk.create('/p', b('x'))).to.equal('/p');
      await zk.create('/e', null, { mode: 'EPHEMERAL' });
      const first = await zk.create('/s-', null, { mode: 'PERSISTENT_SEQUENTIAL' });
      const second = await zk.create('/s-', null, { mode: 'PERSISTENT_SEQUENTIAL' });
      expect(first).to.match(/^\/s-\d{10}$/);
      expect(second > first).to.equal(true);
      expect((await zk.exists('/e'))?.ephemeralOwner).to.equal(zk.sessionId);
      expect((await zk.exists('/p'))?.ephemeralOwner).to.equal('0');
      expect((await zk.getData('/e'))?.data.length).to.equal(0);
    });

    it('fails with NODE_EXISTS and NO_NODE, and creates parents on request', async () => {
      const zk = await open();
      await zk.create('/p');
      await expectZkError(zk.create('/p'), 'NODE_EXISTS');
      const e = await expectZkError(zk.create('/missing/child'), 'NO_NODE');
      expect(e.path).to.equal('/missing/child');
      await zk.create('/missing/child', b('c'), { createParents: true });
      expect((await zk.getData('/missing/child'))?.data.toString()).to.equal('c');
      await zk.ensurePath('/missing/child/grandchild');
      expect(await zk.getChildren('/missing/child')).to.deep.equal(['grandchild']);
    });
  });

  describe('#setData / #delete', () => {
    it('honours expected versions', async () => {
      const zk = await open();
      await zk.create('/n', b('v0'));
      const node = await zk.getData('/n');
      expect(node?.stat.version).to.equal(0);
      expect((await zk.setData('/n', b('v1'), 0)).version).to.equal(1);
      await expectZkError(zk.setData('/n', b('stale'), 0), 'BAD_VERSION');
      expect((await zk.getData('/n'))?.data.toString()).to.equal('v1');
      await expectZkError(zk.delete('/n', 0), 'BAD_VERSION');
      await zk.delete('/n', 1);
      expect(await zk.getData('/n')).to.equal(null);
      expect(await zk.exists('/n')).to.equal(null);
      await expectZkError(zk.delete('/n'), 'NO_NODE');
    });

    it('deletes subtrees recursively and tolerates a missing one', async () => {
      const zk = await open();
      await zk.create('/t/a/b', null, { createParents: true });
      await zk.create('/t/c', null);
      await zk.deleteRecursive('/t');
      expect(await zk.exists('/t')).to.equal(null);
      await zk.deleteRecursive('/t');
      expect(await zk.getChildren('/t')).to.equal(null);
    });

    it('deletes nothing more once its guard znode has changed', async () => {
      const zk = await open();
      await zk.create('/guard');
      await zk.create('/t/a', null, { createParents: true });
      await zk.setData('/guard', b('moved'));
      const e = await expectZkError(zk.deleteRecursive('/t', { path: '/guard', version: 0 }), 'BAD_VERSION');
      expect(e.failedOpIndex).to.equal(0);
      expect(await zk.exists('/t/a')).to.not.equal(null);
      await zk.deleteRecursive('/t', { path: '/guard', version: 1 });
      expect(await zk.exists('/t')).to.equal(null);
    });
  });

  describe('#multi', () => {
    it('applies every op and returns typed results', async () => {
      const zk = await open();
      await zk.create('/m', b('0'));
      const [check, created, set, made] = await zk.multi([
        { type: 'check', path: '/m', version: 0 },
        { type: 'create', path: '/seq-', data: b('s'), mode: 'PERSISTENT_SEQUENTIAL' },
        { type: 'setData', path: '/m', data: b('1'), version: 0 },
        { type: 'create', path: '/gone' },
      ] as const);
      expect(check).to.deep.equal({ type: 'check' });
      expect(created.path).to.match(/^\/seq-\d{10}$/);
      expect(set.stat.version).to.equal(1);
      expect(made.path).to.equal('/gone');
      expect(await zk.multi([{ type: 'delete', path: '/gone', version: 0 }] as const)).to.deep.equal([
        { type: 'delete' },
      ]);
      expect(await zk.exists('/gone')).to.equal(null);
    });

    it('applies nothing when a check fails, naming the failing op', async () => {
      const zk = await open();
      await zk.create('/m', b('0'));
      await zk.setData('/m', b('1'));
      const e = await expectZkError(
        zk.multi([
          { type: 'create', path: '/side-effect' },
          // Version 0 must be checked as 0, not as "any version" (node-zookeeper-client's `version || -1`).
          { type: 'check', path: '/m', version: 0 },
          { type: 'setData', path: '/m', data: b('2') },
        ] as const),
        'BAD_VERSION',
      );
      expect(e.failedOpIndex).to.equal(1);
      expect(e.path).to.equal('/m');
      expect(await zk.exists('/side-effect')).to.equal(null);
      expect((await zk.getData('/m'))?.data.toString()).to.equal('1');
    });
  });

  describe('#watchData', () => {
    it('delivers the current state first and ends with the last of rapid changes', async () => {
      const zk = await open();
      const writer = await open();
      const seen: (string | null)[] = [];
      let running = 0;
      let overlapped = false;
      defer(
        zk.watchData('/w', async (node) => {
          overlapped ||= running > 0;
          running++;
          seen.push(node === null ? null : node.data.toString());
          await new Promise((r) => setImmediate(r));
          running--;
        }),
        (unsubscribe) => unsubscribe(),
      );
      await waitFor(() => seen.length === 1, 'the initial state');
      expect(seen).to.deep.equal([null]);
      await writer.create('/w', b('0'));
      await Promise.all([writer.setData('/w', b('1')), writer.setData('/w', b('2')), writer.setData('/w', b('3'))]);
      await waitFor(() => seen.at(-1) === '3', 'the last value');
      expect(overlapped).to.equal(false);
      await writer.delete('/w');
      await waitFor(() => seen.at(-1) === null, 'the deletion');
    });

    it('stops after unsubscribe', async () => {
      const zk = await open();
      const seen: (ZkNodeData | null)[] = [];
      const unsubscribe = zk.watchData('/w', (node) => seen.push(node));
      await zk.create('/w', b('0'));
      await waitFor(() => seen.at(-1) !== null, 'the creation');
      unsubscribe();
      const count = seen.length;
      await zk.setData('/w', b('1'));
      // A later watch on the same znode sees the change, so the first would have had time to see it too.
      const later: (ZkNodeData | null)[] = [];
      defer(
        zk.watchData('/w', (node) => later.push(node)),
        (u) => u(),
      );
      await waitFor(() => later.at(-1)?.data.toString() === '1', 'the second watch');
      expect(seen.length).to.equal(count);
    });
  });

  describe('#watchChildren', () => {
    it('follows a parent from missing to populated to deleted', async () => {
      const zk = await open();
      const seen: (string[] | null)[] = [];
      defer(
        zk.watchChildren('/parent', (children) => seen.push(children === null ? null : [...children].sort())),
        (u) => u(),
      );
      await waitFor(() => seen.length === 1, 'the initial state');
      expect(seen[0]).to.equal(null);
      await zk.create('/parent');
      await waitFor(() => seen.at(-1)?.length === 0, 'the empty parent');
      await zk.create('/parent/a');
      await zk.create('/parent/b');
      await waitFor(() => seen.at(-1)?.join() === 'a,b', 'both children');
      await zk.deleteRecursive('/parent');
      await waitFor(() => seen.at(-1) === null, 'the deletion');
    });
  });

  describe('#watchExists', () => {
    it('reports creation with the stat and deletion as null', async () => {
      const zk = await open();
      const seen: (number | null)[] = [];
      defer(
        zk.watchExists('/x', (stat) => seen.push(stat === null ? null : stat.version)),
        (u) => u(),
      );
      await waitFor(() => seen.length === 1, 'the initial state');
      await zk.create('/x');
      await waitFor(() => seen.at(-1) === 0, 'the creation');
      await zk.setData('/x', b('1'));
      await waitFor(() => seen.at(-1) === 1, 'the data change');
      await zk.delete('/x');
      await waitFor(() => seen.at(-1) === null, 'the deletion');
    });
  });

  describe('chroot', () => {
    it('isolates clients in different chroots', async () => {
      const one = await open();
      const other = await open({ connect: uniqueChroot(server) });
      await one.create('/same', b('one'));
      await other.create('/same', b('other'));
      expect((await one.getData('/same'))?.data.toString()).to.equal('one');
      expect((await other.getData('/same'))?.data.toString()).to.equal('other');
      await one.create('/only-one');
      expect(await other.exists('/only-one')).to.equal(null);
      expect(await other.getChildren('/')).to.deep.equal(['same']);
    });
  });

  describe('session expiry', () => {
    it('emits expired, drops ephemerals, starts a new session and re-arms watches', async () => {
      const zk = await open();
      const writer = await open();
      const events: string[] = [];
      for (const event of ['expired', 'newSession'] as const) zk.on(event, () => events.push(event));
      await zk.create('/registration', b('me'), { mode: 'EPHEMERAL' });
      await writer.create('/watched', b('before'));
      const seen: (string | null)[] = [];
      defer(
        zk.watchData('/watched', (node) => seen.push(node?.data.toString() ?? null)),
        (u) => u(),
      );
      await waitFor(() => seen.at(-1) === 'before', 'the initial state');
      const oldSession = zk.sessionId;

      await expireSession(zk);
      expect(events[0]).to.equal('expired');
      await waitFor(() => events.includes('newSession'), 'the new session');
      expect(zk.sessionId).to.not.equal(oldSession);
      expect(await writer.exists('/registration')).to.equal(null);

      await writer.setData('/watched', b('after'));
      await waitFor(() => seen.at(-1) === 'after', 'the change seen through the re-armed watch');
      expect(events).to.deep.equal(['expired', 'newSession']);
    });

    it('fails operations of the expired session with SESSION_EXPIRED', async () => {
      const zk = await open();
      let outcome: Promise<unknown> | undefined;
      zk.once('expired', () => {
        // Issued by an 'expired' listener, so still bound to the session that just expired.
        outcome = rejection(zk.getData('/anything'));
      });
      await expireSession(zk);
      const e = await outcome;
      expect(e).to.be.instanceOf(ZkError);
      expect((e as ZkError).zkCode).to.equal('SESSION_EXPIRED');
    });
  });

  describe('#close', () => {
    it('ends the session so that its ephemeral znodes vanish at once', async () => {
      const zk = new ZkClient({ connect, sessionTimeoutMs: 6000 });
      await zk.connect();
      await zk.create('/e', null, { mode: 'EPHEMERAL' });
      const observer = await open();
      expect(await observer.exists('/e')).to.not.equal(null);
      await zk.close();
      expect(await observer.exists('/e')).to.equal(null);
      await expectZkError(zk.getData('/e'), 'CONNECTION_LOSS');
    });
  });
});
