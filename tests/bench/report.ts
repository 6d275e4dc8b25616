/**
 * Benchmark results: a console table and tests/bench/results/<area>.json in the agreed format
 * (DEVELOPERS.md): { "metrics": [ { name, value, unit, baseline, ratio, target } ] }.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The benchmarks' data: demo exports (seed 7, as of 2026-09-30) written by `arlens demo` in a child
 * process, so that the generator's memory does not count toward a benchmark's peak RSS.
 */
export function writeBenchDemo(outDir: string, invoices: number): void {
  const args = [
    'demo',
    '--seed',
    '7',
    '--invoices',
    String(invoices),
    '--as-of',
    '2026-09-30',
    '--out',
    outDir,
  ];
  const gen = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (gen.status !== 0) throw new Error('demo generation failed');
}

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The same quantity for the baseline measured in the same run, or null. */
  readonly baseline: number | null;
  /** value / baseline, or null without a baseline. */
  readonly ratio: number | null;
  /** The goal: for ratio metrics a bound on `ratio`, otherwise on `value`; null if none. */
  readonly target: number | null;
  readonly note?: string;
}

export function metric(
  name: string,
  value: number,
  unit: string,
  baseline: number | null = null,
  target: number | null = null,
  note?: string,
): Metric {
  const ratio = baseline ? value / baseline : null;
  return { name, value, unit, baseline, ratio, target, ...(note ? { note } : {}) };
}

const round = (x: number | null) => (x === null ? '' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

export async function writeResults(area: string, metrics: Metric[]): Promise<string> {
  const dir = join(import.meta.dirname, 'results');
  await fs.mkdir(dir, { recursive: true });
  const path = join(dir, `${area}.json`);
  await fs.writeFile(path, JSON.stringify({ metrics }, null, 2) + '\n');
  const rows = metrics.map((m) => [
    m.name,
    round(m.value),
    m.unit,
    round(m.baseline),
    round(m.ratio),
    round(m.target),
    m.note ?? '',
  ]);
  const head = ['metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
  console.log(`\nwritten ${path}`);
  return path;
}

/** Median of repeated timings. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
