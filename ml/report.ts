/** Plain-text tables of an evaluation and a scoring, for the CLI. Pure. */
import type { AucDifference, Evaluation } from './metrics.ts';

const f = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One row per model: ROC AUC, PR AUC, Brier, KS, top-decile lift, ECE, rows and defaults. */
export function evaluationTable(evaluations: Readonly<Record<string, Evaluation>>): string {
  return table(
    ['model', 'ROC AUC', 'PR AUC', 'Brier', 'KS', 'lift@10%', 'ECE', 'rows', 'defaults'],
    Object.entries(evaluations).map(([name, e]) => [
      name,
      f(e.rocAuc, 4),
      f(e.prAuc, 4),
      f(e.brier, 5),
      f(e.ks, 4),
      f(e.liftTopDecile, 2),
      f(e.ece, 4),
      String(e.rows),
      String(e.positives),
    ]),
  );
}

const signed = (x: number | undefined) =>
  x !== undefined && Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}` : 'n/a';
const interval = (d: AucDifference | null | undefined) =>
  d ? `${signed(d.difference)} (${signed(d.low)} .. ${signed(d.high)})` : '(reference)';

/**
 * The candidates side by side: validation ROC AUC and the difference to the rule with its 95 %
 * bootstrap interval (what the publication rule reads), the same on test, the calibration chosen,
 * and which one serves.
 */
export function candidateTable(
  candidates: readonly {
    name: string;
    validation: Evaluation;
    test: Evaluation;
    vsRule: { validation: AucDifference; test: AucDifference } | null;
    calibration: string;
    publishable: boolean;
    served: boolean;
  }[],
): string {
  return table(
    [
      'candidate',
      'validation AUC',
      'vs rule (95 % interval)',
      'test AUC',
      'vs rule (95 % interval)',
      'calibration',
      'status',
    ],
    candidates.map((c) => [
      c.name,
      f(c.validation.rocAuc, 4),
      interval(c.vsRule?.validation),
      f(c.test.rocAuc, 4),
      interval(c.vsRule?.test),
      c.calibration,
      c.served
        ? 'SERVES'
        : c.vsRule === null
          ? 'reference'
          : c.publishable
            ? 'publishable'
            : 'not beyond noise',
    ]),
  );
}

/** Deciles of one model: rows, defaults, mean PD, observed default rate. */
export function calibrationText(e: Evaluation): string {
  return table(
    ['decile', 'rows', 'defaults', 'mean PD', 'observed'],
    e.calibration.map((b) => [
      String(b.bin),
      String(b.rows),
      String(b.positives),
      f(b.meanPredicted, 4),
      f(b.observedRate, 4),
    ]),
  );
}

export function bandTable(
  bands: readonly { band: string; customers: number; exposure: string; expectedLoss: string }[],
): string {
  return table(
    ['risk band', 'customers', 'exposure', 'expected loss'],
    bands.map((b) => [b.band, String(b.customers), b.exposure, b.expectedLoss]),
  );
}
