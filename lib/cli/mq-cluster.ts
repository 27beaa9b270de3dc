/**
 * `mq-cluster`: a local cluster on loopback for trying mq out and for scripts.
 *
 *   mq-cluster up --brokers 3 --dir ./data [--zk-port 2181] [--zk-ensemble 3] [--port 9092]
 *                 [--kafka-port 9192 | --no-kafka] [--secure] [--netns] [--log-dirs N] [--log-dir-tmpfs BYTES]
 *                 [--detach] [--no-check]
 *   mq-cluster down --dir ./data
 *   mq-cluster fault <isolate|isolate-zk|slow|fill-disk|fail-io|zk-stop|zk-start|heal> --dir ./data ...
 *
 * `up` runs in the foreground until Ctrl-C or SIGTERM, then stops everything cleanly; with `--detach` it
 * returns once the cluster is up and `down` stops it later. Every broker also opens a listener speaking Apache
 * Kafka's own protocol (KAFKA, on --kafka-port + i - 1) for kcat and other Kafka clients, unless --no-kafka. Once the brokers are registered, `up` sends a record
 * through a replicated topic and reads it back (lib/cli/cluster-check.ts) and says so; `--no-check` skips that.
 * With `--netns` (root), every ZooKeeper member and every broker runs on a simulated host of its own (a network
 * namespace with its own address on a private bridge), so that `fault` (lib/cli/fault-command.ts) can cut, slow
 * and fill them one at a time.
 * `--secure` makes every listener SASL_SSL with SCRAM, turns ACLs on with a super user and ZooKeeper ACLs, and
 * prints how to connect: the client configs file and a kcat command line (cluster-security.ts).
 */
import { Command } from 'commander';
import { errorText, intArg, propArg, runProgram } from './args.js';
import { CHECK_TOPIC, checkCluster } from './cluster-check.js';
import { join } from 'node:path';
import { faultCommand } from './fault-command.js';
import { LocalCluster } from './local-cluster.js';

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('mq-cluster')
    .description('Start and stop a local mq cluster (ZooKeeper plus brokers on loopback).')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('up')
    .description('Start ZooKeeper and N brokers; stays in the foreground until Ctrl-C unless --detach.')
    .option('--brokers <n>', 'number of brokers', intArg('--brokers', 1), 3)
    .option('--dir <path>', 'data directory (ZooKeeper data, broker logs and configs)', './data')
    .option(
      '--zk-port <port>',
      'ZooKeeper client port (of the first member of an ensemble)',
      intArg('--zk-port', 0),
      2181,
    )
    .option(
      '--zk-ensemble <n>',
      'ZooKeeper members to start, on consecutive ports (3: the cluster survives the loss of one)',
      intArg('--zk-ensemble', 1),
      1,
    )
    .option('--port <port>', 'port of broker 1; broker i listens on port + i - 1', intArg('--port', 0), 9092)
    .option(
      '--kafka-port <port>',
      "port of broker 1's listener for Kafka clients (Kafka's wire protocol); broker i's is kafka-port + i - 1 " +
        '(default: port + 100, or 0 with --port 0)',
      intArg('--kafka-port', 0),
    )
    .option('--no-kafka', 'open no listener for Kafka clients')
    .option(
      '--secure',
      'TLS + SCRAM on every listener, ACLs on with a super user, znodes with ZooKeeper ACLs; prints how to connect',
    )
    .option('--override <key=value>', 'broker property for every broker (repeatable)', propArg, {})
    .option(
      '--netns',
      'run every ZooKeeper member and broker on a simulated host of its own (network namespaces; needs root), ' +
        'for mq-cluster fault',
    )
    .option('--log-dirs <n>', 'log dirs per broker (log.dirs)', intArg('--log-dirs', 1), 1)
    .option(
      '--log-dir-tmpfs <bytes>',
      'mount every log dir as a tmpfs of this size (needs root)',
      intArg('--log-dir-tmpfs', 1 << 20),
    )
    .option('--detach', 'return once the cluster is up; stop it with mq-cluster down')
    .option('--no-check', `skip the round trip through the topic ${CHECK_TOPIC} once the brokers are up`)
    .action(
      async (o: {
        brokers: number;
        dir: string;
        zkPort: number;
        zkEnsemble: number;
        port: number;
        kafkaPort?: number;
        kafka: boolean;
        override: Record<string, string>;
        netns?: boolean;
        logDirs: number;
        logDirTmpfs?: number;
        secure?: boolean;
        detach?: boolean;
        check: boolean;
      }) => {
        const cluster = new LocalCluster({
          dir: o.dir,
          brokers: o.brokers,
          zkPort: o.zkPort,
          zkEnsemble: o.zkEnsemble,
          port: o.port,
          kafkaPort: o.kafka ? o.kafkaPort : null,
          brokerProps: o.override,
          detached: !!o.detach,
          netns: !!o.netns,
          logDirsPerBroker: o.logDirs,
          ...(o.logDirTmpfs === undefined ? {} : { logDirTmpfsBytes: o.logDirTmpfs }),
          secure: !!o.secure,
        });
        const zk = o.zkEnsemble > 1 ? `a ZooKeeper ensemble of ${o.zkEnsemble}` : 'ZooKeeper';
        const where = o.netns
          ? `${zk} and ${o.brokers} broker(s) on simulated hosts of their own`
          : `${zk} ${o.zkEnsemble > 1 ? 'from' : 'on'} 127.0.0.1:${o.zkPort} and ${o.brokers} broker(s)`;
        process.stdout.write(`Starting ${where} in ${cluster.dir} ...\n`);
        try {
          await cluster.start();
        } catch (e) {
          process.stderr.write(`mq-cluster: ${(e as Error).message}\n`);
          await cluster.stop().catch(() => undefined);
          code = 1;
          return;
        }
        process.stdout.write(`ZooKeeper: ${cluster.zookeeperConnect}\n`);
        for (const id of cluster.brokerIds().sort((a, b) => a - b)) {
          const b = cluster.broker(id);
          const kafka = b.kafkaPort >= 0 ? `, Kafka clients ${b.host}:${b.kafkaPort}` : '';
          process.stdout.write(`broker ${id}: ${b.host}:${b.port}${kafka} (pid ${b.pid}, log ${b.dir}/broker.log)\n`);
        }
        process.stdout.write(`bootstrap.servers=${cluster.bootstrapServers}\n`);
        if (cluster.kafkaBootstrapServers !== '') {
          process.stdout.write(`Kafka clients (kcat, KafkaJS, librdkafka, Java): ${cluster.kafkaBootstrapServers}\n`);
        }
        if (o.secure) process.stdout.write(secureClusterHelp(cluster));
        if (o.check) {
          try {
            const c = await checkCluster(cluster.bootstrapServers, o.brokers, 30_000, cluster.adminProperties);
            process.stdout.write(
              `Cluster check: a record sent with acks=all to ${CHECK_TOPIC}-0 (leader ${c.leader}, replicas ` +
                `${c.replicas.join(',')}, in sync ${c.isr.join(',')}) was stored at offset ${c.offset} and read back, in ${c.elapsedMs} ms.\n`,
            );
          } catch (e) {
            process.stderr.write(
              `mq-cluster: the cluster started but its check failed: ${errorText(e)}. The brokers' logs are listed ` +
                'above; the cluster keeps running.\n',
            );
            code = 1;
          }
        }
        if (o.detach) {
          process.stdout.write(`Detached. Stop with: mq-cluster down --dir ${o.dir}\n`);
          return;
        }
        process.stdout.write('Press Ctrl-C to stop.\n');
        await new Promise<void>((resolveStop) => {
          const stop = (sig: string) => {
            process.stdout.write(`\n${sig}: stopping brokers and ZooKeeper ...\n`);
            resolveStop();
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
        });
        await cluster.stop();
        process.stdout.write('Stopped.\n');
      },
    );

  program
    .command('down')
    .description('Stop a cluster started with up --detach.')
    .option('--dir <path>', 'data directory given to up', './data')
    .action(async (o: { dir: string }) => {
      try {
        const stopped = await LocalCluster.down(o.dir);
        process.stdout.write(stopped.length ? `Stopped ${stopped.join(', ')}.\n` : 'Nothing was running.\n');
      } catch (e) {
        process.stderr.write(`mq-cluster: ${(e as Error).message}\n`);
        code = 1;
      }
    });

  program.addCommand(
    faultCommand(
      (line) => process.stdout.write(`${line}\n`),
      (e) => {
        process.stderr.write(`mq-cluster: ${errorText(e)}\n`);
        code = 1;
      },
    ),
  );

  return runProgram('mq-cluster', program, argv, () => code);
}

/** How to connect to a secured cluster: the super user's configs file, an mq-admin and a kcat command line. */
function secureClusterHelp(cluster: LocalCluster): string {
  const admin = cluster.superUser!;
  const configFile = join(cluster.dir, 'admin.properties');
  const kafka = cluster.kafkaBootstrapServers;
  return (
    'Security: every listener is SASL_SSL (SCRAM-SHA-256/512, TLS with the CA in ' +
    `${cluster.caFile}); ACLs are on; super user ${admin.user}, password ${admin.password}.\n` +
    `Client configs of the super user: ${configFile}\n` +
    `  ./bin/mq-admin topics --bootstrap-server ${cluster.bootstrapServers} --command-config ${configFile} --list\n` +
    `  ./bin/mq-admin configs --bootstrap-server ${cluster.bootstrapServers} --command-config ${configFile} ` +
    "--alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-512=[password=alice-secret]'\n" +
    `  ./bin/mq-admin acls --bootstrap-server ${cluster.bootstrapServers} --command-config ${configFile} ` +
    '--add --allow-principal User:alice --operation Read --topic orders --group billing\n' +
    (kafka === ''
      ? ''
      : `  kcat -b ${kafka} -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 ` +
        `-X sasl.username=${admin.user} -X sasl.password=${admin.password} -X ssl.ca.location=${cluster.caFile} -L\n`) +
    `ZooKeeper znodes carry ACLs: tools that write them need KAFKA_OPTS='${cluster.kafkaOpts}'.\n`
  );
}
