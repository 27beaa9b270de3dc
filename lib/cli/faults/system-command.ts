/**
 * Runs the system tools that simulated hosts and faults are made of (`ip`, `nft`, `tc`, `mount`, `fallocate`,
 * `strace`), synchronously: each is a short call, and the callers' cleanup must also work from an exit hook, where
 * nothing asynchronous runs. A tool that is missing or fails raises CommandError with its own message and, when it
 * is not installed, the Debian package that brings it (scripts/setup.sh installs them all).
 * Also the one exit hook of what a process set up for itself only (simulated hosts, faults of a spec): `undoOnExit`
 * registers an undo that runs, newest first, when the process exits, unless it was done and unregistered before.
 */
import { execFileSync } from 'node:child_process';
import { CommandError } from '../cli-errors.js';

/** The Debian package of each tool used here. */
const PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  tc: 'iproute2',
  ss: 'iproute2',
  nft: 'nftables',
  nsenter: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  fallocate: 'util-linux',
  strace: 'strace',
  python3: 'python3',
};

/** Runs `tool args...` (stdin `input` if given) and returns its stdout; throws CommandError naming the cause. */
export function run(tool: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(tool, args, {
      input,
      encoding: 'utf8',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === 'ENOENT') {
      throw new CommandError(
        `${tool} is not installed: simulated hosts and faults need it (apt-get install -y ${PACKAGES[tool] ?? tool}, ` +
          'or scripts/setup.sh).',
        { cause: e },
      );
    }
    const detail = (err.stderr ?? '').trim() || err.message;
    throw new CommandError(`${tool} ${args.join(' ')} failed: ${detail}`, { cause: e });
  }
}

/** Like `run`, but a failure is only returned (for cleanup, which goes on with the next step). */
export function tryRun(tool: string, args: readonly string[], input?: string): Error | undefined {
  try {
    run(tool, args, input);
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

/** Throws CommandError unless this process runs as root (namespaces, packet filters and mounts need it). */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new CommandError(`${what} needs root (namespaces, nftables and mounts).`);
}

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const undos = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Runs `undo` when this process exits (synchronously, best effort: an error means it is already undone); returns
 * the function that unregisters it, for when it was undone before.
 */
export function undoOnExit(undo: () => void): () => void {
  undos.add(undo);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const u of [...undos].reverse()) {
        try {
          u();
        } catch {
          // already gone
        }
      }
    });
  }
  return () => undos.delete(undo);
}
