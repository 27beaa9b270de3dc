/**
 * `mq-bench compare`: one workload (record size, count, batch, in-flight window, durability) on this cluster and
 * on its peers — Redis Streams, NATS JetStream, RabbitMQ streams — in the same run on loopback, plus the machine's
 * own ceilings (loopback TCP bandwidth, sequential page-cache write), repeated `runs` times; every figure is the
 * median [min..max] of its runs. A system that cannot run here (server or client package missing, or failing to
 * start) is skipped with the reason; one that fails during a run is dropped from the rows with the reason, and the
 * others go on.
 *
 * Order: every server is started once (each in its own dir under `dir`); each run then produces and consumes a
 * fresh stream on every system, in an order rotated by one each run so that no system always runs first or last
 * after a peer's writeback, and then takes the references. Every server is stopped on every path.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loopbackTcpMbPerSec, pageCacheWriteMbPerSec } from './machine-reference.js';
import type { BenchSystem, SystemSetting, Workload } from './peers/bench-system.js';
import { runStat, type RunStat } from './stats.js';

export interface CompareOptions {
  /** The systems, this project's first. */
  systems: BenchSystem[];
  workload: Workload;
  runs: number;
  /** Scratch directory: the peers' data dirs and the page-cache reference's file. */
  dir: string;
  /** Bytes written by each reference measurement. @default 256 MiB */
  referenceBytes?: number;
  /** Told each step as it starts (for progress), and the total number of steps first. */
  onStep?: (step: string, total: number) => void;
}

export interface CompareRow {
  system: string;
  setting: SystemSetting;
  produceRecordsPerSec: RunStat;
  produceMbPerSec: RunStat;
  ackP50Ms: RunStat;
  ackP99Ms: RunStat;
  consumeRecordsPerSec: RunStat;
  consumeMbPerSec: RunStat;
}

export interface CompareResult {
  workload: Workload;
  runs: number;
  rows: CompareRow[];
  skipped: { system: string; reason: string }[];
  references: { loopbackTcpMbPerSec: RunStat; pageCacheWriteMbPerSec: RunStat };
}

type Samples = Record<Exclude<keyof CompareRow, 'system' | 'setting'>, number[]>;

export async function runCompare(options: CompareOptions): Promise<CompareResult> {
  const { workload, runs } = options;
  const referenceBytes = options.referenceBytes ?? 256 * 1024 * 1024;
  const skipped: CompareResult['skipped'] = [];
  const started: BenchSystem[] = [];
  const samples = new Map<BenchSystem, Samples>();
  const loopback: number[] = [];
  const pageCache: number[] = [];
  const stepCount = (systems: number) => systems + runs * (2 * systems + 2);
  let step = (label: string) => options.onStep?.(label, stepCount(options.systems.length));
  try {
    for (const system of options.systems) {
      step(`${system.name}: start`);
      const reason = await system.unavailable();
      if (reason !== null) {
        skipped.push({ system: system.name, reason });
        continue;
      }
      const dir = join(options.dir, system.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
      mkdirSync(dir, { recursive: true });
      try {
        await system.start(dir, workload);
      } catch (e) {
        await system.stop().catch(() => undefined);
        skipped.push({ system: system.name, reason: `did not start: ${(e as Error).message.split('\n')[0]}` });
        continue;
      }
      started.push(system);
      samples.set(system, {
        produceRecordsPerSec: [],
        produceMbPerSec: [],
        ackP50Ms: [],
        ackP99Ms: [],
        consumeRecordsPerSec: [],
        consumeMbPerSec: [],
      });
    }
    const total = stepCount(started.length);
    step = (label: string) => options.onStep?.(label, total);
    for (let run = 1; run <= runs; run++) {
      const order = started.map((_, i) => started[(i + run - 1) % started.length]!);
      for (const system of order) {
        const s = samples.get(system);
        if (s === undefined) continue;
        const stream = `compare-${workload.recordSize}b-r${run}-${Date.now().toString(36)}`;
        try {
          step(`run ${run}/${runs} ${system.name}: produce`);
          const p = await system.produce(stream, workload);
          step(`run ${run}/${runs} ${system.name}: consume`);
          const c = await system.consume(stream, workload);
          s.produceRecordsPerSec.push(p.recordsPerSec);
          s.produceMbPerSec.push(p.mbPerSec);
          s.ackP50Ms.push(p.ackP50Ms);
          s.ackP99Ms.push(p.ackP99Ms);
          s.consumeRecordsPerSec.push(c.recordsPerSec);
          s.consumeMbPerSec.push(c.mbPerSec);
        } catch (e) {
          samples.delete(system);
          skipped.push({ system: system.name, reason: `failed in run ${run}: ${(e as Error).message.split('\n')[0]}` });
        }
      }
      step(`run ${run}/${runs}: loopback TCP reference`);
      loopback.push(await loopbackTcpMbPerSec(referenceBytes));
      step(`run ${run}/${runs}: page-cache write reference`);
      pageCache.push(pageCacheWriteMbPerSec(options.dir, referenceBytes));
    }
  } finally {
    for (const system of started) await system.stop().catch(() => undefined);
  }
  const rows: CompareRow[] = [];
  for (const system of started) {
    const s = samples.get(system);
    if (s === undefined) continue;
    rows.push({
      system: system.name,
      setting: system.setting(workload),
      produceRecordsPerSec: runStat(s.produceRecordsPerSec),
      produceMbPerSec: runStat(s.produceMbPerSec),
      ackP50Ms: runStat(s.ackP50Ms),
      ackP99Ms: runStat(s.ackP99Ms),
      consumeRecordsPerSec: runStat(s.consumeRecordsPerSec),
      consumeMbPerSec: runStat(s.consumeMbPerSec),
    });
  }
  return {
    workload,
    runs,
    rows,
    skipped,
    references: { loopbackTcpMbPerSec: runStat(loopback), pageCacheWriteMbPerSec: runStat(pageCache) },
  };
}
