/**
 * Packet-filter rules for fault specs, in nftables tables of their own (needs root and the `nft` tool, which
 * scripts/setup.sh installs). Each `PacketFilterTable` is one `inet` table named after this process and a counter,
 * so a run only ever adds and deletes its own rules, never anyone else's; its base chains hook input and output at
 * filter priority, which on loopback sees every packet between local processes twice (once leaving, once arriving).
 *
 * Cleanup: `delete()` removes the table; every table still present when the process exits (a spec that failed
 * before healing, mocha interrupted) is deleted by an exit hook, synchronously.
 */
import { execFileSync } from 'node:child_process';

let counter = 0;
const live = new Set<string>();
let exitHookInstalled = false;

/** Runs `nft` with a script on stdin; throws with nft's own message. */
export function nft(script: string): void {
  try {
    execFileSync('nft', ['-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string; message: string };
    if (err.code === 'ENOENT') {
      throw new Error(
        'nft is not installed: fault specs need nftables (apt-get install -y nftables; scripts/setup.sh).',
        { cause: e },
      );
    }
    throw new Error(`nft failed: ${err.stderr?.toString().trim() ?? err.message}\nscript:\n${script}`, { cause: e });
  }
}

export class PacketFilterTable {
  readonly name: string;
  private deleted = false;

  /** Creates an empty table with an input and an output chain (policy accept). */
  constructor(what: string) {
    if (process.getuid?.() !== 0) throw new Error(`Cannot inject ${what}: packet filters need root.`);
    this.name = `mq_fault_${process.pid}_${++counter}`;
    nft(
      `table inet ${this.name} {\n` +
        '  chain input { type filter hook input priority filter; policy accept; }\n' +
        '  chain output { type filter hook output priority filter; policy accept; }\n' +
        '}\n',
    );
    live.add(this.name);
    installExitHook();
  }

  /** Adds rules (nft rule syntax, without `add rule`) to one chain, in one transaction. */
  addRules(chain: 'input' | 'output', rules: readonly string[]): void {
    if (rules.length === 0) return;
    nft(rules.map((r) => `add rule inet ${this.name} ${chain} ${r}\n`).join(''));
  }

  /** Removes the table and its rules. Idempotent. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    live.delete(this.name);
    nft(`delete table inet ${this.name}\n`);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const name of live) {
      try {
        execFileSync('nft', ['delete', 'table', 'inet', name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });
}
