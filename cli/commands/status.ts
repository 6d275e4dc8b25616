/** `arlens status`: what the warehouse holds, what was loaded and what was quarantined. */
import type { Command } from 'commander';
import { quarantinedRows, warehouseStatus } from '../../ingest/status.ts';
import { publishedAsOf } from '../../models/as-of.ts';
import { toCount } from '../../warehouse/convert.ts';
import { num, type Context } from '../context.ts';
import { withWarehouseQuery } from '../warehouse.ts';

export function registerStatus(program: Command, ctx: Context): void {
  program
    .command('status')
    .description('Show what the warehouse holds: rows per raw table, recent loads, quarantined rows.')
    .option('--quarantine', 'list quarantined rows of the latest loads', false)
    .option('--limit <n>', 'how many loads / quarantined rows to list', (v) => Number.parseInt(v, 10), 20)
    .action(async (o: { quarantine: boolean; limit: number }) => {
      const c = await ctx.config();
      await withWarehouseQuery(c, 'arlens status', async (query) => {
        const status = await warehouseStatus(query, o.limit);
        const asOf = await publishedAsOf(query);
        console.log(
          asOf ? `As of: ${asOf.date} (${asOf.source})\n` : 'The marts are not built yet: arlens build\n',
        );
        console.log('Raw tables:');
        for (const t of status.tables)
          console.log(`  ${t.entity.padEnd(22)} ${num.format(t.rows).padStart(12)}`);
        console.log('\nLatest loads:');
        for (const l of status.loads) {
          console.log(
            `  ${String(l['finished_at'])}  ${String(l['file_name'])} (${String(l['entity'])}): ` +
              `${num.format(toCount(l['rows_read']))} read, ${num.format(toCount(l['rows_loaded']))} loaded, ` +
              `${num.format(toCount(l['rows_quarantined']))} quarantined`,
          );
        }
        if (o.quarantine) {
          console.log('\nQuarantined rows (row numbers as a spreadsheet shows them; the header is row 1):');
          for (const r of await quarantinedRows(query, o.limit)) {
            const column = String(r['column_name']);
            console.log(
              `  ${String(r['file_name'])} row ${String(r['row_number'])}${column === '' ? '' : `, column ${column}`} ` +
                `(${r['value'] === null ? 'empty' : JSON.stringify(r['value'])}): ${String(r['reason'])}`,
            );
          }
        }
      });
    });
}
