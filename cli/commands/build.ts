/** `arlens build`: the dbt project (models/) into the warehouse, as `dbt build` does. */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { asOfVars, checkAsOfSpec, resolveAsOf, type ResolvedAsOf } from '../../models/as-of.ts';
import type { WorklistCopied } from '../../collections/warehouse-copy.ts';
import type { BuildEvent, BuildReport } from '../../models/runner/index.ts';
import type { Config } from '../config.ts';
import { reapplyBiPolicies } from '../engine.ts';
import type { Context } from '../context.ts';

export const DEFAULT_PROJECT = join(import.meta.dirname, '..', '..', 'models');

/** The --as-of option of build, start and serve. */
export function asOfOption(): Option {
  return new Option(
    '--as-of <date>',
    'the date the marts describe: YYYY-MM-DD, "today" (in the config\'s timezone) or "latest" (the last ' +
      'document date); default: as_of in the config, else latest (the demo: the end of its history)',
  ).argParser((v) => checkAsOfSpec(v, '--as-of'));
}

/** The as-of a command builds for: the flag, else the config, else `fallback`. */
export function chosenAsOf(c: Config, flag: string | undefined, fallback: ResolvedAsOf): ResolvedAsOf {
  if (flag !== undefined) return resolveAsOf(flag, c.timezone, '--as-of');
  if (c.as_of !== undefined) return resolveAsOf(c.as_of, c.timezone, 'as_of in the config');
  return fallback;
}

export const LATEST: ResolvedAsOf = { date: null, label: 'the last document date' };

/** The project vars the config sets: reporting currency and aging. */
export function configVars(c: Config): Record<string, unknown> {
  return {
    reporting_currency: c.reporting_currency,
    aging_basis: c.aging.basis,
    aging_buckets: c.aging.buckets,
  };
}

/** Build the dbt project into the configured warehouse, with a progress line per node. */
export async function runBuild(
  c: Config,
  o: {
    projectDir?: string;
    vars?: Record<string, unknown>;
    asOf?: ResolvedAsOf;
    fullRefresh?: boolean;
    select?: string[];
    exclude?: string[];
  },
): Promise<void> {
  const runner = await import('../../models/runner/index.ts');
  const { progressLine, summaryTable } = await import('../../models/runner/cli.ts');
  const { copyWorklistIntoWarehouse } = await import('../../collections/warehouse-copy.ts');
  const { opsStorePath } = await import('../../ops/store.ts');
  const opsStore = c.auth.ops_store ?? opsStorePath(c.warehouse);
  const worklistLine = (n: WorklistCopied): void => {
    process.stderr.write(
      `worklist from the operational store: ${n.collection_activities} activities, ` +
        `${n.payment_promises} promises, ${n.collection_disputes} disputes, ${n.collection_tasks} tasks, ` +
        `${n.dunning_runs} dunning runs, ${n.dunning_letters} letters\n`,
    );
  };
  const common = {
    projectDir: o.projectDir ?? DEFAULT_PROJECT,
    vars: { ...configVars(c), ...(o.asOf ? asOfVars(o.asOf) : {}), ...o.vars },
    fullRefresh: o.fullRefresh ?? false,
    ...(o.select ? { select: o.select } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    onEvent: (e: BuildEvent) => {
      if (e.kind === 'node-done') process.stderr.write(`${progressLine(e)}\n`);
      if (e.kind === 'publishing') process.stderr.write('publishing the new warehouse generation\n');
    },
  };
  try {
    let report: BuildReport;
    if (c.engine.kind === 'postgres') {
      const { buildOnPostgres } = await import('../../models/runner/pg-build.ts');
      const { copyWorklistIntoPostgres } = await import('../../collections/warehouse-copy.ts');
      const pgReport = await buildOnPostgres({
        ...common,
        url: c.engine.url,
        // The same worklist copy as on DuckDB, into the database's worklist.* tables.
        prepare: async (session) => worklistLine(await copyWorklistIntoPostgres(session, opsStore)),
        // The BI door (docs/bi.md): the new tables get their row-level security in the publish
        // transaction, so a BI login never sees a rebuilt table unprotected — once `arlens bi setup` ran.
        onPublish: reapplyBiPolicies,
      });
      if (pgReport.retained.length > 0) {
        process.stderr.write(
          `old schemas still read by a running query, dropped by the next job: ${pgReport.retained.join(', ')}\n`,
        );
      }
      if (pgReport.carried.length > 0) {
        process.stderr.write(
          `carried over unchanged (no models of the project): ${pgReport.carried.join(', ')}\n`,
        );
      }
      for (const w of pgReport.warnings) process.stderr.write(`warning: ${w}\n`);
      report = pgReport;
    } else {
      report = await runner.build({
        ...common,
        warehouseDir: c.warehouse,
        // What the worklist recorded (contacts, promises, disputes) reaches the marts at each build.
        prepare: async (conn) => worklistLine(await copyWorklistIntoWarehouse(conn, opsStore)),
      });
    }
    console.log(summaryTable(report.results));
    console.log(`Published run ${report.runId} (${(report.elapsedMs / 1000).toFixed(1)} s).`);
    // Early-warning alerts on the new numbers; a failure here never fails the build.
    const { evaluateAfterBuild, alertRunLine } = await import('./alerts.ts');
    try {
      const alerts = await evaluateAfterBuild(c, 'build');
      if (alerts && alerts.subscriptions > 0) console.log(alertRunLine(alerts));
    } catch (e) {
      console.error(`Alerts were not evaluated: ${(e as Error).message}. Run: npx arlens alerts evaluate`);
    }
  } catch (e) {
    if (e instanceof runner.BuildFailedError) console.log(summaryTable(e.report.results));
    throw e;
  }
}

interface BuildFlags {
  select?: string[];
  exclude?: string[];
  fullRefresh: boolean;
  vars?: string;
  asOf?: string;
  project: string;
  compileOnly: boolean;
}

export function registerBuild(program: Command, ctx: Context): void {
  program
    .command('build')
    .description(
      'Build the dbt project (models/) into the warehouse as `dbt build` does: models, then their data ' +
        'tests and unit tests. Nothing is published unless every node passes.',
    )
    .option(
      '-s, --select <selectors...>',
      'what to build: name, +name (with ancestors), name+ (with descendants), tag:x, resource_type:model',
    )
    .option('--exclude <selectors...>', 'what to leave out (same syntax)')
    .option('--full-refresh', 'rebuild incremental models from scratch', false)
    .addOption(asOfOption())
    .option('--vars <yaml>', "vars over the project's, as YAML or JSON, e.g. '{min_amount: 10}'")
    .option('--project <dir>', 'the dbt project', DEFAULT_PROJECT)
    .option('--compile-only', 'print the compiled SQL of every node; no warehouse needed', false)
    .action(async (o: BuildFlags) => {
      const runner = await import('../../models/runner/index.ts');
      const { parseVars } = await import('../../models/runner/cli.ts');
      const projectDir = resolve(o.project);
      const vars = o.vars === undefined ? {} : parseVars(o.vars);
      if (o.compileOnly) {
        for (const n of (await runner.compile(projectDir, vars)).nodes) {
          console.log(`-- ${n.kind} ${n.name} (${n.path})\n${n.sql ?? '-- (needs a warehouse)'}\n`);
        }
        return;
      }
      const c = await ctx.config();
      const asOf = chosenAsOf(c, o.asOf, LATEST);
      console.log(`As of: ${asOf.date ?? 'the last document date'} (${asOf.label})`);
      await runBuild(c, {
        projectDir,
        vars,
        asOf,
        fullRefresh: o.fullRefresh,
        ...(o.select ? { select: o.select } : {}),
        ...(o.exclude ? { exclude: o.exclude } : {}),
      });
    });
}
