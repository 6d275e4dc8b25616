/**
 * What `arlens start` and `arlens serve` do, step by step: load the data (the configured exports,
 * or the demo), bring the marts up to date for the chosen as-of date, make sure risk scores exist,
 * and serve until stopped. Each step is a function, so the two commands share one path.
 */
import { ADMIN_PASSWORD_ENV, ensureAdmin, type FirstRun } from '../auth/first-run.ts';
import { openOpsStore, opsStorePath } from '../ops/store.ts';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { publishedAsOf, type PublishedAsOf, type ResolvedAsOf } from '../models/as-of.ts';
import { onlyDemoLoadsIn } from '../server/demo.ts';
import { resolveApiSecret } from '../server/secret.ts';
import { tableExists } from '../warehouse/convert.ts';
import { configVars, DEFAULT_PROJECT, runBuild } from './commands/build.ts';
import { lastMonthEnd, writeDemo } from './commands/demo.ts';
import { runIngest } from './commands/ingest.ts';
import { smtpConfig, type Config } from './config.ts';
import { jobEngine } from './engine.ts';
import { withWarehouseQuery, withWarehouseQueryIfAny } from './warehouse.ts';

export interface LoadedData {
  /** The warehouse holds the generated demo exports and nothing else: demo sign-in may be offered. */
  readonly demo: boolean;
  /** The as-of date when nothing else is asked for: the end of the demo's history, or the latest document. */
  readonly defaultAsOf: ResolvedAsOf;
}

/** Load the configured exports, or (with none configured) the demo data, generating it when needed. */
export async function loadData(c: Config): Promise<LoadedData> {
  if (c.sources.length > 0) {
    await runIngest(c, c.sources, false);
    return { demo: false, defaultAsOf: { date: null, label: 'the last document date' } };
  }
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
  // Demo sign-in (any role, any region) only when the warehouse holds the demo data set alone, on
  // either engine (the rule of server/demo.ts: every load's file lies under the demo exports).
  const demo = await withWarehouseQuery(c, 'arlens start', (query) => onlyDemoLoadsIn(query, exportsDir));
  if (!demo) {
    console.log(
      'The warehouse also holds files other than the demo exports: demo sign-in is off. ' +
        'Sign in with a token: npx arlens token --role cfo',
    );
  }
  return { demo, defaultAsOf: { date: want.asOf, label: 'the end of the demo history' } };
}

/**
 * What the marts were built from: every file of the dbt project and the vars the config sets
 * (reporting currency, aging). When it
 * changes (a new ARLens version, an edited model), the marts are rebuilt from scratch.
 */
async function projectFingerprint(c: Config): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(configVars(c)));
  const files = (await fs.readdir(DEFAULT_PROJECT, { recursive: true })).sort();
  for (const f of files) {
    const path = join(DEFAULT_PROJECT, f);
    if (!(await fs.stat(path)).isFile() || f.startsWith('runner') || f.endsWith('.ts')) continue;
    hash.update(`\0${f}\0`).update(await fs.readFile(path));
  }
  return hash.digest('hex');
}

const fingerprintFile = (c: Config) => join(c.warehouse, 'marts.fingerprint');

export interface Published {
  /** Marts built (a manifest) and no load newer than them. */
  readonly current: boolean;
  readonly asOf: PublishedAsOf | null;
}

/** What is published (either engine); nothing built when no warehouse exists yet. */
export async function published(c: Config): Promise<Published> {
  const p = await withWarehouseQueryIfAny(c, 'arlens start', async (query): Promise<Published> => {
    if (!(await tableExists(query, 'meta', 'manifest'))) return { current: false, asOf: null };
    const rows = await query(
      `SELECT (SELECT max(finished_at) FROM meta.loads) <= (SELECT max(generated_at) FROM meta.manifest) AS current`,
    );
    return { current: rows[0]?.['current'] === true, asOf: await publishedAsOf(query) };
  });
  return p ?? { current: false, asOf: null };
}

/** Why the marts must be rebuilt for `asOf`, or null when the published ones are it. */
export function rebuildReason(p: Published, asOf: ResolvedAsOf, modelsChanged: boolean): string | null {
  if (modelsChanged) return 'the models changed since the last build';
  if (!p.current || p.asOf === null) return 'new data was loaded since the last build';
  if (asOf.date !== null && asOf.date !== p.asOf.date) return `the as-of date moves to ${asOf.date}`;
  if (asOf.date === null && p.asOf.source === 'set') return 'the as-of date moves to the last document date';
  return null;
}

/**
 * Bring the marts up to date for `asOf`: rebuild only when the models, the data or the as-of date
 * changed, and always say which as-of date the marts describe (and what it was before, when it
 * moved). A failed build leaves the last good warehouse published, and says what to do.
 */
export async function ensureMarts(c: Config, asOf: ResolvedAsOf): Promise<void> {
  const fingerprint = await projectFingerprint(c);
  const built = await fs.readFile(fingerprintFile(c), 'utf8').catch(() => '');
  const before = await published(c);
  const reason = rebuildReason(before, asOf, built !== fingerprint);
  if (reason === null) {
    console.log(`The marts are up to date: as of ${before.asOf?.date ?? '?'} (${asOf.label}).`);
    return;
  }
  try {
    const fullRefresh = built !== fingerprint;
    if (before.asOf !== null) console.log(`Rebuilding the marts: ${reason}.`);
    await runBuild(c, { asOf, fullRefresh });
    // On PostgreSQL the directory may not exist yet (the warehouse lives in the database).
    await fs.mkdir(c.warehouse, { recursive: true });
    await fs.writeFile(fingerprintFile(c), fingerprint);
    const after = await published(c);
    const moved =
      before.asOf !== null && after.asOf !== null && before.asOf.date !== after.asOf.date
        ? ` (was ${before.asOf.date})`
        : '';
    console.log(`As of: ${after.asOf?.date ?? '?'}${moved}, ${asOf.label}.`);
  } catch (e) {
    console.error(
      `\nThe marts were not rebuilt: ${(e as Error).message}\n` +
        'Serving the last published warehouse. Fix the problem above, then run: npx arlens build',
    );
  }
}

/** Train (when no model fits the data) and score, so the dashboard shows risk; never stops the start. */
export async function ensureRisk(c: Config): Promise<void> {
  const { defaultModelDir, ensureRiskScores } = await import('../ml/risk.server.ts');
  const started = performance.now();
  try {
    const r = await ensureRiskScores({
      warehouseDir: c.warehouse,
      engine: jobEngine(c),
      modelDir: defaultModelDir(c.warehouse),
      log: (m) => console.log(`  ${m}`),
    });
    console.log(`Risk model: ${r.message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(
      `Risk model: not available (${(e as Error).message}). The dashboard runs without risk scores; ` +
        'docs/ml.md explains the model and what it needs.',
    );
  }
}

/** Compute the cash forecast when the warehouse has none for its data; never stops the start. */
export async function ensureCashForecast(c: Config, o: { background?: boolean } = {}): Promise<void> {
  const { ensureForecast } = await import('../forecast/store.server.ts');
  const started = performance.now();
  try {
    const message = await ensureForecast(c.warehouse, {
      engine: jobEngine(c),
      log: (m) => console.log(`  ${m}`),
      ...(o.background
        ? {
            onStart: () =>
              console.log(
                'Cash forecast: computing in the background; the Overview shows it when it is ready.',
              ),
          }
        : {}),
    });
    console.log(`Cash forecast: ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    console.error(
      `Cash forecast: not available (${(e as Error).message}). The dashboard runs without it; ` +
        'docs/forecast.md explains what it needs.',
    );
  }
}

/** Serve the warehouse until SIGINT or SIGTERM; returns the URL once the server listens. */
export async function serveUntilStopped(
  c: Config,
  o: { host?: string; port?: number; demo: boolean },
): Promise<string> {
  const { secret, source } = await resolveApiSecret(c.warehouse);
  console.log(`API secret: ${source}`);
  const opsStore = c.auth.ops_store ?? opsStorePath(c.warehouse);
  // The first start on a user's own data makes the admin who adds everyone else.
  const store = openOpsStore(opsStore);
  let first: FirstRun;
  try {
    first = o.demo ? { created: false } : await ensureAdmin(store);
  } finally {
    store.close();
  }
  const { startServer } = await import('../server/index.ts');
  const server = await startServer({
    warehouseDir: c.warehouse,
    host: o.host ?? c.server.host,
    port: o.port ?? c.server.port,
    apiSecret: secret,
    reportingCurrency: c.reporting_currency,
    demo: o.demo,
    opsStore,
    sessions: { idleSeconds: c.auth.session_idle_minutes * 60, absoluteSeconds: c.auth.session_hours * 3600 },
    ...(c.auth.oidc ? { oidc: c.auth.oidc } : {}),
    // The warehouse engine: the published PostgreSQL schemas, or (the default) the DuckDB files.
    ...(c.engine.kind === 'postgres' ? { postgres: { url: c.engine.url } } : {}),
    collections: {
      ...(c.collections.policy ? { policyFile: c.collections.policy } : {}),
      company: c.collections.company,
      smtp: smtpConfig(c),
    },
    alerts: { timeZone: c.timezone, digestHour: c.alerts.digest_hour },
    log: (line) => console.log(line),
  });
  console.log(`Cube API: ${server.url}cubejs-api/v1 (tokens: npx arlens token --help)`);
  if (o.demo) {
    console.log('Sign in: demo users, one click each on the sign-in page (demo data only).');
  } else if (first.created) {
    console.log(
      `Sign in as ${first.username} with ${first.password ? `the password ${first.password}` : `the password in ${ADMIN_PASSWORD_ENV}`}`,
    );
    console.log(
      '  (shown once: change it with npx arlens users reset-password admin; add people with npx arlens users add)',
    );
  } else {
    console.log('Sign in with your ARLens account (an administrator adds users: npx arlens users add).');
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server.url;
}
