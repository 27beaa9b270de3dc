/**
 * The ZooKeeper ensemble's state for the cluster view: each server of a connect string asked with ZooKeeper's own
 * `srvr` four-letter command (its monitoring interface, enabled by `4lw.commands.whitelist`; one short TCP
 * exchange, no session), answered with its mode (standalone, leader, follower), version, latency and node count.
 *
 * `parseConnectString` and `parseSrvr` are pure; `probeZooKeeperServer` never rejects: a server that does not
 * answer within the timeout, refuses, or has `srvr` disabled is described with its problem.
 */
import { createConnection } from 'node:net';
import type { ZooKeeperServerView } from './api-types.js';

/** `h1:2181,h2:2181/chroot` → servers and chroot (null without one). */
export function parseConnectString(connect: string): { servers: string[]; chroot: string | null } {
  const slash = connect.indexOf('/');
  const hosts = slash < 0 ? connect : connect.slice(0, slash);
  const chroot = slash < 0 || connect.slice(slash) === '/' ? null : connect.slice(slash);
  const servers = hosts
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/:\d+$/.test(s) ? s : `${s}:2181`));
  return { servers, chroot };
}

/** The fields of a `srvr` answer that the console shows; null where a line is missing. */
export function parseSrvr(text: string): Omit<ZooKeeperServerView, 'address' | 'problem'> {
  const field = (name: string): string | null => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
    return line === undefined ? null : line.slice(name.length + 1).trim();
  };
  const int = (name: string): number | null => {
    const v = field(name);
    return v === null || !/^\d+$/.test(v) ? null : Number(v);
  };
  const version = field('Zookeeper version');
  return {
    mode: field('Mode'),
    // "3.8.0-abc123, built on ..."; Debian's build leaves the commit unfilled ("3.8.0-${mvngit.commit.id}").
    version: version === null ? null : (version.split(',')[0] ?? version).replace(/-\$\{[^}]*\}$/, '').trim(),
    latency: field('Latency min/avg/max'),
    outstanding: int('Outstanding'),
    znodes: int('Node count'),
  };
}

/** Asks one server `srvr`; resolves with what it said, or with the problem. */
export function probeZooKeeperServer(address: string, timeoutMs: number): Promise<ZooKeeperServerView> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  const down = (problem: string): ZooKeeperServerView => ({
    address,
    mode: null,
    version: null,
    latency: null,
    outstanding: null,
    znodes: null,
    problem,
  });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(down(`no answer to srvr within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.end('srvr'));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e) => {
      clearTimeout(timer);
      resolve(down(e.message));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.includes('is not executed because it is not in the whitelist')) {
        resolve(down("srvr is not enabled on this server (add it to ZooKeeper's 4lw.commands.whitelist)"));
      } else if (!text.includes('Mode:')) {
        resolve(down(text === '' ? 'closed the connection without answering srvr' : text.trim()));
      } else resolve({ address, ...parseSrvr(text), problem: null });
    });
  });
}
