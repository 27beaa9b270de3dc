/**
 * `mq-admin`: the operator's tool, one subcommand per Kafka script it stands in for, with Kafka's flags and output:
 *
 *   mq-admin topics    --bootstrap-server H:P --list | --create | --describe | --alter | --delete ...   (kafka-topics)
 *   mq-admin configs   --bootstrap-server H:P --describe | --alter ...                               (kafka-configs)
 *   mq-admin acls      --bootstrap-server H:P --add | --remove | --list ...                             (kafka-acls)
 *   mq-admin groups    --bootstrap-server H:P --list | --describe | --delete | --reset-offsets ...   (kafka-consumer-groups)
 *   mq-admin produce   --bootstrap-server H:P --topic T                                        (kafka-console-producer)
 *   mq-admin consume   --bootstrap-server H:P --topic T [--from-beginning]                      (kafka-console-consumer)
 *   mq-admin offsets   --bootstrap-server H:P [--topic REGEX] [--time -1|-2|ms]                    (kafka-get-offsets)
 *   mq-admin api-versions --bootstrap-server H:P                                           (kafka-broker-api-versions)
 *   mq-admin log-dirs  --bootstrap-server H:P --describe [--broker-list 1,2] [--topic-list t]    (kafka-log-dirs)
 *   mq-admin dump-log  --files 00000000000000000000.log [--print-data-log]       (kafka-dump-log, offline)
 *   mq-admin delete-records --bootstrap-server H:P --offset-json-file F                      (kafka-delete-records)
 *   mq-admin leader-election --bootstrap-server H:P --election-type preferred|unclean --topic T --partition P |
 *            --all-topic-partitions | --path-to-json-file F                                 (kafka-leader-election)
 *   mq-admin verifiable-producer --bootstrap-server H:P --topic T [--max-messages N]   (kafka-verifiable-producer)
 *   mq-admin reassign-partitions --zookeeper Z --reassignment-json-file F --execute | --verify
 *                                                                          (ZooKeeper-era kafka-reassign-partitions)
 *   mq-admin preferred-replica-election --zookeeper Z [--path-to-json-file F] (kafka-preferred-replica-election)
 *   mq-admin verifiable-consumer --bootstrap-server H:P --topic T --group-id G [--enable-autocommit]
 *                                                                       (kafka-verifiable-consumer, JSON events)
 *   mq-admin delayed   --bootstrap-server H:P --describe [--topic T]              (mq's own: delayed delivery)
 *   mq-admin find      --bootstrap-server H:P --topic T --key K | --time T | --offset N    (mq's own: find a record)
 *   mq-admin dlq       --bootstrap-server H:P --list | --describe | --redrive --topic T [--to T] [--where k=v]
 *                                                                              (mq's own: dead-letter topics)
 *   mq-admin transactions --bootstrap-server H:P list | describe | describe-producers | find-hanging | abort
 *                                                                                         (kafka-transactions)
 *   mq-admin console   --bootstrap-server H:P [--zookeeper Z] [--port 8080] [--read-only]   (a web console)
 *
 * Exit codes: 0 on success, 1 on a usage error or a failed operation (the cause on stderr). Returns the code; only
 * bin/mq-admin exits.
 */
import { Command } from 'commander';
import { runProgram } from './args.js';
import { aclsCommand } from './admin/acls-command.js';
import { apiVersionsCommand } from './admin/api-versions-command.js';
import { configsCommand } from './admin/configs-command.js';
import { delayedCommand } from './admin/delayed-command.js';
import { dlqCommand } from './admin/dlq-command.js';
import { consoleCommand } from './admin/console-command.js';
import { deleteRecordsCommand } from './admin/delete-records-command.js';
import { dumpLogCommand } from './admin/dump-log-command.js';
import { findCommand } from './admin/find-command.js';
import type { ExitStatus } from './admin/connection.js';
import { consumeCommand } from './admin/console-consumer.js';
import { produceCommand } from './admin/console-producer.js';
import { groupsCommand } from './admin/groups-command.js';
import { leaderElectionCommand } from './admin/leader-election-command.js';
import { logDirsCommand } from './admin/log-dirs-command.js';
import { offsetsCommand } from './admin/offsets-command.js';
import { preferredElectionCommand } from './admin/preferred-election-command.js';
import { reassignCommand } from './admin/reassign-command.js';
import { topicsCommand } from './admin/topics-command.js';
import { verifiableProducerCommand } from './admin/verifiable-producer-command.js';
import { verifiableConsumerCommand } from './admin/verifiable-consumer-command.js';
import { transactionsCommand } from './admin/transactions-command.js';

export async function main(argv: string[]): Promise<number> {
  const status: ExitStatus = { code: 0 };
  const program = new Command('mq-admin')
    .description(
      'Administer an mq cluster: topics, configs (topics, brokers, quotas and SCRAM users), ACLs, consumer groups, ' +
        'transactions, records from the console, record deletion, leader elections and partition reassignment. ' +
        "Each command takes Kafka's flags; run mq-admin <command> --help for them; --json on the read-only ones.",
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const command of [
    topicsCommand(),
    configsCommand(),
    aclsCommand(),
    groupsCommand(status),
    produceCommand(status),
    consumeCommand(),
    offsetsCommand(),
    apiVersionsCommand(status),
    logDirsCommand(),
    deleteRecordsCommand(status),
    leaderElectionCommand(),
    dumpLogCommand(status),
    reassignCommand(),
    preferredElectionCommand(),
    verifiableProducerCommand(),
    verifiableConsumerCommand(),
    delayedCommand(),
    findCommand(status),
    dlqCommand(),
    consoleCommand(),
    transactionsCommand(),
  ]) {
    program.addCommand(command.exitOverride());
  }
  return runProgram('mq-admin', program, argv, () => status.code);
}
