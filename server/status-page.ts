/** The load-status page: plain HTML, every value from the warehouse escaped (exports are hostile text). */
import type { Cell, Row } from '../warehouse/convert.ts';
import type { WarehouseStatus } from './index.ts';

export function escapeHtml(value: Cell | undefined): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const fmt = new Intl.NumberFormat('en-US');

function table(headers: string[], rows: (Cell | undefined)[][], numeric: Set<number> = new Set()): string {
  const th = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) =>
            numeric.has(i) ? `<td class="num">${fmt.format(Number(c))}</td>` : `<td>${escapeHtml(c)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderStatusPage(s: WarehouseStatus, quarantine: Row[]): string {
  const loads = s.loads.map((l) => [
    l['finished_at'],
    l['file_name'],
    l['profile'],
    l['entity'],
    l['rows_read'],
    l['rows_loaded'],
    l['rows_quarantined'],
    l['records_inserted'],
    l['records_updated'],
  ]);
  const q = quarantine.map((r) => [
    r['file_name'],
    r['row_number'],
    r['column_name'],
    r['value'],
    r['reason'],
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ARLens — data status</title>
<style>
body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;margin:2rem;color:#1a1a1a}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f0f0f0}
</style></head><body>
<h1>ARLens — data status</h1>
<p>Warehouse generation ${s.generation}. The dashboard arrives in a later release; this page lists what is loaded.</p>
<h2>Raw tables</h2>
${table(
  ['entity', 'rows'],
  s.tables.map((t) => [t.entity, t.rows]),
  new Set([1]),
)}
<h2>Loads</h2>
${table(
  ['finished (UTC)', 'file', 'profile', 'entity', 'read', 'loaded', 'quarantined', 'inserted', 'updated'],
  loads,
  new Set([4, 5, 6, 7, 8]),
)}
<h2>Quarantined rows (latest 100)</h2>
${q.length === 0 ? '<p>No quarantined rows.</p>' : table(['file', 'row', 'column', 'value', 'reason'], q)}
</body></html>`;
}
