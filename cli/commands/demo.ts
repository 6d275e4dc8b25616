/** `arlens demo`: demo ERP exports with a story to find (docs: README, "The demo data"). */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { firstOfMonth, formatDay, today } from '../../core/calendar.ts';
import type { Config } from '../config.ts';
import { num, type Context } from '../context.ts';
import { runIngest } from './ingest.ts';

/** Last day of the previous month (UTC calendar), the demo's default "as of" date. */
export function lastMonthEnd(): string {
  return formatDay(firstOfMonth(today()) - 1);
}

export async function writeDemo(
  c: Config,
  seed: number,
  invoices: number,
  asOf: string,
  outDir: string,
): Promise<void> {
  console.log(
    `Generating demo exports: ${num.format(invoices)} invoices, seed ${seed}, as of ${asOf} -> ${outDir}`,
  );
  await fs.rm(outDir, { recursive: true, force: true });
  await fs.mkdir(outDir, { recursive: true });
  const { generateDemo } = await import('../../ingest/demo/generate.ts');
  const summary = await generateDemo({
    seed,
    invoices,
    asOf,
    outDir,
    reportingCurrency: c.reporting_currency,
  });
  for (const line of summary.story) console.log(`  story: ${line}`);
}

export function registerDemo(program: Command, ctx: Context): void {
  program
    .command('demo')
    .description(
      'Write demo ERP exports (canonical CSV layout) with a story to find, and optionally load them.',
    )
    .option('--seed <n>', 'random seed (same seed, same files)', (v) => Number.parseInt(v, 10))
    .option('--invoices <n>', 'number of invoices (100 .. 1,000,000+)', (v) => Number.parseInt(v, 10))
    .option('--as-of <date>', 'last day of the history, YYYY-MM-DD (default: end of last month)')
    .option('--out <dir>', 'output directory (default: <demo dir>/exports)')
    .option('--load', 'load the files into the warehouse afterwards', false)
    .action(async (o: { seed?: number; invoices?: number; asOf?: string; out?: string; load: boolean }) => {
      const c = await ctx.config();
      const outDir = o.out ?? join(c.demo.dir, 'exports');
      await writeDemo(
        c,
        o.seed ?? c.demo.seed,
        o.invoices ?? c.demo.invoices,
        o.asOf ?? lastMonthEnd(),
        outDir,
      );
      if (o.load) await runIngest(c, [{ path: outDir, profile: 'canonical' }], false);
    });
}
