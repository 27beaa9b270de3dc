/**
 * The machine a benchmark ran on, as docs/BENCHMARKS.md states it beside generated figures: cores and their model,
 * memory, kernel, Node version, and the load average when the run started (this machine is shared: a load well
 * above the core count means the figures are lower bounds). Read once from `os` and `process`.
 */
import os from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  loadAverage: [number, number, number];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: [one, five, fifteen],
  };
}

/** One line, e.g. `2 cores (Intel Xeon Processor), 23.5 GiB, Linux 6.1.0, Node v20.20.2; load average 0.52, ...`. */
export function describeMachine(m: MachineInfo): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, ${m.kernel}, Node ${m.node}; ` +
    `load average at the start ${m.loadAverage.map((l) => l.toFixed(2)).join(', ')}`
  );
}
