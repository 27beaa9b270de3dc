/**
 * Packet-filter rules for faults, each fault in an nftables table of its own (`inet` family, an input and an output
 * base chain at filter priority), so that adding and healing a fault only ever touches that table — never a rule
 * someone else wrote. A table lives either in a simulated host's network namespace (where every table is ours, and
 * `deleteFaultTables` clears them all) or in the machine's own namespace (loopback faults of specs, named after the
 * process that made them).
 *
 * Cleanup: `delete()` removes the table. A table made with `removeOnExit` is also removed by an exit hook,
 * synchronously, if the process exits first (a spec that failed before healing, mocha interrupted); tables of
 * `mq-cluster fault` outlive the command until `mq-cluster fault heal` or `down`.
 */
import { CommandError } from '../cli-errors.js';
import { requireRoot, run, undoOnExit } from './system-command.js';

/** Runs nft with a script on stdin where the table lives (a namespace, or the machine's). */
export type NftRunner = (script: string) => void;

/** The machine's own namespace. */
export const hostNft: NftRunner = (script) => {
  run('nft', ['-f', '-'], script);
};

/** Every table a fault creates starts with this. */
export const FAULT_TABLE_PREFIX = 'mq_fault_';

export class PacketFilterTable {
  private deleted = false;
  private readonly forgetOnExit: (() => void) | undefined;

  /**
   * Creates table `FAULT_TABLE_PREFIX + name` with an input and an output chain (policy accept); `rules` (nft rule
   * syntax, without `add rule`) go in, all in one transaction, so a fault is in place entirely or not at all.
   */
  constructor(
    readonly name: string,
    private readonly nft: NftRunner,
    rules: { input?: readonly string[]; output?: readonly string[] },
    opts: { removeOnExit: boolean },
  ) {
    requireRoot('A packet-filter fault');
    if (!/^[a-z0-9_]+$/.test(name)) throw new CommandError(`Invalid fault table name '${name}'.`);
    const table = `${FAULT_TABLE_PREFIX}${name}`;
    const add = (chain: string, list: readonly string[] | undefined) =>
      (list ?? []).map((r) => `add rule inet ${table} ${chain} ${r}\n`).join('');
    nft(
      `table inet ${table} {\n` +
        '  chain input { type filter hook input priority filter; policy accept; }\n' +
        '  chain output { type filter hook output priority filter; policy accept; }\n' +
        '}\n' +
        add('input', rules.input) +
        add('output', rules.output),
    );
    this.forgetOnExit = opts.removeOnExit ? undoOnExit(() => this.delete()) : undefined;
  }

  get table(): string {
    return `${FAULT_TABLE_PREFIX}${this.name}`;
  }

  /** Removes the table and its rules. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.forgetOnExit?.();
    this.nft(`delete table inet ${this.table}\n`);
  }
}

/** Deletes every fault table where `list` and `nft` run (a simulated host's namespace); returns their names. */
export function deleteFaultTables(list: () => string, nft: NftRunner): string[] {
  const tables = [...list().matchAll(/^table inet (\S+)/gm)]
    .map((m) => m[1]!)
    .filter((t) => t.startsWith(FAULT_TABLE_PREFIX));
  if (tables.length > 0) nft(tables.map((t) => `delete table inet ${t}\n`).join(''));
  return tables;
}
