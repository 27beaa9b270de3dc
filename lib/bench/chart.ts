/**
 * Charts of benchmark results as SVG files, drawn by Vega-Lite (a declarative chart grammar) compiled to Vega and
 * rendered headless in Node with Vega's SVG renderer: no browser, no canvas (text widths are estimated). Two
 * shapes cover every chart mq-bench draws:
 *  - bars: one bar per system with a rule from the lowest to the highest run, one panel per workload, each panel
 *    with its own scale (records/s and MB/s do not share an axis);
 *  - lines: one line per series over an ordered or logarithmic x axis (latency by percentile, figures by partition
 *    count), one panel per measure.
 *
 * Pure spec builders plus `renderSvg`; files are written by the callers. A View is finalized after rendering so
 * that it holds no timers.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One value to plot: in panel `panel`, series `series`, at `x` (lines) with value `y` and an optional range. */
export interface ChartPoint {
  panel: string;
  series: string;
  x?: number | string;
  y: number;
  low?: number;
  high?: number;
}

const WIDTH = 420;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Horizontal bars, one per series, in one row of panels per `panel`, each with the run range as a rule. */
export function barChartSpec(title: string, points: readonly ChartPoint[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: points.map((p) => ({ ...p, low: p.low ?? p.y, high: p.high ?? p.y })) },
    facet: {
      row: {
        field: 'panel',
        type: 'nominal',
        title: null,
        sort: panelOrder(points),
        header: { labelAngle: 0, labelAlign: 'left' },
      },
    },
    spec: {
      width: WIDTH,
      encoding: { y: { field: 'series', type: 'nominal', title: null, sort: null } },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: { x: { field: 'y', type: 'quantitative', title: 'median of the runs' } },
        },
        {
          mark: { type: 'rule', color: '#222' },
          encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: {
            x: { field: 'high', type: 'quantitative' },
            text: { field: 'y', type: 'quantitative', format: ',.3~s' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** Lines over x, one per series, one panel per `panel`; `xScale` 'log' for counts, 'ordinal' for labels. */
export function lineChartSpec(
  title: string,
  points: readonly ChartPoint[],
  axes: { xTitle: string; xScale: 'log' | 'ordinal'; yTitle: string; yLog?: boolean },
): TopLevelSpec {
  const x =
    axes.xScale === 'log'
      ? { field: 'x', type: 'quantitative' as const, scale: { type: 'log' as const }, title: axes.xTitle }
      : { field: 'x', type: 'ordinal' as const, sort: null, title: axes.xTitle };
  return {
    $schema: SCHEMA,
    title,
    data: { values: points.map((p) => ({ ...p })) },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: panelOrder(points) } },
    spec: {
      width: WIDTH,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: {
          field: 'y',
          type: 'quantitative',
          title: axes.yTitle,
          scale: axes.yLog === true ? { type: 'log' } : { zero: true },
        },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Panels in the order their first point comes (Vega-Lite would sort them by name). */
function panelOrder(points: readonly ChartPoint[]): string[] {
  return [...new Set(points.map((p) => p.panel))];
}

/** Renders a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Errors only: Vega-Lite warns that panels with independent scales share field names, which they do on purpose.
  const compiled = compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
