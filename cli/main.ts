/**
 * `arlens`: the one door to every ARLens job. `arlens <command> --help` explains each.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { contractMarkdown, ENTITY_NAMES, type EntityName } from '../ingest/contract.ts';
import { ingest, type IngestReport, type IngestSource } from '../ingest/load.ts';
import { listBuiltinProfiles, loadProfile, type FormatOptions } from '../ingest/profile.ts';
import { ROLES, signToken, type Role, type SecurityContext } from '../cube/tokens.ts';
import { onlyDemoLoads } from '../server/demo.ts';
import { resolveApiSecret } from '../server/secret.ts';
import { quarantinedRows, warehouseStatus } from '../ingest/status.ts';
import { firstOfMonth, formatDay, today } from '../core/calendar.ts';
import { withPublished } from '../warehouse/store.ts';
import { connQuery, queryRows, tableExists } from '../warehouse/convert.ts';
import { loadConfig, type Config } from './config.ts';
import { registerMlCommands } from './ml.ts';
import { ingestProgress } from './progress.ts';

const program = new Command();
program
  .name('arlens')
  .description('ARLens: accounts-receivable analytics from your ERP exports.')
  .option('-c, --config <file>', 'config file (default: arlens.config.yaml if present)')
  .option('-w, --warehouse <dir>', 'warehouse directory (overrides the config)')
  .showHelpAfterError('(run with --help for usage)');

async function config(): Promise<Config> {
  const opts = program.opts<{ config?: string; warehouse?: string }>();
  const c = await loadConfig(opts.config);
  return opts.warehouse ? { ...c, warehouse: resolve(opts.warehouse) } : c;
}

/** Last day of the previous month (UTC calendar), the demo's default "as of" date. */
function lastMonthEnd(): string {
  return formatDay(firstOfMonth(today()) - 1);
}

const num = new Intl.NumberFormat('en-US');

function printIngestReport(report: IngestReport): void {
  for (const s of report.skipped) console.log(`  skipped  ${s.file} (${s.entity}): ${s.reason}`);
  if (!report.published) {
    console.log(
      'Nothing to load: every file was already loaded with the same content, profile and options. ' +
        'The warehouse is unchanged. To load a file again anyway, run arlens ingest with --force.',
    );
    return;
  }
  const rows = report.loads.map((l) => [
    l.file,
    l.entity,
    num.format(l.rowsRead),
    num.format(l.rowsLoaded),
    num.format(l.rowsQuarantined),
    `${num.format(l.inserted)} new, ${num.format(l.updated)} changed, ${num.format(l.unchanged)} same`,
  ]);
  const head = ['file', 'entity', 'read', 'loaded', 'quarantined', 'records'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const q = report.loads.reduce((a, l) => a + l.rowsQuarantined, 0);
  if (q > 0) {
    console.log(`\n${num.format(q)} row(s) were quarantined and not loaded. First ones:`);
    for (const s of report.quarantineSample) {
      const value = s.value === null ? 'empty' : JSON.stringify(s.value);
      const where = s.column === '' ? `row ${s.row}` : `row ${s.row}, column ${s.column}`;
      console.log(`  ${s.file} ${where} (${value}): ${s.reason}`);
    }
    console.log(
      'Fix them in the ERP or the export and load the corrected file again; see them all with: arlens status --quarantine',
    );
  }
  console.log(`Published run ${report.runId}.`);
}

async function runIngest(c: Config, sources: IngestSource[], force: boolean): Promise<IngestReport> {
  const progress = ingestProgress();
  try {
    const report = await ingest(sources, {
      warehouseDir: c.warehouse,
      force,
      plausibleDates: c.plausible_dates,
      onEvent: progress.onEvent,
    });
    progress.stop();
    printIngestReport(report);
    return report;
  } catch (e) {
    progress.stop();
    throw e;
  }
}

async function writeDemo(
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
  const { generateDemo } = await import('../ingest/demo/generate.ts');
  const summary = await generateDemo({
    seed,
    invoices,
    asOf,
    outDir,
    reportingCurrency: c.reporting_currency,
  });
  for (const line of summary.story) console.log(`  story: ${line}`);
}

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
    const c = await config();
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

interface IngestFlags {
  profile: string;
  entity?: EntityName;
  force: boolean;
  encoding?: 'utf-8' | 'shift_jis' | 'windows-1252';
  delimiter?: string;
  decimal?: '.' | ',';
  dateFormat?: string;
}

program
  .command('ingest')
  .description(
    'Load ERP export files (CSV, XLSX, JSON, Parquet) into the warehouse. Bad rows are quarantined with ' +
      'file, row, column and reason; a file already loaded with the same content, profile and options ' +
      '(encoding, delimiter, decimal, date format) is skipped unless --force is given.',
  )
  .argument('[paths...]', 'files or directories (default: the sources in the config file)')
  .option(
    '-p, --profile <name>',
    'column-mapping profile: a built-in name (arlens profiles) or a YAML file',
    'canonical',
  )
  .addOption(
    new Option('-e, --entity <entity>', 'load every file as this entity, whatever its name').choices([
      ...ENTITY_NAMES,
    ]),
  )
  .addOption(
    new Option('--encoding <name>', "override the profile's text encoding").choices([
      'utf-8',
      'shift_jis',
      'windows-1252',
    ]),
  )
  .option('--delimiter <char>', "override the profile's CSV delimiter (e.g. ';' or tab as $'\\t')")
  .addOption(new Option('--decimal <char>', "override the profile's decimal separator").choices(['.', ',']))
  .option('--date-format <fmt>', "override the profile's date format (strptime, e.g. %d.%m.%Y)")
  .option(
    '--force',
    'load again even when the same content was loaded before with the same profile and options',
    false,
  )
  .action(async (paths: string[], o: IngestFlags) => {
    const c = await config();
    const format: FormatOptions = {
      ...(o.encoding ? { encoding: o.encoding } : {}),
      ...(o.delimiter ? { delimiter: o.delimiter } : {}),
      ...(o.decimal ? { decimal_separator: o.decimal } : {}),
      ...(o.dateFormat ? { date_format: o.dateFormat } : {}),
    };
    const sources: IngestSource[] =
      paths.length > 0
        ? paths.map((path) => ({
            path,
            profile: o.profile,
            format,
            ...(o.entity ? { entity: o.entity } : {}),
          }))
        : c.sources.map((s) => ({ ...s, format: { ...s.format, ...format } }));
    if (sources.length === 0) {
      throw new Error('Nothing to load: name files or directories, or list sources in arlens.config.yaml.');
    }
    await runIngest(c, sources, o.force);
  });

interface BuildFlags {
  select?: string[];
  exclude?: string[];
  fullRefresh: boolean;
  vars?: string;
  project: string;
  compileOnly: boolean;
}

const DEFAULT_PROJECT = join(import.meta.dirname, '..', 'models');

/** Build the dbt project into the configured warehouse, with a progress line per node. */
async function runBuild(
  c: Config,
  o: {
    projectDir?: string;
    vars?: Record<string, unknown>;
    fullRefresh?: boolean;
    select?: string[];
    exclude?: string[];
  },
): Promise<void> {
  const runner = await import('../models/runner/index.ts');
  const { progressLine, summaryTable } = await import('../models/runner/cli.ts');
  try {
    const report = await runner.build({
      projectDir: o.projectDir ?? DEFAULT_PROJECT,
      warehouseDir: c.warehouse,
      vars: { reporting_currency: c.reporting_currency, ...o.vars },
      fullRefresh: o.fullRefresh ?? false,
      ...(o.select ? { select: o.select } : {}),
      ...(o.exclude ? { exclude: o.exclude } : {}),
      onEvent: (e) => {
        if (e.kind === 'node-done') process.stderr.write(`${progressLine(e)}\n`);
        if (e.kind === 'publishing') process.stderr.write('publishing the new warehouse generation\n');
      },
    });
    console.log(summaryTable(report.results));
    console.log(`Published run ${report.runId} (${(report.elapsedMs / 1000).toFixed(1)} s).`);
  } catch (e) {
    if (e instanceof runner.BuildFailedError) console.log(summaryTable(e.report.results));
    throw e;
  }
}

/** True when the published warehouse has marts built (a manifest) and no load is newer than them. */
/**
 * What the marts were built from: every file of the dbt project and the reporting currency. When it
 * changes (a new ARLens version, an edited model), `start` rebuilds the marts from scratch, since an
 * incremental build cannot add a column to a table built before.
 */
async function projectFingerprint(c: Config): Promise<string> {
  const hash = createHash('sha256').update(c.reporting_currency);
  const files = (await fs.readdir(DEFAULT_PROJECT, { recursive: true })).sort();
  for (const f of files) {
    const path = join(DEFAULT_PROJECT, f);
    if (!(await fs.stat(path)).isFile() || f.startsWith('runner')) continue;
    hash.update(`\0${f}\0`).update(await fs.readFile(path));
  }
  return hash.digest('hex');
}

const fingerprintFile = (c: Config) => join(c.warehouse, 'marts.fingerprint');

async function buildIsCurrent(c: Config): Promise<boolean> {
  return withPublished(c.warehouse, async (conn) => {
    if (!(await tableExists(connQuery(conn), 'meta', 'manifest'))) return false;
    const rows = await queryRows(
      conn,
      `SELECT (SELECT max(finished_at) FROM meta.loads) <= (SELECT max(generated_at) FROM meta.manifest) AS current`,
    );
    return rows[0]?.['current'] === true;
  });
}

program
  .command('build')
  .description(
    'Build the dbt project (models/) into the warehouse as `dbt build` does: models, then their data ' +
      'tests and unit tests. Nothing is published unless every node passes.',
  )
  .option(
    '-s, --select <selectors...>',
    'what to build: name, +name (with ancestors), name+ (with descendants), tag:x',
  )
  .option('--exclude <selectors...>', 'what to leave out (same syntax)')
  .option('--full-refresh', 'rebuild incremental models from scratch', false)
  .option('--vars <yaml>', "vars over the project's, as YAML or JSON, e.g. '{min_amount: 10}'")
  .option('--project <dir>', 'the dbt project', DEFAULT_PROJECT)
  .option('--compile-only', 'print the compiled SQL of every node; no warehouse needed', false)
  .action(async (o: BuildFlags) => {
    const runner = await import('../models/runner/index.ts');
    const { parseVars } = await import('../models/runner/cli.ts');
    const projectDir = resolve(o.project);
    const vars = o.vars === undefined ? {} : parseVars(o.vars);
    if (o.compileOnly) {
      for (const n of (await runner.compile(projectDir, vars)).nodes) {
        console.log(`-- ${n.kind} ${n.name} (${n.path})\n${n.sql ?? '-- (needs a warehouse)'}\n`);
      }
      return;
    }
    await runBuild(await config(), {
      projectDir,
      vars,
      fullRefresh: o.fullRefresh,
      ...(o.select ? { select: o.select } : {}),
      ...(o.exclude ? { exclude: o.exclude } : {}),
    });
  });

program
  .command('status')
  .description('Show what the warehouse holds: rows per raw table, recent loads, quarantined rows.')
  .option('--quarantine', 'list quarantined rows of the latest loads', false)
  .option('--limit <n>', 'how many loads / quarantined rows to list', (v) => Number.parseInt(v, 10), 20)
  .action(async (o: { quarantine: boolean; limit: number }) => {
    const c = await config();
    await withPublished(c.warehouse, async (conn) => {
      const query = connQuery(conn);
      const status = await warehouseStatus(query, o.limit);
      console.log('Raw tables:');
      for (const t of status.tables)
        console.log(`  ${t.entity.padEnd(22)} ${num.format(t.rows).padStart(12)}`);
      console.log('\nLatest loads:');
      for (const l of status.loads) {
        console.log(
          `  ${String(l['finished_at'])}  ${String(l['file_name'])} (${String(l['entity'])}): ` +
            `${num.format(Number(l['rows_read']))} read, ${num.format(Number(l['rows_loaded']))} loaded, ` +
            `${num.format(Number(l['rows_quarantined']))} quarantined`,
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

program
  .command('profiles')
  .description('List the built-in column-mapping profiles (ERP layouts ARLens reads).')
  .action(async () => {
    for (const name of await listBuiltinProfiles()) {
      const p = await loadProfile(name);
      console.log(`${name.padEnd(14)} ${p.title}`);
    }
  });

program
  .command('contract')
  .description('Print the ERP export contract (the fields ARLens expects for each entity).')
  .option('--markdown', 'print as Markdown (docs/contract.md is this output)', false)
  .action((o: { markdown: boolean }) => {
    if (o.markdown) process.stdout.write(contractMarkdown());
    else for (const e of ENTITY_NAMES) console.log(e);
  });

async function apiSecret(c: Config): Promise<string> {
  const { secret, source } = await resolveApiSecret(c.warehouse);
  console.log(`API secret: ${source}`);
  return secret;
}

program
  .command('token')
  .description('Print a signed API token (JWT) for a role, to query the Cube API with curl or a BI tool.')
  .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
  .option('--region <region...>', 'region(s) a sales_lead sees')
  .option('--portfolio <controller>', 'credit controller whose customers a collector sees')
  .option('--expires <span>', 'lifetime, e.g. 8h, 30d (at most 30 days; ARLENS_TOKEN_MAX_DAYS)', '8h')
  .action(async (o: { role: Role; region?: string[]; portfolio?: string; expires: string }) => {
    const c = await config();
    const { secret } = await resolveApiSecret(c.warehouse);
    const context: SecurityContext =
      o.role === 'sales_lead'
        ? { role: o.role, regions: o.region ?? [] }
        : o.role === 'collector'
          ? { role: o.role, portfolio: o.portfolio ?? '' }
          : { role: o.role };
    if (context.role === 'sales_lead' && context.regions.length === 0) {
      throw new Error('a sales_lead token needs --region (one or more regions)');
    }
    if (context.role === 'collector' && context.portfolio === '') {
      throw new Error('a collector token needs --portfolio <credit controller>');
    }
    console.log(await signToken(secret, context, o.expires));
  });

registerMlCommands(program, config);

/** Train (when no model fits the data) and score, so the dashboard shows risk; never stops the start. */
async function ensureRisk(c: Config): Promise<void> {
  const { defaultModelDir, ensureRiskScores } = await import('../ml/risk.server.ts');
  const started = performance.now();
  try {
    const r = await ensureRiskScores({
      warehouseDir: c.warehouse,
      modelDir: defaultModelDir(c.warehouse),
      log: (m) => console.log(`  ${m}`),
    });
    console.log(`Risk model: ${r.message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(
      `Risk model: not available (${(e as Error).message}). The dashboard runs without risk scores; ` +
        'see docs/ml.md, then run npx arlens train && npx arlens score.',
    );
  }
}

program
  .command('serve')
  .description('Serve the published warehouse over HTTP; follows new warehouse files without downtime.')
  .option('--port <n>', 'port (0 = any free port)', (v) => Number.parseInt(v, 10))
  .option('--host <host>', 'interface to listen on')
  .action(async (o: { port?: number; host?: string }) => {
    const c = await config();
    const { startServer } = await import('../server/index.ts');
    const server = await startServer({
      warehouseDir: c.warehouse,
      host: o.host ?? c.server.host,
      port: o.port ?? c.server.port,
      apiSecret: await apiSecret(c),
      reportingCurrency: c.reporting_currency,
      log: (line) => console.log(line),
    });
    console.log(`ARLens is serving ${c.warehouse} at ${server.url}`);
    console.log(`Cube API: ${server.url}cubejs-api/v1 (tokens: npx arlens token --help)`);
    console.log('Dashboard sign-in takes an API token: npx arlens token --role cfo');
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('start')
  .description('Load the configured exports (or, with none configured, demo data) and serve them.')
  .option('--port <n>', 'port (0 = any free port)', (v) => Number.parseInt(v, 10))
  .action(async (o: { port?: number }) => {
    const started = performance.now();
    const c = await config();
    // Demo sign-in (any role, any region) only when the warehouse holds the demo data set alone.
    let demo = false;
    if (c.sources.length > 0) {
      await runIngest(c, c.sources, false);
    } else {
      const exportsDir = join(c.demo.dir, 'exports');
      const marker = join(c.demo.dir, 'demo.json');
      const want = { seed: c.demo.seed, invoices: c.demo.invoices, asOf: lastMonthEnd() };
      const have = await fs.readFile(marker, 'utf8').catch(() => '');
      if (have !== JSON.stringify(want)) {
        await writeDemo(c, want.seed, want.invoices, want.asOf, exportsDir);
        await fs.writeFile(marker, JSON.stringify(want));
      }
      console.log(`No sources in the config: using demo data from ${exportsDir}`);
      await runIngest(c, [{ path: exportsDir, profile: 'canonical' }], false);
      demo = await onlyDemoLoads(c.warehouse, exportsDir);
      if (!demo) {
        console.log(
          'The warehouse also holds files other than the demo exports: demo sign-in is off. ' +
            'Sign in with a token: npx arlens token --role cfo',
        );
      }
    }
    const fingerprint = await projectFingerprint(c);
    const built = await fs.readFile(fingerprintFile(c), 'utf8').catch(() => '');
    if (built === fingerprint && (await buildIsCurrent(c))) {
      console.log('The marts are up to date with the latest loads.');
    } else {
      try {
        const fullRefresh = built !== fingerprint;
        if (fullRefresh && built !== '')
          console.log('The models changed since the last build: rebuilding the marts.');
        await runBuild(c, { fullRefresh });
        await fs.writeFile(fingerprintFile(c), fingerprint);
      } catch (e) {
        // The last good warehouse is still published: serve it, and say what to fix.
        console.error(
          `\nThe marts were not rebuilt: ${(e as Error).message}\n` +
            'Serving the last published warehouse. Fix the problem above, then run: npx arlens build',
        );
      }
    }
    await ensureRisk(c);
    const { startServer } = await import('../server/index.ts');
    const server = await startServer({
      warehouseDir: c.warehouse,
      host: c.server.host,
      port: o.port ?? c.server.port,
      apiSecret: await apiSecret(c),
      reportingCurrency: c.reporting_currency,
      demo,
      log: (line) => console.log(line),
    });
    console.log(`Cube API: ${server.url}cubejs-api/v1 (tokens: npx arlens token --help)`);
    if (!demo) console.log('Dashboard sign-in takes an API token: npx arlens token --role cfo');
    console.log(
      `\nARLens is ready at ${server.url}  (started in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`arlens: ${(e as Error).message}`);
  process.exitCode = 1;
});
