/**
 * `mq-cluster fault ...`: inject a fault by hand into a cluster started with `mq-cluster up --netns --detach`, and
 * heal it. Thin actions over the fault library (lib/cli/faults/cluster-faults.ts), which works from the cluster's
 * cluster.json and touches only that cluster's hosts, files and processes. Faults stay in place when the command
 * exits; `fault heal` removes every network fault and frees every filled disk.
 *
 *   mq-cluster fault isolate --broker 1 --from peers|zookeeper|clients|all [--dir ./data]
 *   mq-cluster fault isolate-zk --member 2
 *   mq-cluster fault slow --host b1 [--rate-kbit 2000] [--loss-percent 5] [--delay-ms 100 [--jitter-ms 20]]
 *   mq-cluster fault fill-disk --broker 1 [--log-dir 0] [--leave-bytes 0]
 *   mq-cluster fault fail-io --broker 1 --topic t --partition 0 [--call write|fsync] [--error EIO|ENOSPC]
 *   mq-cluster fault zk-stop|zk-start --member 2
 *   mq-cluster fault heal
 */
import { Command, Option } from 'commander';
import { intArg } from './args.js';
import { ISOLATIONS, type Isolation } from './faults/cluster-faults.js';
import type { InjectedCall, InjectedError } from './faults/disk-faults.js';
import { recordedClusterFaults, toggleRecordedZooKeeperMember } from './local-cluster.js';

/** The `fault` command with its subcommands; `report` prints a line, `fail` records an error. */
export function faultCommand(report: (line: string) => void, fail: (e: unknown) => void): Command {
  const fault = new Command('fault').description(
    'Inject a fault into a cluster on simulated hosts (mq-cluster up --netns --detach), or heal it.',
  );
  const sub = (name: string, description: string) =>
    fault.command(name).description(description).option('--dir <path>', 'data directory given to up', './data');
  const act =
    <O extends { dir: string }>(f: (o: O) => Promise<string> | string) =>
    async (o: O) => {
      try {
        report(await f(o));
      } catch (e) {
        fail(e);
      }
    };

  sub('isolate', 'Cut a broker off from its peers, from ZooKeeper, from clients, or from all (both ways).')
    .requiredOption('--broker <id>', 'broker id', intArg('--broker', 1))
    .addOption(new Option('--from <what>', 'what to cut it off from').choices(ISOLATIONS).makeOptionMandatory())
    .action(
      act(
        (o: { dir: string; broker: number; from: Isolation }) =>
          recordedClusterFaults(o.dir).isolate(o.broker, o.from).description,
      ),
    );

  sub('isolate-zk', 'Cut a ZooKeeper member off from every other host and the clients.')
    .requiredOption('--member <n>', 'member number (1..ensemble size)', intArg('--member', 1))
    .action(
      act((o: { dir: string; member: number }) => recordedClusterFaults(o.dir).isolateZooKeeper(o.member).description),
    );

  sub('slow', "Make a host's link slow and lossy, both ways (tc netem).")
    .requiredOption('--host <name>', 'simulated host: b<broker id> or zk<member>')
    .option('--rate-kbit <n>', 'bandwidth cap each way, kbit/s (tc tbf)', intArg('--rate-kbit', 8))
    .option('--delay-ms <ms>', 'delay each way (tc netem; the kernel needs sch_netem)', intArg('--delay-ms', 0), 0)
    .option('--jitter-ms <ms>', 'random variation of the delay', intArg('--jitter-ms', 0), 0)
    .option('--loss-percent <n>', 'packets dropped at random each way', intArg('--loss-percent', 0), 0)
    .action(
      act(
        (o: { dir: string; host: string; rateKbit?: number; delayMs: number; jitterMs: number; lossPercent: number }) =>
          recordedClusterFaults(o.dir).degradeLink(o.host, o).description,
      ),
    );

  sub('fill-disk', "Fill a broker's log dir (a tmpfs: up --log-dir-tmpfs) but --leave-bytes.")
    .requiredOption('--broker <id>', 'broker id', intArg('--broker', 1))
    .option('--log-dir <index>', 'which of its log dirs, from 0', intArg('--log-dir', 0), 0)
    .option('--leave-bytes <n>', 'bytes to leave free', intArg('--leave-bytes', 0), 0)
    .action(
      act(
        (o: { dir: string; broker: number; logDir: number; leaveBytes: number }) =>
          recordedClusterFaults(o.dir).fillLogDir(o.broker, o.logDir, o.leaveBytes).description,
      ),
    );

  sub('fail-io', "Make a broker's next write or fsync on a partition's active segment fail (strace).")
    .requiredOption('--broker <id>', 'broker id', intArg('--broker', 1))
    .requiredOption('--topic <name>', 'topic of the partition')
    .requiredOption('--partition <n>', 'partition', intArg('--partition', 0))
    .addOption(new Option('--call <call>', 'system call to fail').choices(['write', 'fsync']).default('write'))
    .addOption(new Option('--error <errno>', 'error to return').choices(['EIO', 'ENOSPC']).default('EIO'))
    .action(
      act(
        async (o: {
          dir: string;
          broker: number;
          topic: string;
          partition: number;
          call: InjectedCall;
          error: InjectedError;
        }) => {
          await recordedClusterFaults(o.dir).failNextIo(o.broker, o.call, o.error, o.topic, o.partition);
          return `broker ${o.broker}: a ${o.call} on ${o.topic}-${o.partition}'s active segment failed with ${o.error}`;
        },
      ),
    );

  for (const action of ['stop', 'start'] as const) {
    sub(`zk-${action}`, `${action === 'stop' ? 'Stop' : 'Start again'} a ZooKeeper member (with its data).`)
      .requiredOption('--member <n>', 'member number (1..ensemble size)', intArg('--member', 1))
      .action(
        act(async (o: { dir: string; member: number }) => {
          await toggleRecordedZooKeeperMember(o.dir, o.member, action);
          return `ZooKeeper member ${o.member} ${action === 'stop' ? 'stopped' : 'started'}`;
        }),
      );
  }

  sub('heal', 'Remove every network fault of every host and free every filled log dir.').action(
    act((o: { dir: string }) => {
      const faults = recordedClusterFaults(o.dir);
      const healed = [...faults.healNetwork(), ...faults.emptyLogDirs().map((d) => `${d}: freed`)];
      return healed.length > 0 ? `Healed:\n${healed.map((h) => `  ${h}`).join('\n')}` : 'Nothing to heal.';
    }),
  );
  return fault;
}
