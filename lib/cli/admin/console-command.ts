/**
 * `mq-admin console`: serves the web console (lib/console) until Ctrl-C or SIGTERM:
 *
 *   mq-admin console --bootstrap-server H:P [--zookeeper Z] [--port 8080] [--host 127.0.0.1]
 *                    [--command-config F] [--read-only] [--refresh-interval-ms 2000]
 *
 * Prints the console's address on stdout once it has read the cluster and listens (`Console: http://...`), then
 * `Stopped.` after a clean stop. The client configs of --command-config are used by every client the console
 * makes (Admin, Producer, Consumers), as with the other commands. Fails with exit code 1 when the cluster (or
 * ZooKeeper, with --zookeeper) cannot be reached or the port is taken.
 */
import { Command } from 'commander';
import { createLogger } from '../../common/logger.js';
import { ConsoleServer } from '../../console/console-server.js';
import { DEFAULT_CONSOLE_OPTIONS } from '../../console/console-options.js';
import { intArg } from '../args.js';
import { clientProperties, withConnectionOptions, type ConnectionFlags } from './connection.js';

interface ConsoleFlags extends ConnectionFlags {
  zookeeper?: string;
  port: number;
  host: string;
  readOnly?: boolean;
  refreshIntervalMs: number;
}

export function consoleCommand(): Command {
  return withConnectionOptions(new Command('console'))
    .description(
      'Serve a web console for the cluster: brokers, topics, partitions, records, consumer groups and their lag, ' +
        'reassignments. Open the printed address in a browser; Ctrl-C stops it.',
    )
    .option(
      '--zookeeper <host:port[/chroot]>',
      "the cluster's ZooKeeper, to show the ensemble's state and reassignments in flight (read only)",
    )
    .option(
      '--port <port>',
      'the port to serve on (0 picks a free one)',
      intArg('--port', 0),
      DEFAULT_CONSOLE_OPTIONS.port,
    )
    .option(
      '--host <address>',
      'the address to bind; anything but loopback lets other machines open the console',
      DEFAULT_CONSOLE_OPTIONS.host,
    )
    .option('--read-only', 'refuse every change: topics, configs, offsets and test records')
    .option(
      '--refresh-interval-ms <ms>',
      'how often the cluster is read and the pages updated',
      intArg('--refresh-interval-ms', 100),
      DEFAULT_CONSOLE_OPTIONS.refreshIntervalMs,
    )
    .addHelpText(
      'after',
      `
Examples:
  mq-admin console --bootstrap-server localhost:9092
  mq-admin console --bootstrap-server localhost:9092 --zookeeper localhost:2181 --read-only --port 9000`,
    )
    .action(async (flags: ConsoleFlags) => {
      const server = await ConsoleServer.start({
        clientProperties: clientProperties(flags, flags.commandConfig),
        host: flags.host,
        port: flags.port,
        readOnly: flags.readOnly === true,
        refreshIntervalMs: flags.refreshIntervalMs,
        ...(flags.zookeeper === undefined ? {} : { zookeeper: flags.zookeeper }),
        logger: createLogger({ name: 'mq-console', level: process.env['MQ_LOG_LEVEL'] ?? 'warn', destination: 2 }),
      });
      process.stdout.write(`Console: ${server.url}${flags.readOnly === true ? ' (read-only)' : ''}\n`);
      process.stdout.write('Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
      process.stdout.write('Stopped.\n');
    });
}
