/**
 * What the fault scenarios do with a checked workload: fail with the anomalies found (a few examples of each), and
 * record each scenario's counts for `npm run chaos`, which prints them as one table at the end of the run
 * (spec/helpers/chaos-report-hooks.ts).
 */
import { expect } from 'chai';
import { ANOMALY_KINDS, anomalyCount, type AnomalyReport } from './anomalies.js';
import type { Verdict } from './workload.js';

/** Each scenario's verdict, in the order they were checked, for the run's table. */
export const verdicts: { scenario: string; verdict: Verdict }[] = [];

/** Records the verdict, then fails unless the history has no anomaly and something was acknowledged and read. */
export function expectNoAnomalies(scenario: string, verdict: Verdict): void {
  verdicts.push({ scenario, verdict });
  const { report } = verdict;
  const found = ANOMALY_KINDS.filter((k) => report.counts[k] > 0).map(
    (k) => `${k}: ${report.counts[k]} (e.g. ${report.examples[k].join('; ')})`,
  );
  expect(found, `anomalies in "${scenario}"`).to.deep.equal([]);
  expect(verdict.acked, 'acknowledged values').to.be.greaterThan(0);
  expect(verdict.finalRecords, 'records in the final log').to.be.at.least(verdict.acked);
}

/** The anomaly counts of every recorded scenario as a Markdown table (a column per anomaly kind, then totals). */
export function anomalyTable(rows: readonly { scenario: string; verdict: Verdict }[]): string {
  const head = ['scenario', 'acked', ...ANOMALY_KINDS, 'total'];
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  const count = (r: AnomalyReport) => ANOMALY_KINDS.map((k) => r.counts[k]);
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map(({ scenario, verdict }) =>
      line([scenario, verdict.acked, ...count(verdict.report), anomalyCount(verdict.report)]),
    ),
  ].join('\n');
}
