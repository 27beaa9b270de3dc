/**
 * Asks every member of a ZooKeeper ensemble, outside any session, whether it serves clients (the four-letter word
 * `srvr`, which ZooKeeper whitelists by default), to tell "ZooKeeper has no quorum anywhere" from "I cannot reach
 * it". A client that cannot reach its ensemble cannot tell the two apart from its session alone; the difference
 * matters to a broker, whose self-fencing (ARCHITECTURE.md "Brokers follow ZooKeeper") protects against the second
 * but only costs availability in the first, where nothing can change in ZooKeeper and so no broker can be replaced.
 *
 * Each member is, for this check:
 * - `serving`: it answered with its mode (leader, follower, standalone);
 * - `not-serving`: it answered "This ZooKeeper instance is not currently serving requests" (no quorum);
 * - `down`: the connection was refused (nothing listens on its client port);
 * - `unknown`: no answer in time, or one that says nothing (srvr not whitelisted).
 *
 * No quorum is proven when no member serves and the unknown ones are fewer than a majority of the members: any
 * quorum would need a majority, and every majority includes a member known to be out of one. The proof holds for the
 * moment each member answered; a caller must treat it as stale soon after. It assumes the connect string lists every
 * member of the ensemble, and that a refused connection means a stopped server (a firewall that rejects rather than
 * drops packets would make a cut-off member look stopped).
 */
import { connect as netConnect } from 'node:net';

export type MemberState = 'serving' | 'not-serving' | 'down' | 'unknown';

/** `host:port` of each member, from zookeeper.connect's host list (no chroot). */
export function ensembleMembers(hosts: string): { host: string; port: number }[] {
  return hosts.split(',').map((h) => {
    const [host, port] = h.trim().split(':');
    return { host: host!, port: port === undefined ? 2181 : Number(port) };
  });
}

/** One member's state (see the header), within `timeoutMs`. */
export function memberState(host: string, port: number, timeoutMs: number): Promise<MemberState> {
  return new Promise((resolve) => {
    let answer = '';
    let settled = false;
    const done = (state: MemberState): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(state);
    };
    const socket = netConnect({ host, port }, () => socket.end('srvr'));
    socket.setTimeout(timeoutMs, () => done('unknown'));
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'down' : 'unknown'));
    socket.on('close', () =>
      done(/not currently serving/.test(answer) ? 'not-serving' : /^Mode: \w+/m.test(answer) ? 'serving' : 'unknown'),
    );
  });
}

/** Whether the states prove that no quorum exists (see the header). */
export function provesNoQuorum(states: readonly MemberState[]): boolean {
  if (states.length === 0 || states.includes('serving')) return false;
  const unknown = states.filter((s) => s === 'unknown').length;
  return unknown < Math.floor(states.length / 2) + 1;
}

/** Asks every member at once; resolves with whether no quorum is proven. */
export async function ensembleHasNoQuorum(hosts: string, timeoutMs: number): Promise<boolean> {
  const states = await Promise.all(ensembleMembers(hosts).map((m) => memberState(m.host, m.port, timeoutMs)));
  return provesNoQuorum(states);
}
