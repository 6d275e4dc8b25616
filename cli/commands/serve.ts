/** `arlens start` and `arlens serve`: the dashboard and the Cube API over the warehouse. */
import type { Command } from 'commander';
import { publishedAsOf } from '../../models/as-of.ts';
import type { Context } from '../context.ts';
import { ensureCashForecast, ensureMarts, ensureRisk, loadData, serveUntilStopped } from '../pipeline.ts';
import { withWarehouseQueryIfAny } from '../warehouse.ts';
import { asOfOption, chosenAsOf, LATEST, runBuild } from './build.ts';

const port = (v: string) => Number.parseInt(v, 10);

export function registerServe(program: Command, ctx: Context): void {
  program
    .command('start')
    .description(
      'Load the configured exports (or, with none configured, demo data), bring the marts, risk scores and ' +
        'cash forecast up to date, and serve them.',
    )
    .option('--port <n>', 'port (0 = any free port)', port)
    .addOption(asOfOption())
    .action(async (o: { port?: number; asOf?: string }) => {
      const started = performance.now();
      const c = await ctx.config();
      const data = await loadData(c);
      // The same steps on both engines: on PostgreSQL the risk model and the forecast run on a DuckDB
      // copy of what they read and publish the ml schema back (warehouse/pg-snapshot.ts).
      await ensureMarts(c, chosenAsOf(c, o.asOf, data.defaultAsOf));
      await ensureRisk(c);
      const url = await serveUntilStopped(c, {
        ...(o.port === undefined ? {} : { port: o.port }),
        demo: data.demo,
      });
      console.log(
        `\nARLens is ready at ${url}  (started in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      // The cash forecast (its first backtest takes a minute or two) is computed while the dashboard
      // already serves; the server follows the new warehouse when it is published.
      void ensureCashForecast(c, { background: true });
    });

  program
    .command('serve')
    .description(
      'Serve the published warehouse over HTTP; follows new warehouse files without downtime. With --as-of, ' +
        'first rebuild the marts for that date if they describe another.',
    )
    .option('--port <n>', 'port (0 = any free port)', port)
    .option('--host <host>', 'interface to listen on')
    .addOption(asOfOption())
    .action(async (o: { port?: number; host?: string; asOf?: string }) => {
      const c = await ctx.config();
      if (c.engine.kind === 'postgres') {
        if (o.asOf !== undefined) await runBuild(c, { asOf: chosenAsOf(c, o.asOf, LATEST) });
      } else if (o.asOf !== undefined) await ensureMarts(c, chosenAsOf(c, o.asOf, LATEST));
      // Nothing published yet: no line (the server says so on its pages).
      const read = await withWarehouseQueryIfAny(c, 'arlens serve', async (query) => ({
        asOf: await publishedAsOf(query),
      }));
      if (read !== null) {
        const { asOf } = read;
        console.log(
          asOf ? `As of: ${asOf.date} (${asOf.source})` : 'The marts are not built yet: arlens build',
        );
      }
      const url = await serveUntilStopped(c, {
        ...(o.host === undefined ? {} : { host: o.host }),
        ...(o.port === undefined ? {} : { port: o.port }),
        demo: false,
      });
      console.log(
        `ARLens is serving ${c.engine.kind === 'postgres' ? 'the PostgreSQL warehouse' : c.warehouse} at ${url}`,
      );
    });
}
