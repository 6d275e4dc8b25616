/**
 * `arlens ingest`: load export files into the warehouse's raw tables.
 *
 * 1. Plan (nothing written): match each file to its profile's mappings, hash it, skip file+mapping
 *    pairs already loaded with the same content, and check every header. Any mismatch stops here.
 * 2. Load, in one new warehouse generation (see warehouse/store.ts): per file and mapping, validate
 *    in SQL, quarantine bad rows with reasons, upsert good rows by natural key, write the audit row.
 * 3. Publish atomically. A failure or a kill anywhere in step 2 leaves the published warehouse as it was.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import {
  CONTRACT,
  LOAD_ORDER,
  PLAUSIBLE_DATES,
  type DateWindow,
  type EntityName,
  type EntitySpec,
  type FieldSpec,
} from './contract.ts';
import {
  exclusionsForFile,
  loadProfile,
  mappingsForFile,
  resolveFormat,
  type Exclude,
  type FormatOptions,
  type Mapping,
  type Profile,
} from './profile.ts';
import {
  detectFormat,
  prepareSource,
  ScratchDb,
  surveyFile,
  type FileSurvey,
  type PreparedSource,
  type RejectedRow,
} from './read.ts';
import type { ResolvedFormat } from './profile.ts';
import { ensureIngestSchema } from './schema.ts';
import { ensurePgIngestSchema, knownKeysTable, PgIngest, pgLoadedFiles } from './pg-load.ts';
import { shownSql } from './shown.ts';
import { checkHeader, excludedSql, filledSourceSql, validationSql, whereSql } from './validate.ts';
import { ident, Params, restrictFileAccess, withInstance } from '../warehouse/duckdb.ts';
import { withPgJob } from '../warehouse/pg-publish.ts';
import { connQuery, queryRows, tableExists, toCount } from '../warehouse/convert.ts';
import { sortableRunId, warehouseExists, withNextGeneration, withPublished } from '../warehouse/store.ts';

export interface IngestSource {
  /** A file, or a directory whose supported files are all loaded. */
  readonly path: string;
  /** Built-in profile name or path to a profile file. */
  readonly profile: string;
  /** Load the file as this entity, whatever its name. */
  readonly entity?: EntityName;
  /** Override the profile's format (e.g. `{ encoding: 'shift_jis' }` for one file). */
  readonly format?: FormatOptions;
}

export type IngestEvent =
  | { kind: 'plan'; units: number; skipped: number }
  | { kind: 'unit-start'; index: number; file: string; entity: string }
  | { kind: 'unit-progress'; index: number; fraction: number }
  | { kind: 'unit-done'; index: number; audit: LoadAudit }
  | { kind: 'publishing' };

export interface IngestOptions {
  readonly warehouseDir: string;
  /**
   * The warehouse is this PostgreSQL database (postgres://…) instead of the DuckDB files in
   * `warehouseDir`: validation runs in a DuckDB of the job's own, the rows land in PostgreSQL
   * (ingest/pg-load.ts) in one transaction.
   */
  readonly pgUrl?: string;
  /** Load even when the same content was loaded before with the same profile and options. */
  readonly force?: boolean;
  /** Business dates outside this window are quarantined (default PLAUSIBLE_DATES, 1990-01-01 to 2100-12-31). */
  readonly plausibleDates?: DateWindow;
  readonly onEvent?: (event: IngestEvent) => void;
  /** Test hook: called after each unit is written, before publishing. */
  readonly afterUnit?: (index: number) => Promise<void>;
}

export interface LoadAudit {
  readonly loadId: string;
  readonly file: string;
  readonly entity: string;
  readonly rowsRead: number;
  readonly rowsLoaded: number;
  readonly rowsQuarantined: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly validateMs: number;
  readonly mergeMs: number;
}

export interface IngestReport {
  readonly runId: string;
  /** False when every file was already loaded: nothing was written. */
  readonly published: boolean;
  readonly loads: readonly LoadAudit[];
  readonly skipped: readonly { file: string; entity: string; reason: string }[];
  /** The first quarantined rows of this run, for the console. */
  readonly quarantineSample: readonly QuarantineLine[];
  /** What the load did that a user should know although nothing was rejected (meta.load_notes). */
  readonly notes: readonly LoadNote[];
}

/** A value the profile did not know and loaded as its declared fallback (`otherwise`). */
export interface LoadNote {
  readonly file: string;
  readonly entity: string;
  /** The source column. */
  readonly column: string;
  readonly value: string;
  readonly rows: number;
  readonly firstRow: number;
  readonly note: string;
}

export interface QuarantineLine {
  readonly file: string;
  readonly row: number;
  readonly column: string;
  readonly value: string | null;
  readonly reason: string;
}

interface Unit {
  /**
   * `mapping`: load one mapping of the file. `unmapped`: quarantine the rows no mapping of the file
   * takes. `excluded`: quarantine the rows the profile's exclusion rules set aside, with their
   * reasons. `unreadable`: quarantine the rows of a source that could not be read at all, when several
   * mappings share that source (with one mapping, its unit does it).
   */
  readonly kind: 'mapping' | 'unmapped' | 'excluded' | 'unreadable';
  readonly file: FileInfo;
  readonly profile: Profile;
  /** null for the `unmapped`, `excluded` and `unreadable` units. */
  readonly mapping: Mapping | null;
  /** The profile's exclusion rules for this file. */
  readonly exclusions: readonly Exclude[];
  readonly source: PreparedSource;
  readonly header: Map<string, string>;
  readonly format: ResolvedFormat;
  /** The options this load runs with (meta.loads.load_options). */
  readonly options: string;
  /** This unit quarantines the rows its source could not read (exactly one unit per source does). */
  readonly recordsRejects: boolean;
}

interface FileInfo {
  readonly path: string;
  readonly name: string;
  readonly survey: Promise<FileSurvey>;
  readonly bytes: number;
}

/** Why a file+mapping is not loaded again, and how to load it anyway. */
export const ALREADY_LOADED =
  'already loaded with the same content, profile and options; to load it again anyway, run arlens ingest with --force';

/**
 * The options a load runs with, as stored in meta.loads.load_options. A file counts as already
 * loaded only with the same content, profile, entity and these: a re-run with a corrected
 * --decimal, --encoding, --delimiter or --date-format (or another plausible-date window) loads.
 */
export function loadOptions(format: ResolvedFormat, dates: DateWindow): string {
  return JSON.stringify({
    delimiter: format.delimiter,
    encoding: format.encoding,
    decimal_separator: format.decimalSeparator,
    thousands_separator: format.thousandsSeparator,
    date_format: format.dateFormats,
    sheet: format.sheet ?? null,
    skip_rows: format.skipRows,
    // Only when set, so loads recorded before fill_down existed still match.
    ...(format.fillDown.length > 0 ? { fill_down: format.fillDown } : {}),
    plausible_dates: { from: dates.from, to: dates.to },
  });
}

/** Loads recorded before load_options existed match on content, profile and entity alone. */
const ANY_OPTIONS = '*';

const SUPPORTED = new Set(['.csv', '.txt', '.tsv', '.xlsx', '.json', '.ndjson', '.jsonl', '.parquet']);

/** The export files at `given`: the file itself, or a directory's supported files in name order. */
export async function exportFiles(given: string): Promise<string[]> {
  const path = resolve(given);
  let stat;
  try {
    stat = await fs.stat(path);
  } catch {
    throw new Error(`${given}: no such file or directory.`);
  }
  if (!stat.isDirectory()) return [path];
  const names = (await fs.readdir(path)).filter((n) => SUPPORTED.has(extname(n).toLowerCase())).sort();
  if (names.length === 0)
    throw new Error(`${given}: the directory has no .csv, .xlsx, .json or .parquet files.`);
  return names.map((n) => join(path, n));
}

interface Loaded {
  /** sha256|profile|entity|options of every file+mapping loaded. */
  readonly keys: Set<string>;
  /** Sizes of the files loaded: a file of another size cannot have the same content. */
  readonly sizes: Set<number>;
}

async function loadedFiles(dir: string, pgUrl?: string): Promise<Loaded> {
  const none = { keys: new Set<string>(), sizes: new Set<number>() };
  if (pgUrl !== undefined) {
    const { rows } = await pgLoadedFiles(pgUrl);
    return {
      keys: new Set(rows.map((r) => `${r.sha}|${r.profile}|${r.entity}|${r.options ?? ANY_OPTIONS}`)),
      sizes: new Set(rows.map((r) => r.bytes)),
    };
  }
  if (!(await warehouseExists(dir))) return none;
  return withPublished(dir, async (conn) => {
    if (!(await tableExists(connQuery(conn), 'meta', 'loads'))) return none;
    const hasOptions = await queryRows(
      conn,
      `SELECT 1 FROM information_schema.columns
       WHERE table_schema = 'meta' AND table_name = 'loads' AND column_name = 'load_options'`,
    );
    const rows = await queryRows(
      conn,
      `SELECT DISTINCT file_sha256, profile, entity, file_bytes, ${hasOptions.length > 0 ? 'load_options' : 'NULL AS load_options'}
       FROM meta.loads`,
    );
    return {
      keys: new Set(
        rows.map(
          (r) =>
            `${String(r['file_sha256'])}|${String(r['profile'])}|${String(r['entity'])}|${r['load_options'] === null ? ANY_OPTIONS : String(r['load_options'])}`,
        ),
      ),
      sizes: new Set(rows.map((r) => Number(r['file_bytes']))),
    };
  });
}

async function plan(
  sources: readonly IngestSource[],
  options: IngestOptions,
  scratch: ScratchDb,
  tmpDir: string,
): Promise<{ units: Unit[]; skipped: IngestReport['skipped'] }> {
  const done: Loaded = options.force
    ? { keys: new Set(), sizes: new Set() }
    : await loadedFiles(options.warehouseDir, options.pgUrl);
  const dates = options.plausibleDates ?? PLAUSIBLE_DATES;
  const profiles = new Map<string, Profile>();
  const units: Unit[] = [];
  const skipped: { file: string; entity: string; reason: string }[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  // Survey every file concurrently up front (hash, UTF-8, blank lines; the reads overlap; it is most
  // of an unchanged re-run). Only files whose size matches a loaded file must wait for their hash
  // before loading; the others are new content for sure, and their survey finishes while earlier
  // files load (a CSV waits for its own just before DuckDB first reads it).
  const surveys = new Map<string, Promise<FileSurvey>>();
  const expanded = await Promise.all(
    sources.map(async (s) => ({ source: s, paths: await exportFiles(s.path) })),
  );
  for (const { paths } of expanded)
    for (const path of paths)
      if (!surveys.has(path)) {
        const survey = surveyFile(path);
        survey.catch(() => undefined); // awaited below; an early plan error must not leave it unhandled
        surveys.set(path, survey);
      }
  for (const { source, paths } of expanded) {
    let profile = profiles.get(source.profile);
    if (!profile) {
      profile = await loadProfile(source.profile);
      profiles.set(source.profile, profile);
    }
    for (const path of paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      const name = basename(path);
      detectFormat(path);
      const mappings = mappingsForFile(profile, path, source.entity);
      if (mappings.length === 0) {
        const globs = profile.mappings.map((m) => (Array.isArray(m.files) ? m.files.join('|') : m.files));
        problems.push(
          `${name}: no mapping of profile "${profile.name}" takes this file name (expected names like ${globs.join(', ')}). ` +
            `Rename the file or name its entity with --entity.`,
        );
        continue;
      }
      const stat = await fs.stat(path);
      const survey = surveys.get(path) ?? surveyFile(path);
      const known = done.sizes.has(stat.size) ? (await survey).sha256 : undefined;
      const file: FileInfo = { path, name, survey, bytes: stat.size };
      const todo = mappings.filter((m) => {
        const opts = loadOptions(resolveFormat(profile, m, source.format), dates);
        const key = `${known}|${profile.name}|${m.entity}|`;
        const already =
          known !== undefined && (done.keys.has(key + opts) || done.keys.has(key + ANY_OPTIONS));
        if (already) skipped.push({ file: name, entity: m.entity, reason: ALREADY_LOADED });
        return !already;
      });
      if (todo.length === 0) continue;
      const prepared = new Map<string, PreparedSource>();
      const fileUnits: Unit[] = [];
      const exclusions = exclusionsForFile(profile, path);
      for (const mapping of todo) {
        const format = resolveFormat(profile, mapping, source.format);
        const key = JSON.stringify(format);
        let relation = prepared.get(key);
        if (!relation) {
          try {
            relation = await prepareSource(scratch, path, format, tmpDir, survey);
          } catch (e) {
            problems.push((e as Error).message);
            continue;
          }
          prepared.set(key, relation);
        }
        try {
          const extra = [
            ...exclusions.flatMap((x) => x.when.map((w) => ({ column: w.column, why: 'an exclusion rule' }))),
            ...format.fillDown.map((c) => ({ column: c, why: 'fill_down' })),
          ];
          const header = checkHeader(name, profile.name, mapping, relation.columns, extra);
          const opts = loadOptions(format, dates);
          fileUnits.push({
            kind: 'mapping',
            file,
            profile,
            mapping,
            exclusions,
            source: relation,
            header,
            format,
            options: opts,
            recordsRejects: false,
          });
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      // Rows a source cannot read are quarantined once: by its only mapping, or by a unit of their own.
      for (const relation of prepared.values()) {
        const users = fileUnits.filter((u) => u.source === relation);
        const only = users.length === 1 ? users[0] : undefined;
        if (only) fileUnits[fileUnits.indexOf(only)] = { ...only, recordsRejects: true };
        else if (users[0])
          fileUnits.push({ ...users[0], kind: 'unreadable', mapping: null, recordsRejects: true });
      }
      units.push(...fileUnits);
      const filtered = todo.filter((m) => m.where);
      const first = fileUnits[0];
      // Excluded and unmapped rows are quarantined once per file, so only when every mapping of it loads.
      if (first && todo.length === mappings.length) {
        if (exclusions.length > 0)
          units.push({ ...first, kind: 'excluded', mapping: null, recordsRejects: false });
        if (filtered.length === todo.length && filtered.length > 0)
          units.push({ ...first, kind: 'unmapped', mapping: null, recordsRejects: false });
      }
    }
  }
  if (problems.length > 0) {
    for (const u of units) await u.source.cleanup();
    throw new Error(`Nothing was loaded:\n- ${problems.join('\n- ')}`);
  }
  // Mappings in load order; then, per file, the rows no mapping takes and the rows nobody could read.
  const rest = { excluded: 0, unmapped: 1, unreadable: 2, mapping: 0 } as const;
  const order = (u: Unit) =>
    u.mapping ? LOAD_ORDER.indexOf(u.mapping.entity) : LOAD_ORDER.length + rest[u.kind];
  units.sort((a, b) => order(a) - order(b) || a.file.path.localeCompare(b.file.path));
  return { units, skipped };
}

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = await queryRows(conn, sql);
  return toCount(rows[0] ? Object.values(rows[0])[0] : 0);
}

/** Run `sql`, reporting DuckDB's own progress estimate while it works. */
async function runWithProgress(
  conn: DuckDBConnection,
  sql: string,
  params: readonly (string | number)[],
  report: (fraction: number) => void,
): Promise<void> {
  const timer = setInterval(() => {
    const pct = conn.progress.percentage;
    if (pct >= 0) report(Math.min(pct / 100, 1));
  }, 200);
  try {
    await conn.run(sql, params as DuckDBValue[]);
  } finally {
    clearInterval(timer);
  }
}

/** Quarantine rows the unit's source could not read at all (the careful reader's rejects). */
async function quarantineRejects(
  conn: DuckDBConnection,
  unit: Unit,
  entity: string,
  loadId: string,
  rejects: readonly RejectedRow[],
): Promise<void> {
  for (let at = 0; at < rejects.length; at += 500) {
    const p = new Params();
    const rows = rejects.slice(at, at + 500).map((r) => {
      const values = [loadId, unit.file.name, entity, r.row, r.column, r.code, r.reason, r.value, r.values];
      return `(${values.map((x) => p.add(x)).join(', ')})`;
    });
    await conn.run(`INSERT INTO meta.quarantine VALUES ${rows.join(', ')}`, p.values as DuckDBValue[]);
  }
}

async function loadUnit(
  conn: DuckDBConnection,
  unit: Unit,
  loadId: string,
  dates: DateWindow,
  report: (fraction: number) => void,
  pg: PgIngest | null,
): Promise<Omit<LoadAudit, 'loadId' | 'file' | 'entity'>> {
  const t0 = performance.now();
  const { mapping } = unit;
  if (unit.kind === 'unmapped') return quarantineUnmapped(conn, unit, loadId, t0);
  if (unit.kind === 'excluded') return quarantineExcluded(conn, unit, loadId, t0);
  if (mapping === null) {
    const n = unit.source.rejects.length;
    await quarantineRejects(conn, unit, 'unreadable', loadId, unit.source.rejects);
    const none = { rowsLoaded: 0, inserted: 0, updated: 0, unchanged: 0, mergeMs: 0 };
    return { ...none, rowsRead: n, rowsQuarantined: n, validateMs: performance.now() - t0 };
  }
  const spec = CONTRACT[mapping.entity];
  const keys = spec.key.map(ident);
  const keyMatch = (a: string, b: string) =>
    spec.key.map((k) => `${a}.${ident(k)} = ${b}.${ident(k)}`).join(' AND ');

  // 1. Read and validate in one pass: typed fields plus each row's list of errors. If DuckDB cannot
  //    read the file as it is, the careful reader sets the unreadable rows aside and this runs again.
  const exclusions = unit.exclusions.map((x) => x.when);
  // PostgreSQL: the quarantine detail checks references against the keys PostgreSQL found (below).
  const refs = pg ? knownKeysTable : undefined;
  let v = validationSql(spec, mapping, unit.format, unit.header, unit.source, dates, exclusions, refs);
  await unit.source.read(conn, async () => {
    v = validationSql(spec, mapping, unit.format, unit.header, unit.source, dates, exclusions, refs);
    await runWithProgress(conn, `CREATE OR REPLACE TEMP TABLE _v AS ${v.sql}`, v.params, report);
    await noteFallbacks(conn, unit, mapping, loadId);
  });
  const rejects = unit.recordsRejects ? unit.source.rejects : [];
  await quarantineRejects(conn, unit, mapping.entity, loadId, rejects);
  const rowsRead = (await count(conn, 'SELECT count(*) FROM _v')) + rejects.length;
  for (const r of v.references) {
    if (pg) {
      await pg.markMissingReferences(conn, r);
      continue;
    }
    await conn.run(
      `UPDATE _v SET _bad = TRUE WHERE ${ident(r.column)} IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ${r.table} t WHERE t.${ident(r.key)} = _v.${ident(r.column)})`,
    );
  }

  // 2. Quarantine: every problem of a bad row with column, code, reason, value and the row's text.
  //    The detail query reads the file again, so a clean file costs nothing here.
  const p = new Params();
  for (const x of v.params) p.add(x);
  const meta = [p.add(loadId), p.add(unit.file.name), p.add(mapping.entity)].join(', ');
  if ((await count(conn, 'SELECT count(*) FROM _v WHERE _bad')) > 0) {
    await conn.run(
      `INSERT INTO meta.quarantine
       SELECT ${meta}, _row, e.column, e.code, e.reason, e.value, _values
       FROM (SELECT _row, _values, unnest(_errors) AS e
             FROM (${v.detail}) d WHERE _row IN (SELECT _row FROM _v WHERE _bad))`,
      p.values as DuckDBValue[],
    );
    const unexplained = await queryRows(
      conn,
      `SELECT min(_row) AS r FROM _v WHERE _bad AND _row NOT IN (SELECT row_number FROM meta.quarantine WHERE load_id = $1)`,
      [loadId],
    );
    if (unexplained[0]?.['r'] != null) {
      throw new Error(
        `internal: row ${String(unexplained[0]['r'])} of ${unit.file.name} failed validation without a reason`,
      );
    }
  }

  // 3. Duplicate keys among the good rows: every occurrence after the first is quarantined.
  if (!mapping.distinct) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE _dup AS
      SELECT ${keys.join(', ')}, min(_row) AS _first FROM _v WHERE NOT _bad
      GROUP BY ${keys.join(', ')} HAVING count(*) > 1`);
    if ((await count(conn, 'SELECT count(*) FROM _dup')) > 0) {
      const q = new Params();
      const shown = (f: FieldSpec) =>
        f.type === 'text' ? shownSql(`_v.${ident(f.name)}`) : `_v.${ident(f.name)}`;
      const values = `to_json({${spec.fields.map((f) => `${ident(f.name)}: ${shown(f)}`).join(', ')}})::VARCHAR`;
      await conn.run(
        `INSERT INTO meta.quarantine
         SELECT ${q.add(loadId)}, ${q.add(unit.file.name)}, ${q.add(mapping.entity)}, _v._row, ${q.add(spec.key[0] ?? '')},
                'duplicate_key',
                ${q.add(`duplicate key (${spec.key.join(' + ')}): the same key is on row `)} || d._first || ${q.add(' of this file; only that first row was loaded')},
                concat_ws(' + ', ${spec.key.map((k) => `_v.${ident(k)}::VARCHAR`).join(', ')}), ${values}
         FROM _v JOIN _dup d ON ${keyMatch('_v', 'd')} WHERE NOT _v._bad AND _v._row <> d._first`,
        q.values as DuckDBValue[],
      );
      await conn.run(
        `UPDATE _v SET _bad = TRUE FROM _dup d WHERE ${keyMatch('_v', 'd')} AND _v._row <> d._first`,
      );
    }
    await conn.run('DROP TABLE _dup');
  }
  // 3b. Ledger rules across rows (payment applications only).
  if (mapping.entity === 'payment_applications') await quarantineLedgerBreaks(conn, spec, unit, loadId, pg);
  const rowsQuarantined = (await count(conn, 'SELECT count(*) FROM _v WHERE _bad')) + rejects.length;
  const validateMs = performance.now() - t0;

  // 4. Upsert good rows by natural key: new keys inserted, changed rows replaced, equal rows kept.
  const t1 = performance.now();
  const table = `raw.${ident(mapping.entity)}`;
  const fields = spec.fields.map((f) => ident(f.name));
  const dedupe = mapping.distinct
    ? `QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY _row) = 1`
    : '';
  const good = `(SELECT ${fields.join(', ')}, _row FROM _v WHERE NOT _bad ${dedupe})`;
  const lp = new Params();
  const insert = (from: string) =>
    `INSERT INTO ${table} (${fields.join(', ')}, _load_id, _source_row)
     SELECT ${fields.map((f) => `o.${f}`).join(', ')}, ${lp.add(loadId)}, o._row FROM ${from}`;
  let inserted: number;
  let updated = 0;
  if (pg) {
    ({ inserted, updated } = await pg.upsert(conn, mapping.entity, good, loadId));
  } else if ((await count(conn, `SELECT count(*) FROM ${table}`)) === 0) {
    // Row order in the raw table does not matter (_source_row keeps the file's), so let DuckDB write
    // in parallel; order is preserved again before the next file is read (its row numbers need it).
    await conn.run('SET preserve_insertion_order = false');
    try {
      inserted = (await conn.run(insert(`${good} o`), lp.values as DuckDBValue[])).rowsChanged;
    } finally {
      await conn.run('SET preserve_insertion_order = true');
    }
  } else {
    const differs = spec.fields
      .filter((f) => !spec.key.includes(f.name))
      .map((f) => `o.${ident(f.name)} IS DISTINCT FROM t.${ident(f.name)}`)
      .join(' OR ');
    updated = (
      await conn.run(
        `DELETE FROM ${table} t USING ${good} o WHERE ${keyMatch('t', 'o')} AND (${differs || 'FALSE'})`,
      )
    ).rowsChanged;
    const written = (
      await conn.run(
        insert(`${good} o WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${keyMatch('t', 'o')})`),
        lp.values as DuckDBValue[],
      )
    ).rowsChanged;
    inserted = written - updated;
  }
  const records = mapping.distinct
    ? await count(conn, `SELECT count(*) FROM (SELECT DISTINCT ${keys.join(', ')} FROM _v WHERE NOT _bad)`)
    : rowsRead - rowsQuarantined;
  await conn.run('DROP TABLE _v');
  return {
    rowsRead,
    rowsLoaded: rowsRead - rowsQuarantined,
    rowsQuarantined,
    inserted,
    updated,
    unchanged: records - inserted - updated,
    validateMs,
    mergeMs: performance.now() - t1,
  };
}

/** Rows of a file that none of its profile's (filtered) mappings take are quarantined, not dropped. */
async function quarantineUnmapped(
  conn: DuckDBConnection,
  unit: Unit,
  loadId: string,
  t0: number,
): Promise<Omit<LoadAudit, 'loadId' | 'file' | 'entity'>> {
  await unit.source.read(conn, async () => {
    const p = new Params();
    for (const v of unit.source.params) p.add(v);
    const mappings = unit.profile.mappings.filter((m) =>
      mappingsForFile(unit.profile, unit.file.path).includes(m),
    );
    const taken = mappings.map((m) => `(${whereSql(m.where, unit.header, p)})`).join(' OR ');
    const excluded = excludedSql(
      unit.exclusions.map((x) => x.when),
      unit.header,
      p,
    );
    const filterCols = [
      ...new Set(
        mappings.flatMap((m) => (m.where ?? []).filter((w) => !('not_empty' in w)).map((w) => w.column)),
      ),
    ];
    const shown = filterCols.map(
      (c) => `${p.add(`${c} = `)} || coalesce(${ident(unit.header.get(c) ?? c)}, '')`,
    );
    const values = `to_json({${unit.source.columns.map((c) => `${ident(c)}: ${shownSql(`s.${ident(c)}`)}`).join(', ')}})::VARCHAR`;
    await conn.run(
      `INSERT INTO meta.quarantine
       SELECT ${p.add(loadId)}, ${p.add(unit.file.name)}, 'unmapped', _row, ${p.add(filterCols[0] ?? '')}, 'unmapped_row',
              ${p.add(`no mapping of profile "${unit.profile.name}" takes this row; it was not loaded`)},
              ${shown.length > 0 ? shownSql(`concat_ws(', ', ${shown.join(', ')})`) : 'NULL'}, ${values}
       FROM ${filledSourceSql(unit.source.sql, unit.format.fillDown, unit.header)} s
       WHERE NOT (${taken}) AND NOT (${excluded})`,
      p.values as DuckDBValue[],
    );
  });
  const n = toCount(
    (await queryRows(conn, 'SELECT count(*) AS n FROM meta.quarantine WHERE load_id = $1', [loadId]))[0]?.[
      'n'
    ],
  );
  return {
    rowsRead: n,
    rowsLoaded: 0,
    rowsQuarantined: n,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    validateMs: performance.now() - t0,
    mergeMs: 0,
  };
}

/**
 * Rows the profile's exclusion rules set aside (a cancelled or draft document, another party's
 * payment): quarantined as `excluded_by_profile` with the first rule's reason; no mapping took them.
 */
async function quarantineExcluded(
  conn: DuckDBConnection,
  unit: Unit,
  loadId: string,
  t0: number,
): Promise<Omit<LoadAudit, 'loadId' | 'file' | 'entity'>> {
  await unit.source.read(conn, async () => {
    const p = new Params();
    for (const v of unit.source.params) p.add(v);
    const col = (c: string) => ident(unit.header.get(c) ?? c);
    const whens = unit.exclusions
      .map((x) => {
        const first = x.when[0]?.column ?? '';
        const shown = x.when
          .map((w) => `${p.add(`${w.column} = `)} || coalesce(${col(w.column)}, '')`)
          .join(` || ', ' || `);
        return `WHEN ${whereSql(x.when, unit.header, p)} THEN {'column': ${p.add(first)}, 'reason': ${p.add(x.reason)}, 'value': ${shown}}`;
      })
      .join(' ');
    const values = `to_json({${unit.source.columns.map((c) => `${ident(c)}: ${shownSql(`s.${ident(c)}`)}`).join(', ')}})::VARCHAR`;
    await conn.run(
      `INSERT INTO meta.quarantine
       SELECT ${p.add(loadId)}, ${p.add(unit.file.name)}, 'excluded', _row, x.column, 'excluded_by_profile',
              x.reason, ${shownSql('x.value')}, _values
       FROM (SELECT _row, ${values} AS _values, CASE ${whens} END AS x
             FROM ${filledSourceSql(unit.source.sql, unit.format.fillDown, unit.header)} s)
       WHERE x IS NOT NULL`,
      p.values as DuckDBValue[],
    );
  });
  const n = toCount(
    (await queryRows(conn, 'SELECT count(*) AS n FROM meta.quarantine WHERE load_id = $1', [loadId]))[0]?.[
      'n'
    ],
  );
  return {
    rowsRead: n,
    rowsLoaded: 0,
    rowsQuarantined: n,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    validateMs: performance.now() - t0,
    mergeMs: 0,
  };
}

/**
 * Source values a mapped column's `map` does not list that loaded as the column's `otherwise`: one
 * note per value (how many rows, the first row) in meta.load_notes, for the report and the audit.
 */
async function noteFallbacks(
  conn: DuckDBConnection,
  unit: Unit,
  mapping: Mapping,
  loadId: string,
): Promise<void> {
  for (const [field, cs] of Object.entries(mapping.columns)) {
    if (typeof cs !== 'object' || 'constant' in cs || cs.otherwise === undefined || !cs.map) continue;
    const p = new Params();
    for (const v of unit.source.params) p.add(v);
    const source = 'column' in cs ? cs.column : cs.template;
    const col =
      'column' in cs
        ? ident(unit.header.get(cs.column) ?? cs.column)
        : `(${[...cs.template.matchAll(/\{([^}]+)\}|([^{]+)/g)]
            .map((m) =>
              m[1] !== undefined
                ? `coalesce(${ident(unit.header.get(m[1]) ?? m[1])}, '')`
                : p.add(m[2] ?? ''),
            )
            .join(' || ')})`;
    const known = Object.keys(cs.map).map((k) => p.add(k));
    const note = `${p.add(`"`)} || trim(${col}) || ${p.add(
      `" in column ${source} is not in profile "${unit.profile.name}"'s map for ${field}; loaded as "${cs.otherwise}". ` +
        `To load it as something else, add it under columns.${field}.map in the profile.`,
    )}`;
    await conn.run(
      `INSERT INTO meta.load_notes
       SELECT ${p.add(loadId)}, ${p.add(unit.file.name)}, ${p.add(mapping.entity)}, ${p.add(source)},
              'enum_fallback', ${shownSql('trim(' + col + ')')}, count(*), min(_row), ${note}
       FROM ${filledSourceSql(unit.source.sql, unit.format.fillDown, unit.header)} s
       WHERE ${whereSql(mapping.where, unit.header, p)}
         AND NOT (${excludedSql(
           unit.exclusions.map((x) => x.when),
           unit.header,
           p,
         )})
         AND nullif(trim(${col}), '') IS NOT NULL AND trim(${col}) NOT IN (${known.join(', ')})
       GROUP BY trim(${col})`,
      p.values as DuckDBValue[],
    );
  }
}

/**
 * Rules a payment application must keep with the rest of the ledger, checked against what is already
 * loaded (a row of this file replaces the loaded row with its key): it is dated on or after its
 * invoice; the applications of a receipt add up to no more than the payment (where both are in the
 * same currency); those of an invoice to no more than the invoice. A row that breaks one is
 * quarantined with the totals and what to do; the rest of the file loads.
 */
async function quarantineLedgerBreaks(
  conn: DuckDBConnection,
  spec: EntitySpec,
  unit: Unit,
  loadId: string,
  pg: PgIngest | null,
): Promise<void> {
  if (pg) await pg.ledgerBreaks(conn, ledgerRulesSql);
  else {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE _ledger AS ${ledgerRulesSql(
        'SELECT _row, receipt_id, invoice_id, applied_date, applied_amount FROM _v WHERE NOT _bad',
      )}`,
    );
  }
  if ((await count(conn, 'SELECT count(*) FROM _ledger')) > 0) {
    const q = new Params();
    const values = `to_json({${spec.fields.map((f) => `${ident(f.name)}: _v.${ident(f.name)}`).join(', ')}})::VARCHAR`;
    await conn.run(
      `INSERT INTO meta.quarantine
       SELECT ${q.add(loadId)}, ${q.add(unit.file.name)}, 'payment_applications', l._row, l.column_name, l.code,
              l.reason, l.value, ${values}
       FROM _ledger AS l JOIN _v USING (_row)`,
      q.values as DuckDBValue[],
    );
    await conn.run('UPDATE _v SET _bad = TRUE WHERE _row IN (SELECT _row FROM _ledger)');
  }
  await conn.run('DROP TABLE _ledger');
}

/**
 * The ledger rules as one query over `fresh` (the file's good payment applications: _row, receipt_id,
 * invoice_id, applied_date, applied_amount) and the raw tables; portable SQL, run by DuckDB or, for a
 * PostgreSQL warehouse, by PostgreSQL (the same text: ISO dates, decimals at their scale).
 */
export function ledgerRulesSql(fresh: string): string {
  return `WITH fresh AS (${fresh}),
    every_application AS (
      SELECT receipt_id, invoice_id, applied_amount FROM raw.payment_applications AS a
      WHERE NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.receipt_id = a.receipt_id AND f.invoice_id = a.invoice_id)
      UNION ALL
      SELECT receipt_id, invoice_id, applied_amount FROM fresh
    ),
    by_receipt AS (
      SELECT a.receipt_id, sum(a.applied_amount) AS total
      FROM every_application AS a
      JOIN raw.invoices AS i USING (invoice_id)
      JOIN raw.payments AS p USING (receipt_id)
      WHERE i.currency = p.currency
      GROUP BY a.receipt_id
    ),
    by_invoice AS (SELECT invoice_id, sum(applied_amount) AS total FROM every_application GROUP BY invoice_id)
    SELECT f._row, 'applied_date' AS column_name, 'rule:applied_before_invoice' AS code,
           'applied on ' || f.applied_date || ', before invoice ' || f.invoice_id || ' was issued (' || i.issue_date ||
             '): check the clearing date in the export' AS reason,
           f.applied_date::VARCHAR AS value
    FROM fresh AS f JOIN raw.invoices AS i USING (invoice_id)
    WHERE f.applied_date < i.issue_date
    UNION ALL
    SELECT f._row, 'applied_amount', 'rule:exceeds_payment',
           'the applications of receipt ' || f.receipt_id || ' add up to ' || r.total || ', more than the payment (' ||
             p.amount || ' ' || p.currency || '). Check the export; if your ERP nets a credit note inside the payment ' ||
             '(or the export does not say how much went to each invoice), load the credit note as a credit memo and ' ||
             'the amount actually paid per invoice as the applications (docs/profiles.md)',
           f.applied_amount::VARCHAR
    FROM fresh AS f JOIN by_receipt AS r USING (receipt_id) JOIN raw.payments AS p USING (receipt_id)
    WHERE r.total > p.amount
    UNION ALL
    SELECT f._row, 'applied_amount', 'rule:exceeds_invoice',
           'the applications to invoice ' || f.invoice_id || ' add up to ' || b.total || ', more than the invoice (' ||
             i.amount || ' ' || i.currency || '). Check the export: the rest of a payment is unapplied cash, not an application',
           f.applied_amount::VARCHAR
    FROM fresh AS f JOIN by_invoice AS b USING (invoice_id) JOIN raw.invoices AS i USING (invoice_id)
    WHERE b.total > i.amount`;
}

export async function ingest(
  sources: readonly IngestSource[],
  options: IngestOptions,
): Promise<IngestReport> {
  const runId = sortableRunId();
  const tmpDir = await fs.mkdtemp(join(tmpdir(), 'arlens-ingest-'));
  const scratch = new ScratchDb();
  const dates = options.plausibleDates ?? PLAUSIBLE_DATES;
  let units: Unit[] = [];
  try {
    const planned = await plan(sources, options, scratch, tmpDir);
    units = planned.units;
    options.onEvent?.({ kind: 'plan', units: units.length, skipped: planned.skipped.length });
    if (units.length === 0) {
      return {
        runId,
        published: false,
        loads: [],
        skipped: planned.skipped,
        quarantineSample: [],
        notes: [],
      };
    }
    const access = { files: units.map((u) => u.file.path), dirs: [tmpDir] };
    const todo = units;
    const work = async (conn: DuckDBConnection, pg: PgIngest | null) => {
      await ensureIngestSchema(conn);
      const loads: LoadAudit[] = [];
      for (const [i, unit] of todo.entries()) {
        // Rows nobody could read: only when there are some (they are known once the file was read).
        if (unit.kind === 'unreadable' && unit.source.rejects.length === 0) continue;
        const entity = unit.mapping ? unit.mapping.entity : unit.kind;
        const loadId = `${runId}-${String(i + 1).padStart(3, '0')}`;
        options.onEvent?.({ kind: 'unit-start', index: i, file: unit.file.name, entity });
        const started = new Date();
        const stats = await loadUnit(
          conn,
          unit,
          loadId,
          dates,
          (fraction) => options.onEvent?.({ kind: 'unit-progress', index: i, fraction }),
          pg,
        );
        const audit: LoadAudit = { loadId, file: unit.file.name, entity, ...stats };
        const p = new Params();
        const values = [
          loadId,
          runId,
          started.toISOString(),
          new Date().toISOString(),
          unit.file.path,
          unit.file.name,
          (await unit.file.survey).sha256,
          unit.file.bytes,
          unit.source.format,
          unit.profile.name,
          entity,
          stats.rowsRead,
          stats.rowsLoaded,
          stats.rowsQuarantined,
          stats.inserted,
          stats.updated,
          stats.unchanged,
          Math.round(stats.validateMs),
          Math.round(stats.mergeMs),
          unit.options,
        ].map((x) => p.add(x));
        await conn.run(`INSERT INTO meta.loads VALUES (${values.join(', ')})`, p.values as DuckDBValue[]);
        loads.push(audit);
        options.onEvent?.({ kind: 'unit-done', index: i, audit });
        await options.afterUnit?.(i);
      }
      const sample = await queryRows(
        conn,
        `SELECT file_name, row_number, column_name, value, reason FROM meta.quarantine
         WHERE load_id LIKE $1 ORDER BY load_id, row_number, column_name LIMIT 20`,
        [`${runId}-%`],
      );
      const notes = await queryRows(
        conn,
        `SELECT file_name, entity, column_name, value, row_count, first_row, note FROM meta.load_notes
           WHERE load_id LIKE $1 ORDER BY load_id, column_name, first_row`,
        [`${runId}-%`],
      );
      if (pg) await pg.publishMeta(conn);
      options.onEvent?.({ kind: 'publishing' });
      return {
        notes: notes.map((r) => ({
          file: String(r['file_name']),
          entity: String(r['entity']),
          column: String(r['column_name']),
          value: String(r['value']),
          rows: toCount(r['row_count']),
          firstRow: toCount(r['first_row']),
          note: String(r['note']),
        })),
        loads,
        quarantineSample: sample.map((r) => ({
          file: String(r['file_name']),
          row: toCount(r['row_number']),
          column: String(r['column_name']),
          value: r['value'] === null ? null : String(r['value']),
          reason: String(r['reason']),
        })),
      };
    };
    const pgUrl = options.pgUrl;
    const result =
      pgUrl === undefined
        ? await withNextGeneration(options.warehouseDir, 'ingest', (conn) => work(conn, null), { access })
        : // PostgreSQL: one transaction on the job's connection (COMMIT publishes); validation in a
          // DuckDB file of the job's own, under the same file access rules.
          await withPgJob(pgUrl, 'ingest', runId, (session) =>
            session.transaction(async () => {
              await ensurePgIngestSchema(session);
              const out = await withInstance(join(tmpDir, 'job.duckdb'), {}, async (conn) => {
                await restrictFileAccess(conn, access);
                return work(conn, new PgIngest(session));
              });
              await session.run(`SELECT pg_notify('arlens_published', $1)`, [`ingest ${runId}`]);
              return out;
            }),
          );
    return { runId, published: true, skipped: planned.skipped, ...result };
  } finally {
    for (const u of units) await u.source.cleanup();
    scratch.close();
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
