/**
 * npm run bench:cashapp — cash application (docs/cash-application.md), measured at invoice level.
 *
 * Quality, on the demo ledger: demo exports (seed 7, BENCH_CASHAPP_INVOICES invoices, as of
 * 2026-09-30) loaded and built; the open invoices of the published warehouse are paid by bank
 * statements from cashapp/generate.ts with its default mess (BENCH_CASHAPP_SEEDS seeds). The engine
 * matches the lines in booking order, applies what is at or above the threshold, and learns from a
 * simulated person deciding the rest with the truth (cashapp/evaluate.ts). The baseline — exact
 * reference and exact amount only — runs on the same lines.
 * - auto_match_rate: (line, invoice) pairs applied automatically and correctly / pairs the statements pay
 * - auto_match_precision: correct automatic pairs / automatic pairs (target ≥ 0.995)
 * - review_share: lines sent to review / lines (after duplicates from overlapping statements are dropped)
 * - review_top1_accuracy: review lines whose best proposal is exactly the truth / review lines that pay invoices
 * - baseline_auto_match_rate, baseline_auto_match_precision: the same for the baseline
 * Throughput: lines_per_s — matching (proposals for every line, applying the sure ones) of 100,000
 * lines against a synthetic ledger of BENCH_CASHAPP_LEDGER open invoices, one process, no store.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, type Evaluation } from '../../cashapp/evaluate.ts';
import { generateStatements, syntheticLedger } from '../../cashapp/generate.ts';
import { readLedgerSnapshot } from '../../cashapp/ledger.ts';
import {
  consume,
  DEFAULT_MATCH_CONFIG,
  emptyMemory,
  learnPayer,
  MatchIndex,
  proposeMatches,
} from '../../cashapp/match.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { metric, writeResults, type Metric } from './report.ts';
import { writeBenchDemo } from './report.ts';

const INVOICES = Number(process.env['BENCH_CASHAPP_INVOICES'] ?? 20000);
const SEEDS = Number(process.env['BENCH_CASHAPP_SEEDS'] ?? 5);
const LEDGER = Number(process.env['BENCH_CASHAPP_LEDGER'] ?? 120000);
const LINES = 100_000;
const ROOT = join(import.meta.dirname, '..', '..');

async function demoLedger(dir: string) {
  const exports = join(dir, 'exports');
  const wh = join(dir, 'wh');
  writeBenchDemo(exports, INVOICES);
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh, vars: { as_of_date: '2026-09-30' } });
  const rows = (await readLedgerSnapshot(wh)).items;
  const customers = [
    ...new Map(rows.map((r) => [r.customerId, { customerId: r.customerId, name: r.customerName }])).values(),
  ];
  return { items: rows, customers };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)}`;

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-cashapp-'));
  try {
    const { items, customers } = await demoLedger(dir);
    console.log(`demo ledger: ${items.length} open invoices of ${customers.length} customers`);
    const runs: Evaluation[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const truth = generateStatements(seed, items, customers, '2026-10-01');
      runs.push(evaluate(truth, items, customers));
    }
    const pick = (f: (e: Evaluation) => number) => runs.map(f);
    const first = runs[0]!;
    console.log(
      `lines per run: ${runs.map((r) => r.lines).join(', ')} (duplicates dropped: ${runs.map((r) => r.duplicatesRemoved).join(', ')})`,
    );
    console.log('by kind of mess (seed 1): kind lines autoRate wrongAuto');
    for (const [k, v] of Object.entries(first.byKind).sort()) {
      console.log(`  ${k.padEnd(22)} ${String(v.lines).padStart(6)} ${v.autoRate.toFixed(3)} ${v.wrongAuto}`);
    }

    // Throughput: 100,000 lines against a large synthetic ledger.
    const big = syntheticLedger(11, Math.round(LEDGER / 15), LEDGER);
    const lines = generateStatements(11, big.items, big.customers, '2026-07-01', {
      ...(await import('../../cashapp/generate.ts')).DEFAULT_MESS,
      paidShare: 1,
    })
      .slice(0, LINES)
      .map((t) => t.line);
    const index = new MatchIndex(big.items, big.customers);
    const memory = emptyMemory();
    const t0 = performance.now();
    for (const line of lines) {
      const top = proposeMatches(line, index, memory)[0];
      if (top && top.confidence >= DEFAULT_MATCH_CONFIG.autoThreshold) {
        consume(index, top);
        learnPayer(memory, line, top.customerId);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const linesPerS = lines.length / seconds;
    console.log(
      `throughput: ${lines.length} lines in ${seconds.toFixed(1)} s against ${big.items.length} open invoices`,
    );

    const note = (xs: number[]) => `mean of ${SEEDS} seeds, range ${spread(xs)}`;
    const rate = pick((e) => e.autoMatchRate);
    const prec = pick((e) => e.autoMatchPrecision);
    const brate = pick((e) => e.baselineAutoMatchRate);
    const bprec = pick((e) => e.baselineAutoMatchPrecision);
    const later = pick((e) => e.autoMatchRateLaterHalf);
    const laterPrec = pick((e) => e.autoMatchPrecisionLaterHalf);
    const metrics: Metric[] = [
      metric('auto_match_rate', mean(rate), 'share', mean(brate), 0.9, note(rate)),
      metric('auto_match_precision', mean(prec), 'share', mean(bprec), 0.995, note(prec)),
      metric(
        'auto_match_rate_later_half',
        mean(later),
        'share',
        null,
        null,
        `second half of each run's lines; ${note(later)}`,
      ),
      metric('auto_match_precision_later_half', mean(laterPrec), 'share', null, null, note(laterPrec)),
      metric(
        'review_share',
        mean(pick((e) => e.reviewShare)),
        'share',
        null,
        null,
        note(pick((e) => e.reviewShare)),
      ),
      metric(
        'review_top1_accuracy',
        mean(pick((e) => e.reviewTop1Accuracy)),
        'share',
        null,
        null,
        note(pick((e) => e.reviewTop1Accuracy)),
      ),
      metric('baseline_auto_match_rate', mean(brate), 'share', null, null, note(brate)),
      metric('baseline_auto_match_precision', mean(bprec), 'share', null, null, note(bprec)),
      metric(
        'lines_per_s',
        linesPerS,
        'lines/s',
        null,
        null,
        `${lines.length} lines, ${big.items.length} open invoices, ${big.customers.length} customers`,
      ),
    ];
    await writeResults('cashapp', metrics);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
