/**
 * `mq-broker --config server.properties [--override key=value ...]`: runs one broker in the foreground.
 * SIGTERM / SIGINT shut it down cleanly (controlled shutdown, flush, trim, clean-shutdown marker); a second
 * signal exits at once. Exit code 1 on a configuration or start-up error, with the cause on stderr.
 *
 * Environment: MQ_TEST_DURABILITY_JOURNAL=1 makes the broker record in each log dir how much of every segment its
 * flushes made durable (lib/log/durability-journal.ts), which the power-loss fault of the test tools reads. For
 * tests only; no config key turns it on.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseProperties } from '../common/config-def.js';
import { createLogger } from '../common/logger.js';
import { MqError } from '../common/errors.js';
import { BROKER_CONFIG, parseBrokerConfig } from './broker-config.js';
import { Broker } from './broker.js';
import { DYNAMIC_BROKER_CONFIGS } from './dynamic-broker-config.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('mq-broker')
    .description('Run an mq broker (a Kafka-compatible broker coordinated by ZooKeeper).')
    .requiredOption('--config <file>', 'server.properties file with the broker config (Kafka keys)')
    .option('--override <key=value...>', 'override a property from the config file (repeatable)')
    .option('--help-config', 'print every config key with its default and exit')
    .exitOverride();
  program.addHelpText('after', '\nExample: mq-broker --config config/server.properties --override broker.id=2');
  if (argv.includes('--help-config')) {
    for (const key of Object.values(BROKER_CONFIG.fields)) {
      const dflt =
        key.default === undefined
          ? '(required)'
          : Array.isArray(key.default)
            ? key.default.join(',')
            : String(key.default);
      // Kafka's "Update Mode": dynamic keys can be changed on running brokers with mq-admin configs.
      const mode = DYNAMIC_BROKER_CONFIGS.has(key.name) ? 'cluster-wide' : 'read-only';
      process.stdout.write(`${key.name} (${key.type}, default ${dflt}, update mode ${mode})\n    ${key.doc}\n`);
    }
    return 0;
  }
  let opts: { config: string; override?: string[] };
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts();
  } catch (e) {
    const err = e as { exitCode?: number; code?: string };
    return err.code === 'commander.helpDisplayed' ? 0 : (err.exitCode ?? 1);
  }

  let config;
  try {
    const props = parseProperties(readFileSync(opts.config, 'utf8'));
    for (const o of opts.override ?? []) {
      const i = o.indexOf('=');
      if (i <= 0) throw new MqError('MQ_ERR_INVALID_ARG', `--override expects key=value, got '${o}'.`);
      props[o.slice(0, i)] = o.slice(i + 1);
    }
    config = parseBrokerConfig(props);
  } catch (e) {
    process.stderr.write(`mq-broker: ${(e as Error).message}\n`);
    return 1;
  }

  const logger = createLogger({ name: 'mq-broker' });
  const broker = new Broker(config, { logger, durabilityJournal: process.env.MQ_TEST_DURABILITY_JOURNAL === '1' });
  try {
    await broker.startup();
  } catch (e) {
    logger.fatal({ err: e }, 'broker failed to start');
    logger.flush();
    process.stderr.write(`mq-broker: ${(e as Error).message}\n`);
    await broker.shutdown().catch(() => undefined);
    return 1;
  }

  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal: sig }, 'second signal: exiting without a clean shutdown');
        logger.flush();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal: sig }, 'shutting down');
      resolveStop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    broker.once('fatal', () => resolveStop());
  });
  await broker.shutdown();
  logger.info('shut down cleanly');
  logger.flush();
  return broker.fatalError ? 1 : 0;
}
