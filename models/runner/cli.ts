/** What `arlens build` reads from its flags and prints: one line per node, a summary table. */
import { parse as parseYaml } from 'yaml';
import type { BuildEvent } from './index.ts';
import type { NodeResult, NodeStatus } from './run-log.ts';

/** `--vars` as YAML or JSON (JSON is YAML): a mapping. */
export function parseVars(text: string): Record<string, unknown> {
  const vars: unknown = parseYaml(text);
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) {
    throw new Error(`--vars must be a mapping, e.g. '{min_amount: 10}'; got ${JSON.stringify(text)}`);
  }
  return vars as Record<string, unknown>;
}

const LABEL: Record<NodeStatus, string> = { success: 'OK', warn: 'WARN', error: 'ERROR', skipped: 'SKIP' };

/** ` 3/27 OK    model      stg_invoices  view  0.01s` (one line, no terminal control codes). */
export function progressLine(e: Extract<BuildEvent, { kind: 'node-done' }>): string {
  const r = e.result;
  const width = String(e.total).length;
  const detail = r.message.split('\n')[0] ?? '';
  return (
    `${String(e.index + 1).padStart(width)}/${e.total} ${LABEL[r.status].padEnd(5)} ${r.kind.padEnd(9)} ` +
    `${r.name}  ${detail}  ${(r.durationMs / 1000).toFixed(2)}s`
  );
}

/** Counts per kind and status, and the full message of every error and warning. */
export function summaryTable(results: readonly NodeResult[]): string {
  const statuses = Object.keys(LABEL) as NodeStatus[];
  const kinds = ['model', 'test', 'unit_test'] as const;
  const rows = [
    ['', ...statuses.map((s) => LABEL[s])],
    ...kinds.map((k) => [
      k,
      ...statuses.map((s) => String(results.filter((r) => r.kind === k && r.status === s).length)),
    ]),
    ['total', ...statuses.map((s) => String(results.filter((r) => r.status === s).length))],
  ];
  const widths = statuses.map((_, i) => Math.max(...rows.map((r) => (r[i + 1] ?? '').length)));
  const lines = rows.map(
    (r) =>
      `  ${(r[0] ?? '').padEnd(9)} ${r
        .slice(1)
        .map((c, i) => c.padStart(widths[i] ?? 0))
        .join('  ')}`,
  );
  for (const r of results.filter((x) => x.status === 'error' || x.status === 'warn')) {
    lines.push(
      '',
      `${LABEL[r.status]} ${r.kind} ${r.name} (${r.path}):`,
      ...r.message.split('\n').map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}
