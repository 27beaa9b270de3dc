/**
 * A loopback TCP port that was free a moment ago: bind port 0 on 127.0.0.1, read the port the kernel chose, close.
 * Used by the launchers that start servers of their own (the local cluster, the benchmark peers) so that they can
 * run beside each other and beside anything else on the machine. Another process may take the port between this
 * check and its use; the servers then fail to bind and say so.
 */
import { createServer } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}
