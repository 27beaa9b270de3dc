/**
 * Telling "ZooKeeper has no quorum anywhere" from "this client cannot reach it", from the members' own answers; the
 * members here are local sockets answering `srvr` as ZooKeeper does.
 */
import { expect } from 'chai';
import net from 'node:net';
import { ensembleHasNoQuorum, memberState, provesNoQuorum } from '../../../lib/zk/quorum-check.js';
import { defer } from '../../helpers/cleanup.js';

/** A local server answering every connection with `answer` (or never, with null). */
async function fakeMember(answer: string | null): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', () => {
      if (answer !== null) s.end(answer);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(server, (srv) => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => srv.close(r));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('quorum-check', () => {
  it("reads each member's state from its srvr answer, a refused connection or silence", async () => {
    const serving = await fakeMember('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0/0\nMode: follower\n');
    const notServing = await fakeMember('This ZooKeeper instance is not currently serving requests\n');
    const silent = await fakeMember(null);
    const down = await closedPort();
    const states = await Promise.all(
      [serving, notServing, down, silent].map((port) => memberState('127.0.0.1', port, 300)),
    );
    expect(states).to.deep.equal(['serving', 'not-serving', 'down', 'unknown']);
  });

  it('proves no quorum only when no member serves and the unknown ones are not a majority', () => {
    expect(provesNoQuorum(['not-serving', 'down', 'down'])).to.equal(true);
    expect(provesNoQuorum(['down'])).to.equal(true);
    expect(provesNoQuorum(['not-serving', 'unknown', 'down'])).to.equal(true);
    expect(provesNoQuorum(['not-serving', 'unknown', 'unknown']), 'two unknown members may serve').to.equal(false);
    expect(provesNoQuorum(['serving', 'down', 'down'])).to.equal(false);
    expect(provesNoQuorum(['unknown'])).to.equal(false);
    expect(provesNoQuorum([])).to.equal(false);
  });

  it('asks every member of a connect string', async () => {
    const notServing = await fakeMember('This ZooKeeper instance is not currently serving requests\n');
    const down = await closedPort();
    expect(await ensembleHasNoQuorum(`127.0.0.1:${notServing},127.0.0.1:${down}`, 300)).to.equal(true);
    const serving = await fakeMember('Mode: leader\n');
    expect(await ensembleHasNoQuorum(`127.0.0.1:${notServing},127.0.0.1:${serving}`, 300)).to.equal(false);
  });
});
