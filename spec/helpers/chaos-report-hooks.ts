/**
 * Mocha root hooks of `npm run chaos` (spec/faults): after the run, the anomaly counts of every checked scenario as
 * one table (verdict.ts), the scenarios that failed before they could be checked, and a failure of the run when any
 * anomaly was found — so the run exits non-zero on an anomaly even if a scenario's own assertion were missing.
 */
import type { Context } from 'mocha';
import { anomalyCount } from './checker/anomalies.js';
import { anomalyTable, verdicts } from './checker/verdict.js';

const unchecked: string[] = [];
let verdictsBefore = 0;

export const mochaHooks = {
  beforeEach(): void {
    verdictsBefore = verdicts.length;
  },
  afterEach(this: Context): void {
    const test = this.currentTest;
    if (test?.state === 'failed' && verdicts.length === verdictsBefore)
      unchecked.push(`${test.fullTitle()}: ${test.err?.message.split('\n')[0] ?? 'failed'}`);
  },
  afterAll(): void {
    const total = verdicts.reduce((n, v) => n + anomalyCount(v.verdict.report), 0);
    const anomalies = `${total} ${total === 1 ? 'anomaly' : 'anomalies'}`;
    process.stdout.write(`\nAnomalies found by the checker, per scenario:\n\n${anomalyTable(verdicts)}\n`);
    if (unchecked.length > 0)
      process.stdout.write(
        `\nScenarios that failed before their check:\n${unchecked.map((u) => `- ${u}`).join('\n')}\n`,
      );
    process.stdout.write(`\n${verdicts.length} scenario(s) checked, ${anomalies}.\n`);
    if (total > 0) throw new Error(`The checker found ${anomalies}: see the table above.`);
  },
};
