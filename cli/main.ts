/**
 * `arlens`: the one door to every ARLens job. `arlens <command> --help` explains each; the commands
 * live in cli/commands/, one file per group, and this file only registers them.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { registerAlerts } from './commands/alerts.ts';
import { registerBank } from './commands/bank.ts';
import { registerBi } from './commands/bi.ts';
import { registerBuild } from './commands/build.ts';
import { registerCredit } from './commands/credit.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDunning } from './commands/dunning.ts';
import { registerForecast } from './commands/forecast.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerMlCommands } from './commands/ml.ts';
import { registerReference } from './commands/reference.ts';
import { registerServe } from './commands/serve.ts';
import { registerStatus } from './commands/status.ts';
import { registerToken } from './commands/token.ts';
import { registerUsers } from './commands/users.ts';
import { registerWarehouse } from './commands/warehouse.ts';
import { loadConfig, type Config } from './config.ts';
import type { Context } from './context.ts';

const program = new Command();
program
  .name('arlens')
  .description('ARLens: accounts-receivable analytics from your ERP exports.')
  .option('-c, --config <file>', 'config file (default: arlens.config.yaml if present)')
  .option('-w, --warehouse <dir>', 'warehouse directory (overrides the config)')
  .showHelpAfterError('(run with --help for usage)');

const ctx: Context = {
  async config(): Promise<Config> {
    const opts = program.opts<{ config?: string; warehouse?: string }>();
    const c = await loadConfig(opts.config);
    return opts.warehouse ? { ...c, warehouse: resolve(opts.warehouse) } : c;
  },
};

registerDemo(program, ctx);
registerIngest(program, ctx);
registerBuild(program, ctx);
registerStatus(program, ctx);
registerReference(program);
registerToken(program, ctx);
registerUsers(program, ctx);
registerBank(program, ctx);
registerDunning(program, ctx);
registerAlerts(program, ctx);
registerCredit(program, ctx);
registerMlCommands(program, () => ctx.config());
registerForecast(program, () => ctx.config());
registerWarehouse(program, ctx);
registerBi(program, ctx);
registerServe(program, ctx);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`arlens: ${(e as Error).message}`);
  process.exitCode = 1;
});
