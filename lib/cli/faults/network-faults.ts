/**
 * Network faults between simulated hosts (host-network.ts): cutting a host off from some addresses in both
 * directions (a packet-filter table in the host's namespace, packet-filter.ts), and a slow, lossy link (tc on both
 * ends of the host's veth pair: a tbf bandwidth cap, a netem delay; random loss by a packet-filter table).
 * Established connections are cut too (the rules match every packet, not only new connections), and nothing is
 * reset: once healed, TCP retransmissions get through, as after a real network fault.
 *
 * Each fault's table is named after it (`mq_fault_cut_<label>`, `mq_fault_loss`), so a command-line user can inject
 * one, exit, and heal it later (`healHost` removes every fault table and link shaping of a host).
 * Needs root, nftables and iproute2 (tc; a delay also needs the kernel's sch_netem, which some kernels lack).
 */
import { CommandError, UsageError } from '../cli-errors.js';
import type { HostNetwork } from './host-network.js';
import { deleteFaultTables, PacketFilterTable, type NftRunner } from './packet-filter.js';
import { requireRoot, run, undoOnExit } from './system-command.js';

/** A fault in place, until `heal()`. */
export interface Fault {
  readonly description: string;
  heal(): void;
}

export interface NetworkFaultOptions {
  /** Remove the fault when this process exits (specs); false for faults injected from the command line. */
  removeOnExit: boolean;
}

/**
 * Drops every packet between host `target` and the addresses `addresses`, both ways. `label` names the fault
 * (lowercase letters, digits, underscores): a host can be cut from several sets at once.
 */
export function cutOff(
  network: HostNetwork,
  target: string,
  addresses: readonly string[],
  label: string,
  opts: NetworkFaultOptions,
): Fault {
  if (addresses.length === 0) throw new UsageError(`Nothing to cut host ${target} off from (${label}).`);
  const set = `{ ${addresses.join(', ')} }`;
  const table = new PacketFilterTable(
    `cut_${label}`,
    nftIn(network, target),
    { input: [`ip saddr ${set} drop`], output: [`ip daddr ${set} drop`] },
    opts,
  );
  return {
    description: `host ${target} cut off from ${addresses.join(', ')} (${label})`,
    heal: () => table.delete(),
  };
}

/** How a slow or lossy link behaves, each way. */
export interface LinkDegradation {
  /** Bandwidth cap in kbit/s (tc tbf): more traffic queues, then drops. @default none */
  rateKbit?: number;
  /** Share of packets dropped at random (0-100; a packet filter). @default 0 */
  lossPercent?: number;
  /** Added to every packet's trip (tc netem: the kernel needs sch_netem). @default 0 */
  delayMs?: number;
  /** Up to this much more or less than `delayMs`, at random. @default 0 */
  jitterMs?: number;
}

/**
 * Makes host `target`'s link slow and lossy, both ways: queueing disciplines on each end of its veth pair (`eth0`
 * inside the host for what it sends, the bridge's end for what it receives) — tbf for the bandwidth cap, netem (as
 * tbf's child when both) for the delay — and a packet-filter table in the host dropping `lossPercent`% of what it
 * sends and receives. Every peer, ZooKeeper and client sees the same link.
 */
export function degradeLink(
  network: HostNetwork,
  target: string,
  how: LinkDegradation,
  opts: NetworkFaultOptions,
): Fault {
  const { rateKbit, lossPercent = 0, delayMs = 0, jitterMs = 0 } = how;
  if (![delayMs, jitterMs].every((n) => Number.isInteger(n) && n >= 0 && n <= 60_000))
    throw new UsageError(`Delay and jitter are whole milliseconds from 0 to 60000, not ${delayMs} and ${jitterMs}.`);
  if (jitterMs > 0 && delayMs === 0) throw new UsageError('A jitter needs a delay to vary.');
  if (!Number.isInteger(lossPercent) || lossPercent < 0 || lossPercent > 100)
    throw new UsageError(`Packet loss is a whole percentage from 0 to 100, not ${lossPercent}.`);
  if (rateKbit !== undefined && !(Number.isInteger(rateKbit) && rateKbit >= 8))
    throw new UsageError(`A bandwidth cap is a whole number of kbit/s, at least 8, not ${rateKbit}.`);
  if (delayMs === 0 && lossPercent === 0 && rateKbit === undefined)
    throw new UsageError('A degraded link needs a bandwidth cap, a packet loss or a delay.');
  requireRoot('A degraded link');
  const netem = delayMs > 0 ? ['netem', 'delay', `${delayMs}ms`, ...(jitterMs > 0 ? [`${jitterMs}ms`] : [])] : [];
  // tbf's queue holds up to a second of traffic at the cap; what is beyond waits or drops, as on a saturated link.
  const tbf = rateKbit === undefined ? [] : ['tbf', 'rate', `${rateKbit}kbit`, 'burst', '16kbit', 'latency', '1s'];
  const tc = (runTc: (args: string[]) => void, dev: string) => {
    if (tbf.length > 0) {
      runTc(['qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', ...tbf]);
      if (netem.length > 0) runTc(['qdisc', 'replace', 'dev', dev, 'parent', '1:1', 'handle', '10:', ...netem]);
    } else if (netem.length > 0) runTc(['qdisc', 'replace', 'dev', dev, 'root', ...netem]);
  };
  const bridgeEnd = network.host(target).link;
  const lossTable =
    lossPercent === 0
      ? undefined
      : new PacketFilterTable(
          'loss',
          nftIn(network, target),
          {
            input: [`numgen random mod 100 < ${lossPercent} drop`],
            output: [`numgen random mod 100 < ${lossPercent} drop`],
          },
          opts,
        );
  try {
    tc((args) => network.runIn(target, 'tc', args), HOST_LINK);
    tc((args) => run('tc', args), bridgeEnd);
  } catch (e) {
    lossTable?.delete();
    restoreLink(network, target);
    throw netem.length > 0 && String((e as Error).message).includes('qdisc kind is unknown')
      ? new CommandError(
          `This kernel has no netem queueing discipline (module sch_netem), which a delay needs; a bandwidth cap ` +
            `and a packet loss work without it.`,
          { cause: e },
        )
      : e;
  }
  const parts = [
    ...(rateKbit === undefined ? [] : [`${rateKbit} kbit/s`]),
    ...(delayMs > 0 ? [`${delayMs} ms${jitterMs > 0 ? ` ± ${jitterMs} ms` : ''} delay`] : []),
    ...(lossPercent > 0 ? [`${lossPercent}% loss`] : []),
  ];
  let healed = false;
  const heal = () => {
    if (healed) return;
    healed = true;
    forgetOnExit?.();
    lossTable?.delete();
    restoreLink(network, target);
  };
  const forgetOnExit = opts.removeOnExit ? undoOnExit(heal) : undefined;
  return { description: `host ${target}'s link: ${parts.join(', ')}, each way`, heal };
}

const HOST_LINK = 'eth0';
const SHAPING = /\b(tbf|netem)\b/;

/** Removes the shaping (tbf, netem) of both ends of host `target`'s link, if any; returns whether there was some. */
function restoreLink(network: HostNetwork, target: string): boolean {
  const inHost = SHAPING.test(network.runIn(target, 'tc', ['qdisc', 'show', 'dev', HOST_LINK]));
  if (inHost) network.runIn(target, 'tc', ['qdisc', 'del', 'dev', HOST_LINK, 'root']);
  const bridgeEnd = network.host(target).link;
  const atBridge = SHAPING.test(run('tc', ['qdisc', 'show', 'dev', bridgeEnd]));
  if (atBridge) run('tc', ['qdisc', 'del', 'dev', bridgeEnd, 'root']);
  return inHost || atBridge;
}

/** Removes every network fault of host `target`; returns what was removed (packet-filter tables, link shaping). */
export function healHost(network: HostNetwork, target: string): string[] {
  const tables = deleteFaultTables(() => network.runIn(target, 'nft', ['list', 'tables']), nftIn(network, target));
  return restoreLink(network, target) ? [...tables, 'link shaping (tc)'] : tables;
}

function nftIn(network: HostNetwork, target: string): NftRunner {
  return (script) => {
    network.runIn(target, 'nft', ['-f', '-'], script);
  };
}
