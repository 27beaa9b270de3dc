/**
 * Network faults between simulated hosts (host-network.ts), each a packet-filter table in the namespace of the host
 * it targets (packet-filter.ts): cutting a host off from some addresses in both directions, and dropping a share of
 * its packets at random. Established connections are cut too (the rules match every packet, not only new
 * connections), and nothing is reset: once healed, TCP retransmissions get through, as after a real network fault.
 *
 * Each fault's table is named after the fault (`mq_fault_cut_<label>`, `mq_fault_loss`), so a command-line user can
 * inject one, exit, and heal it later (`healHost` removes every fault table of a host).
 * Needs root and nftables.
 */
import { UsageError } from '../cli-errors.js';
import type { HostNetwork } from './host-network.js';
import { deleteFaultTables, PacketFilterTable, type NftRunner } from './packet-filter.js';

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

/** Drops `percent`% of the packets host `target` sends and of those it receives, at random, from anyone. */
export function packetLoss(network: HostNetwork, target: string, percent: number, opts: NetworkFaultOptions): Fault {
  if (!Number.isInteger(percent) || percent < 1 || percent > 100)
    throw new UsageError(`Packet loss must be a whole percentage from 1 to 100, not ${percent}.`);
  const rule = `numgen random mod 100 < ${percent} drop`;
  const table = new PacketFilterTable('loss', nftIn(network, target), { input: [rule], output: [rule] }, opts);
  return { description: `host ${target} loses ${percent}% of its packets each way`, heal: () => table.delete() };
}

/** Removes every network fault of host `target`; returns the tables removed. */
export function healHost(network: HostNetwork, target: string): string[] {
  return deleteFaultTables(() => network.runIn(target, 'nft', ['list', 'tables']), nftIn(network, target));
}

function nftIn(network: HostNetwork, target: string): NftRunner {
  return (script) => {
    network.runIn(target, 'nft', ['-f', '-'], script);
  };
}
