/**
 * A consumer group member as a process of its own, so that specs can SIGKILL it (spec/helpers/member-process.ts
 * starts and reads it). Configuration: the JSON of `MemberConfig` in argv[2].
 *
 * It subscribes with auto commit off, reads with run({ eachBatch }), and after every batch commits what it read.
 * stdout, one line per event (records of a batch in one write, before the batch's commit is sent):
 *   S                                started: SIGTERM now closes it in order (the parent waits for this to stop it)
 *   A <tp,...>                       partitions added to its assignment (tp = topic-partition)
 *   V <tp,...>                       partitions revoked (after committing their positions: Kafka's pattern)
 *   L <tp,...>                       partitions lost
 *   R <partition> <offset> <key> <value>
 *   C <partition> <offset>           a commit the coordinator acknowledged (the next offset to read)
 *   E <message>                      a commit refused (the group rebalanced meanwhile: Kafka's CommitFailedException)
 * SIGTERM closes the consumer (commit, LeaveGroup) and exits 0; a fatal consumer error exits 1 with it on stderr.
 * To debug a spec, MQ_SPEC_MEMBER_LOG_DIR=<dir> makes each member write its consumer's log (at MQ_LOG_LEVEL) to
 * <dir>/<client.id>-<pid>.log.
 */
import { join } from 'node:path';
import { Consumer, type ConsumerOptions, type TopicPartitionRef } from '../../lib/client/index.js';
import { createLogger } from '../../lib/common/logger.js';

export interface MemberConfig {
  topic: string;
  /** Consumer options (bootstrap.servers, group.id, ...); auto commit is always off. */
  consumer: ConsumerOptions;
  /** Pause after each batch, to keep records in flight when the member is killed. @default 0 */
  batchDelayMs?: number;
}

const config = JSON.parse(process.argv[2]!) as MemberConfig;
const out = (line: string) => process.stdout.write(line);
const tps = (partitions: TopicPartitionRef[]) => partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',');

const logDir = process.env['MQ_SPEC_MEMBER_LOG_DIR'];
const logger =
  logDir === undefined
    ? undefined
    : createLogger({ destination: join(logDir, `${String(config.consumer['client.id'])}-${process.pid}.log`) });
const consumer = new Consumer({ ...config.consumer, 'enable.auto.commit': false, ...(logger && { logger }) });
const connecting = consumer.connect();
// Installed before the connection is up: a spec may stop a member it has just started, and a SIGTERM that met
// Node's default action would end the process with no orderly close (exit code null instead of 0).
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void connecting
    .then(
      () => consumer.close(),
      () => undefined,
    )
    .then(() => process.exit(0));
});
out('S\n');
await connecting;
consumer.subscribe([config.topic], {
  onPartitionsAssigned: (partitions) => {
    out(`A ${tps(partitions)}\n`);
  },
  onPartitionsRevoked: async (partitions) => {
    await commitPositions(partitions);
    out(`V ${tps(partitions)}\n`);
  },
  onPartitionsLost: (partitions) => {
    out(`L ${tps(partitions)}\n`);
  },
});

/** Commits offsets and reports them once acknowledged, or reports the refusal. */
async function commit(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
  try {
    logger?.debug({ offsets }, 'member: committing');
    await consumer.commit(offsets);
    logger?.debug({ offsets }, 'member: committed');
    out(offsets.map((o) => `C ${o.partition} ${o.offset}\n`).join(''));
  } catch (err) {
    out(`E ${(err as Error).message.replace(/\n/g, ' ')}\n`);
  }
}

async function commitPositions(partitions: TopicPartitionRef[]): Promise<void> {
  const offsets = [];
  for (const tp of partitions) offsets.push({ ...tp, offset: await consumer.position(tp) });
  await commit(offsets);
}

try {
  await consumer.run({
    eachBatch: async ({ batch }) => {
      let lines = '';
      let next = -1;
      for (const r of batch) {
        lines += `R ${batch.partition} ${r.offset} ${r.key?.toString() ?? ''} ${r.value?.toString() ?? ''}\n`;
        next = r.offset + 1;
      }
      if (next < 0) return;
      out(lines);
      await commit([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      if (config.batchDelayMs) await new Promise((resolve) => setTimeout(resolve, config.batchDelayMs));
    },
  });
} catch (err) {
  process.stderr.write(`member failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
