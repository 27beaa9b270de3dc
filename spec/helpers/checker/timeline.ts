/**
 * The timeline of a chaos run: what the producer got acknowledged, second by second, beside the faults that were in
 * place, drawn as one SVG chart (Vega-Lite, rendered headless by lib/bench/chart.ts as mq-bench's charts are).
 *
 * Layout of the chart, three panels over one time axis (seconds since the run started):
 *  - faults: one row per kind of fault, a bar from its injection to its heal, labelled with its target;
 *  - acknowledged values per second, with every fault as a shaded band;
 *  - produce latency p50 and p99 per second (from each value's intended send time, so a stall counts against every
 *    value it held back: no coordinated omission), on a log axis (floored at 1 ms), with the same bands.
 * A second with no acknowledgement has throughput 0 and no latency point (its line breaks there).
 *
 * Pure functions over samples, plus `writeTimelineSvg`, which renders and writes the file.
 */
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../../lib/bench/chart.js';
import { LatencyHistogram } from '../../../lib/bench/latency-histogram.js';
import type { AckSample } from './workload.js';

/** One fault as it happened: injected at `startMs`, healed at `healMs` (epoch ms). */
export interface FaultSpan {
  kind: string;
  target: string;
  startMs: number;
  healMs: number;
}

/** One second of the run. `p50Ms`/`p99Ms` (at least 1, for the log axis) are null when nothing was acknowledged. */
export interface TimelineSecond {
  second: number;
  acked: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** The acknowledgements of [startMs, endMs) bucketed by whole second since `startMs`. */
export function timelineSeconds(samples: readonly AckSample[], startMs: number, endMs: number): TimelineSecond[] {
  const seconds = Math.max(0, Math.ceil((endMs - startMs) / 1000));
  const buckets = Array.from({ length: seconds }, () => new LatencyHistogram());
  for (const s of samples) {
    const i = Math.floor((s.atMs - startMs) / 1000);
    if (i >= 0 && i < seconds) buckets[i]!.record(s.latencyMs);
  }
  return buckets.map((h, second) => ({
    second,
    acked: h.count,
    p50Ms: h.count === 0 ? null : Math.max(1, h.percentileMs(50)),
    p99Ms: h.count === 0 ? null : Math.max(1, h.percentileMs(99)),
  }));
}

/** The Vega-Lite spec of the chart (see the header); fault times are made relative to `startMs`, in seconds. */
export function timelineChartSpec(
  title: string,
  seconds: readonly TimelineSecond[],
  faults: readonly FaultSpan[],
  startMs: number,
): TopLevelSpec {
  const spans = faults.map((f) => ({
    kind: f.kind,
    target: f.target,
    from: (f.startMs - startMs) / 1000,
    to: (f.healMs - startMs) / 1000,
  }));
  const x = { field: 'second', type: 'quantitative' as const, title: 'seconds since the start' };
  const color = { field: 'kind', type: 'nominal' as const, title: 'fault', legend: { labelLimit: 300 } };
  const bands = {
    data: { values: spans },
    mark: { type: 'rect' as const, opacity: 0.15 },
    encoding: { x: { field: 'from', type: 'quantitative' as const }, x2: { field: 'to' }, color },
  };
  const width = 900;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: [
      {
        width,
        title: 'faults (injected → healed)',
        data: { values: spans },
        layer: [
          {
            mark: { type: 'bar', height: 10 },
            encoding: {
              x: { field: 'from', type: 'quantitative', title: null },
              x2: { field: 'to' },
              y: { field: 'kind', type: 'nominal', title: null, axis: { labelLimit: 250 } },
              color,
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 2, dy: -9, fontSize: 8 },
            encoding: {
              x: { field: 'from', type: 'quantitative' },
              y: { field: 'kind', type: 'nominal' },
              text: { field: 'target' },
            },
          },
        ],
      },
      {
        width,
        height: 160,
        layer: [
          bands,
          {
            data: { values: seconds.map((s) => ({ ...s })) },
            mark: { type: 'line', color: '#222', strokeWidth: 1, point: { size: 6, color: '#222' } },
            encoding: { x, y: { field: 'acked', type: 'quantitative', title: 'acknowledged values/s' } },
          },
        ],
      },
      {
        width,
        height: 160,
        layer: [
          bands,
          ...(
            [
              ['p50Ms', '#1f77b4'],
              ['p99Ms', '#d62728'],
            ] as const
          ).map(([field, lineColor]) => ({
            data: { values: seconds.map((s) => ({ ...s })) },
            mark: { type: 'line' as const, color: lineColor, strokeWidth: 1, point: { size: 6, color: lineColor } },
            encoding: {
              x,
              y: {
                field,
                type: 'quantitative' as const,
                title: 'produce latency, ms (p50 blue, p99 red)',
                scale: { type: 'log' as const },
              },
            },
          })),
        ],
      },
    ],
    resolve: { scale: { x: 'shared', color: 'shared' } },
  };
}

/** Renders the timeline chart and writes it to `path`. */
export async function writeTimelineSvg(
  path: string,
  title: string,
  samples: readonly AckSample[],
  faults: readonly FaultSpan[],
  startMs: number,
  endMs: number,
): Promise<void> {
  const svg = await renderSvg(timelineChartSpec(title, timelineSeconds(samples, startMs, endMs), faults, startMs));
  writeFileSync(path, svg);
}
