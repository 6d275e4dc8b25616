/**
 * The server's view of a PostgreSQL warehouse (issue 21, plan §5): the twin of ServingWarehouse
 * (serving.ts) with the same `query`/`generation`/`'swap'` surface, over a `pg.Pool`.
 *
 * A build publishes by renaming whole schemas in one transaction (warehouse/pg-publish.ts), and an
 * ingest by committing one transaction: every statement the server runs (READ COMMITTED, one
 * snapshot per statement) sees one finished build, never half of one. The server follows publishes
 * with `LISTEN arlens_published` (a notification bumps the generation at once) and a poll of what
 * was published (`meta.model_runs`, `meta.loads`), since a notification sent while the listener was
 * reconnecting is lost. Each new generation emits `'swap'` (Cube's rollup refresh, the as-of date and
 * the dashboard's cached filter options follow it, as on DuckDB).
 *
 * Values come back through warehouse/convert-pg.ts (the PostgreSQL conversion boundary), so the
 * callers' `Row`s are the ones DuckDB gives. Callers write `$1` placeholders, or `?` as DuckDB also
 * accepts: `?` outside quotes and comments becomes `$n` here.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Row } from './convert.ts';
import { PG_TYPES } from './convert-pg.ts';
import type { SqlParam } from './duckdb.ts';
import type { Serving } from './serving.ts';

/** The channel warehouse/pg-publish.ts notifies after every publish. */
export const PUBLISH_CHANNEL = 'arlens_published';

export interface PgServingOptions {
  /** The warehouse database (postgres://…). */
  readonly url: string;
  /** Connections in the pool (concurrent queries). */
  readonly connections?: number;
  /** How often to look for a publish besides notifications (ms). */
  readonly pollMs?: number;
  /**
   * SQL run once at open, in one transaction under an advisory lock (two servers starting together do
   * not race on CREATE OR REPLACE): the semantic layer's functions, empty tables for what no job
   * wrote yet.
   */
  readonly setup?: readonly string[];
  /**
   * Follow publishes (LISTEN and poll, `'swap'` events): true for a server. A one-shot reader (a CLI
   * command that reads the published warehouse once) passes false: `open` then only runs `setup`.
   */
  readonly follow?: boolean;
  /** The connections' application_name (pg_stat_activity shows it); 'arlens serve' unless told. */
  readonly applicationName?: string;
}

/** Session settings of every pooled connection: as PgSession sets them for jobs; DuckDB-named functions (round(double, n), arg_max) resolve in `arlens`. */
const SESSION_OPTIONS =
  '-c search_path=public,arlens -c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c jit=off';

/**
 * DuckDB's `?` placeholders as PostgreSQL's `$n`: every `?` outside string literals, quoted
 * identifiers, dollar-quoted bodies and comments. Text that already numbers its parameters is
 * returned unchanged.
 */
export function numberPlaceholders(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (c === "'" || c === '"') {
      const end = closing(sql, i + 1, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && /[A-Za-z_$]/.test(next) && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_]\w*\$|^\$\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end === -1 ? sql.length : end + tag.length;
        out += sql.slice(i, stop);
        i = stop;
      } else {
        out += c;
        i++;
      }
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after the quote that closes the literal starting before `from` (doubled quotes escape). */
function closing(sql: string, from: number, quote: string): number {
  let i = from;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Parameters as pg sends them: bigints as their decimal text (exact), everything else as is. */
function pgParams(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
}

export class PgServingWarehouse extends EventEmitter implements Serving {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private published: string | undefined;
  private n = 0;
  private closed = false;

  constructor(private readonly options: PgServingOptions) {
    super();
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.connections ?? 8,
      types: PG_TYPES,
      application_name: options.applicationName ?? 'arlens serve',
      options: SESSION_OPTIONS,
    });
    // An idle client's error (the server restarted) must not stop the process; the next query reconnects.
    this.pool.on('error', (e) => this.emit('error', e));
  }

  get generation(): number {
    return this.n;
  }

  /** Where a PostgreSQL warehouse is served from, for messages (without the password). */
  get description(): string {
    try {
      const u = new URL(this.options.url);
      u.password = '';
      return u.toString();
    } catch {
      return 'the PostgreSQL warehouse';
    }
  }

  async open(): Promise<void> {
    const setup = this.options.setup ?? [];
    if (setup.length > 0) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('arlens.serve-setup', 0))");
        for (const sql of setup) await client.query(sql);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(
          `Cannot prepare the PostgreSQL warehouse for serving (${(e as Error).message}). The server's role needs CREATE on the database.`,
          { cause: e },
        );
      } finally {
        client.release();
      }
    }
    if (this.options.follow === false) return;
    await this.listen().catch((e: unknown) => this.emit('error', e));
    await this.refresh();
    this.poller = setInterval(() => {
      if (!this.listener) void this.listen().catch((e: unknown) => this.emit('error', e));
      void this.refresh();
    }, this.options.pollMs ?? 1000);
  }

  private listen(): Promise<void> {
    this.listening ??= (async () => {
      const client = new pg.Client({
        connectionString: this.options.url,
        types: PG_TYPES,
        application_name: 'arlens serve (listen)',
      });
      const drop = () => {
        if (this.listener === client) this.listener = undefined;
        void client.end().catch(() => undefined);
      };
      client.on('error', (e) => {
        this.emit('error', e);
        drop();
      });
      client.on('end', drop);
      client.on('notification', (m) => {
        if (m.channel === PUBLISH_CHANNEL) void this.refresh(true);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${PUBLISH_CHANNEL}`);
      } catch (e) {
        drop();
        throw e;
      }
      if (this.closed) drop();
      else this.listener = client;
    })().finally(() => {
      this.listening = undefined;
    });
    return this.listening;
  }

  /**
   * Look for a publish and move to the next generation when there was one (`notified`: a publish was
   * announced, so move even if the marks read the same). Calls are serialized.
   */
  refresh(notified = false): Promise<void> {
    this.checking = this.checking
      .then(() => this.check(notified))
      .catch((e: unknown) => {
        this.emit('error', e);
      });
    return this.checking;
  }

  /** What was published: the latest build and load, or undefined before any job wrote them. */
  private async marks(): Promise<string | undefined> {
    const [exists] = await this.query(
      `SELECT to_regclass('meta.model_runs') IS NOT NULL AS runs, to_regclass('meta.loads') IS NOT NULL AS loads,
              to_regclass('marts.fct_invoices') IS NOT NULL AS marts`,
    );
    if (!exists || (!exists['runs'] && !exists['loads'] && !exists['marts'])) return undefined;
    const parts = await Promise.all([
      exists['runs']
        ? this.query('SELECT max(run_id) AS m, count(*) AS n FROM meta.model_runs')
        : Promise.resolve([]),
      exists['loads']
        ? this.query('SELECT max(load_id) AS m, count(*) AS n FROM meta.loads')
        : Promise.resolve([]),
    ]);
    return JSON.stringify(parts.map((rows) => rows[0] ?? null));
  }

  private async check(notified: boolean): Promise<void> {
    if (this.closed) return;
    const marks = await this.marks();
    if (marks === undefined) return;
    if (!notified && marks === this.published) return;
    this.published = marks;
    this.n++;
    this.emit('swap', this.n);
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const result = await this.pool.query<Row>(numberPlaceholders(sql), pgParams(params));
    return result.rows;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    await this.listening?.catch(() => undefined);
    await this.checking;
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => undefined);
    await this.pool.end();
  }
}
