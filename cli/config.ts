/**
 * arlens.config.yaml: where the warehouse lives and which exports to load. Every key is optional;
 * without a config file ARLens runs on its embedded default (demo data in ./data).
 */
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ENTITY_NAMES, PLAUSIBLE_DATES } from '../ingest/contract.ts';
import { FormatSchema } from '../ingest/profile.ts';
import type { SmtpConfig } from '../collections/mail.ts';
import { isAsOfSpec } from '../models/as-of.ts';

/** A calendar date as YYYY-MM-DD (YAML 1.1 readers may hand over a Date: taken as its UTC day). */
const IsoDate = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'not a calendar date'),
);

const DEFAULT_WAREHOUSE_DIR = 'data/warehouse';

/**
 * `warehouse`: a directory (the embedded DuckDB warehouse, the default), or the engine spelled out:
 * `{ engine: duckdb, dir }` or `{ engine: postgres, url, dir }`. With PostgreSQL, `dir` still holds
 * what ARLens keeps beside the warehouse (operational store, API secret, ML models); the URL may come
 * from ARLENS_PG_URL instead of the file, so no password needs to be written into it.
 */
const WarehouseSchema = z
  .union([
    z.string(),
    z.strictObject({ engine: z.literal('duckdb'), dir: z.string().default(DEFAULT_WAREHOUSE_DIR) }),
    z.strictObject({
      engine: z.literal('postgres'),
      url: z.string().optional(),
      dir: z.string().default(DEFAULT_WAREHOUSE_DIR),
    }),
  ])
  .default(DEFAULT_WAREHOUSE_DIR);

/** The warehouse engine a config selects (resolved: the PostgreSQL URL checked). */
export type WarehouseEngine =
  { readonly kind: 'duckdb' } | { readonly kind: 'postgres'; readonly url: string };

/** The environment variable that gives the PostgreSQL URL (it wins over `warehouse.url` in the file). */
export const PG_URL_ENV = 'ARLENS_PG_URL';

/** `url` if it is a PostgreSQL connection URL, else a clear error naming `where` (the password never shown). */
export function checkPgUrl(url: string, where: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme === undefined) {
    throw new Error(
      `${where} is not a URL: expected postgres://user:password@host:5432/database ` +
        '(or postgres://user@localhost/database?host=/run/postgresql for a local socket).',
    );
  }
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new Error(`${where} must start with postgres:// or postgresql:// (it starts with ${scheme}://).`);
  }
  let parsed: URL;
  try {
    // libpq also accepts an empty host (postgres://user@/db?host=/socket); URL needs one to parse.
    parsed = new URL(url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*@)(?=[/?#]|$)/, '$1localhost'));
  } catch {
    throw new Error(`${where} is not a valid URL: expected postgres://user:password@host:5432/database.`);
  }
  if (!parsed.pathname || parsed.pathname === '/') {
    throw new Error(
      `${where} names no database: add it after the host, e.g. postgres://arlens@db:5432/arlens.`,
    );
  }
  return url;
}

const ConfigSchema = z.strictObject({
  /** The warehouse: a directory of DuckDB files (the default), or `{ engine, url, dir }` (above). */
  warehouse: WarehouseSchema,
  /** Currency all reporting amounts are converted to. */
  reporting_currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  /**
   * Business dates outside this window are quarantined as implausible (a year-9999 placeholder, a
   * typo). Widen it if your data really has such dates.
   */
  plausible_dates: z
    .strictObject({ from: IsoDate, to: IsoDate })
    .refine((w) => w.from <= w.to, '"from" must not be after "to"')
    .default({ ...PLAUSIBLE_DATES }),
  /**
   * The date the marts describe: a date (YYYY-MM-DD), "today" (in `timezone`) or "latest" (the last
   * document date). Unset: "latest" for your exports, the end of the demo's history for the demo.
   * `--as-of` on build, start and serve overrides it (models/as-of.ts).
   */
  as_of: z.string().refine(isAsOfSpec, 'a date (YYYY-MM-DD), "today" or "latest"').optional(),
  /** The reporting time zone (IANA name): what "today" means for the as-of date. */
  timezone: z
    .string()
    .refine(
      (tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC',
      'an IANA time zone, e.g. Asia/Tokyo',
    )
    .default('UTC'),
  /**
   * Aging: the basis (due_date: days past the due date, with "current" for not yet due; document_date:
   * days since the invoice date) and the buckets' upper bounds in days, ascending (the last bucket is
   * open-ended). Default: due_date with 30, 60, 90, 180 (current, 1-30, 31-60, 61-90, 91-180, 180+).
   */
  aging: z
    .strictObject({
      basis: z.enum(['due_date', 'document_date']).default('due_date'),
      buckets: z
        .array(z.number().int().positive().max(36_500))
        .min(1)
        .max(20)
        .refine((b) => b.every((x, i) => i === 0 || x > b[i - 1]!), 'bounds must rise: e.g. [30, 60, 90]')
        .default([30, 60, 90, 180]),
    })
    .default({ basis: 'due_date', buckets: [30, 60, 90, 180] }),
  /** Exports `arlens ingest` loads when run without file arguments. */
  sources: z
    .array(
      z.strictObject({
        path: z.string(),
        profile: z.string().default('canonical'),
        entity: z.enum(ENTITY_NAMES).optional(),
        /** Override the profile's format for this source (encoding, delimiter, date_format, …). */
        format: FormatSchema.optional(),
      }),
    )
    .default([]),
  server: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).default(3000) })
    .default({
      host: '127.0.0.1',
      port: 3000,
    }),
  /** Sign-in and the operational store (users, sessions, audit log): docs/security.md. */
  auth: z
    .strictObject({
      /** The operational store's file (default: arlens.ops.sqlite beside the warehouse folder). */
      ops_store: z.string().optional(),
      /** A session ends after this many minutes without a request... */
      session_idle_minutes: z
        .number()
        .int()
        .min(5)
        .max(24 * 60)
        .default(60),
      /** ...and this many hours after sign-in, whichever comes first. */
      session_hours: z
        .number()
        .int()
        .min(1)
        .max(24 * 7)
        .default(8),
      /** Single sign-on through OpenID Connect (the client secret comes from ARLENS_OIDC_CLIENT_SECRET). */
      oidc: z
        .strictObject({
          issuer: z.url(),
          client_id: z.string().min(1),
          /** The button's words ("Sign in with <label>"). */
          label: z.string().min(1).max(60).default('single sign-on'),
          /** This server's public address, for the redirect URI (<public_url>/signin/oidc/callback). */
          public_url: z.url(),
        })
        .optional(),
    })
    .default({ session_idle_minutes: 60, session_hours: 8 }),
  /**
   * Collections (docs/collections.md): the dunning policy file, the company name letters carry, and
   * the SMTP server letters are sent through (the password comes from ARLENS_SMTP_PASSWORD).
   */
  collections: z
    .strictObject({
      policy: z.string().optional(),
      company: z.string().min(1).max(120).default('ARLens'),
      smtp: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(587),
          /** TLS from the first byte (port 465); otherwise STARTTLS. */
          secure: z.boolean().default(false),
          /** Refuse to send unless the server upgrades to TLS (default: yes, except on localhost). */
          require_tls: z.boolean().optional(),
          user: z.string().optional(),
          from: z.string().min(3),
        })
        .optional(),
    })
    .default({ company: 'ARLens' }),
  /**
   * Early-warning alerts (docs/collections.md): the hour (0-23, in `timezone`) after which the server
   * sends each day's digest email. `arlens alerts digest` from cron does the same.
   */
  alerts: z
    .strictObject({
      digest_hour: z.number().int().min(0).max(23).default(7),
    })
    .default({ digest_hour: 7 }),
  demo: z
    .strictObject({
      seed: z.number().int().default(42),
      invoices: z.number().int().min(100).default(20000),
      dir: z.string().default('data/demo'),
    })
    .default({ seed: 42, invoices: 20000, dir: 'data/demo' }),
});
type ParsedConfig = z.infer<typeof ConfigSchema>;
export type Config = Omit<ParsedConfig, 'warehouse'> & {
  /**
   * The directory of the warehouse files (DuckDB), and of what ARLens keeps beside any warehouse: the
   * operational store, API secret, ML models.
   */
  warehouse: string;
  /** Which engine holds the warehouse; DuckDB (in `warehouse`) unless the config says postgres. */
  engine: WarehouseEngine;
};

export const DEFAULT_CONFIG_FILE = 'arlens.config.yaml';

/** Load the config; relative paths in it are resolved against the config file's folder. */
export async function loadConfig(file?: string): Promise<Config & { file: string | undefined }> {
  const path = file ?? process.env['ARLENS_CONFIG'] ?? DEFAULT_CONFIG_FILE;
  let raw: unknown = {};
  let found: string | undefined;
  try {
    raw = parseYaml(await fs.readFile(path, 'utf8')) ?? {};
    found = resolve(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || file !== undefined) {
      throw new Error(`Cannot read config ${path}: ${(e as Error).message}`, { cause: e });
    }
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Config ${path} is not valid:\n${problems}`);
  }
  const base = found ? dirname(found) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const c = parsed.data;
  const w = typeof c.warehouse === 'string' ? { engine: 'duckdb' as const, dir: c.warehouse } : c.warehouse;
  let engine: WarehouseEngine = { kind: 'duckdb' };
  if (w.engine === 'postgres') {
    const fromEnv = process.env[PG_URL_ENV];
    const url = fromEnv !== undefined && fromEnv !== '' ? fromEnv : w.url;
    if (url === undefined || url === '') {
      throw new Error(
        `Config ${path}: warehouse.engine is postgres but no URL is given: set warehouse.url, or ` +
          `${PG_URL_ENV}=postgres://user:password@host:5432/database in the environment (keeps the password out of the file).`,
      );
    }
    engine = {
      kind: 'postgres',
      url: checkPgUrl(url, fromEnv ? PG_URL_ENV : `warehouse.url in ${path}`),
    };
  }
  return {
    ...c,
    file: found,
    warehouse: abs(w.dir),
    engine,
    sources: c.sources.map((s) => ({ ...s, path: abs(s.path) })),
    demo: { ...c.demo, dir: abs(c.demo.dir) },
    auth: { ...c.auth, ...(c.auth.ops_store ? { ops_store: abs(c.auth.ops_store) } : {}) },
    collections: { ...c.collections, ...(c.collections.policy ? { policy: abs(c.collections.policy) } : {}) },
  };
}

/** The SMTP settings of the config (password from ARLENS_SMTP_PASSWORD), or null when not set up. */
export function smtpConfig(c: Config): SmtpConfig | null {
  const s = c.collections.smtp;
  if (!s) return null;
  return {
    host: s.host,
    port: s.port,
    secure: s.secure,
    user: s.user ?? null,
    password: process.env['ARLENS_SMTP_PASSWORD'] ?? null,
    from: s.from,
    ...(s.require_tls === undefined ? {} : { requireTls: s.require_tls }),
  };
}
