/**
 * `arlens profiles check`: before anything is written, which profile fits a folder of exports, which
 * columns each mapping reads and which it misses, and what would happen to the rows: how many each
 * mapping takes, which the profile excludes and why, which no mapping takes, which values would load
 * as a declared fallback. Files are read in a scratch DuckDB in memory; the warehouse is not opened.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { exportFiles } from './load.ts';
import {
  exclusionsForFile,
  listBuiltinProfiles,
  loadProfile,
  mappingsForFile,
  resolveFormat,
  type FormatOptions,
  type Mapping,
  type Profile,
} from './profile.ts';
import { prepareSource, ScratchDb, surveyFile, type FileSurvey, type PreparedSource } from './read.ts';
import { excludedSql, filledSourceSql, fitHeader, whereSql, type HeaderFit } from './validate.ts';
import { ident, Params } from '../warehouse/duckdb.ts';
import { queryRows, toCount } from '../warehouse/convert.ts';

export interface MappingFit {
  readonly entity: string;
  readonly fit: HeaderFit;
}

export interface FileFit {
  readonly file: string;
  /** The mappings of the profile that take this file by its name (none: the profile does not read it). */
  readonly mappings: readonly MappingFit[];
  /** Why the file could not be read with this profile's format, if it could not. */
  readonly problem?: string;
}

export interface ProfileFit {
  readonly profile: string;
  readonly title: string;
  readonly files: readonly FileFit[];
  readonly filesTaken: number;
  readonly mappingsComplete: number;
  readonly mappingsTotal: number;
}

export interface RowPreview {
  readonly file: string;
  readonly rows: number;
  /** Rows the careful reader could not read (quarantined as such on a load). */
  readonly unreadable: number;
  readonly taken: readonly { entity: string; rows: number }[];
  readonly excluded: readonly { reason: string; column: string; rows: number; firstRow: number }[];
  /** Rows no mapping takes (only when every mapping of the file has a row filter). */
  readonly unmapped: { rows: number; firstRow: number } | null;
  readonly fallbacks: readonly {
    entity: string;
    column: string;
    value: string;
    to: string;
    rows: number;
    firstRow: number;
  }[];
  /** Why the rows could not be previewed (a mapping misses columns). */
  readonly skipped?: string;
}

export interface CheckResult {
  readonly files: readonly string[];
  /** Every candidate profile, best fit first. */
  readonly fits: readonly ProfileFit[];
  /** The profile the rows were previewed with: the one asked for, else the best fit (none fits: undefined). */
  readonly chosen: ProfileFit | undefined;
  readonly rows: readonly RowPreview[];
}

interface Opened {
  readonly source: PreparedSource;
}

/** Check `path` (a file or a folder) against `profile` (a name or file), or against every built-in profile. */
export async function checkExports(
  path: string,
  options: { profile?: string; format?: FormatOptions } = {},
): Promise<CheckResult> {
  const files = await exportFiles(path);
  const names = options.profile ? [options.profile] : await listBuiltinProfiles();
  const profiles = await Promise.all(names.map((n) => loadProfile(n)));
  const tmpDir = await fs.mkdtemp(join(tmpdir(), 'arlens-check-'));
  const scratch = new ScratchDb();
  const opened = new Map<string, Opened>();
  const surveys = new Map<string, Promise<FileSurvey>>();
  const open = async (file: string, profile: Profile, mapping: Mapping): Promise<PreparedSource> => {
    const format = resolveFormat(profile, mapping, options.format);
    const key = `${file}|${JSON.stringify(format)}`;
    const known = opened.get(key);
    if (known) return known.source;
    let survey = surveys.get(file);
    if (!survey) {
      survey = surveyFile(file);
      surveys.set(file, survey);
    }
    const source = await prepareSource(scratch, file, format, tmpDir, survey);
    opened.set(key, { source });
    return source;
  };
  try {
    const fits: ProfileFit[] = [];
    for (const profile of profiles) {
      const fileFits: FileFit[] = [];
      for (const file of files) {
        const mappings = mappingsForFile(profile, file);
        const extra = extraColumns(profile, file);
        const result: MappingFit[] = [];
        let problem: string | undefined;
        for (const mapping of mappings) {
          try {
            const source = await open(file, profile, mapping);
            result.push({ entity: mapping.entity, fit: fitHeader(mapping, source.columns, extra(mapping)) });
          } catch (e) {
            problem = (e as Error).message;
          }
        }
        fileFits.push({ file: basename(file), mappings: result, ...(problem ? { problem } : {}) });
      }
      const all = fileFits.flatMap((f) => f.mappings);
      fits.push({
        profile: profile.name,
        title: profile.title,
        files: fileFits,
        filesTaken: fileFits.filter((f) => f.mappings.length > 0).length,
        mappingsComplete: all.filter((m) => m.fit.missing.length === 0).length,
        mappingsTotal: all.length,
      });
    }
    const score = (f: ProfileFit) => [
      f.mappingsComplete,
      f.filesTaken,
      -(f.mappingsTotal - f.mappingsComplete),
    ];
    fits.sort((a, b) => {
      const [x, y] = [score(a), score(b)];
      for (let i = 0; i < x.length; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
      return a.profile.localeCompare(b.profile);
    });
    const best = fits[0];
    const chosen = options.profile ? best : best && best.mappingsComplete > 0 ? best : undefined;
    const rows: RowPreview[] = [];
    if (chosen) {
      const profile = profiles.find((p) => p.name === chosen.profile);
      if (profile) {
        for (const file of files) {
          if (mappingsForFile(profile, file).length === 0) continue;
          rows.push(
            await previewRows(
              scratch,
              profile,
              file,
              (m) => open(file, profile, m),
              extraColumns(profile, file),
            ),
          );
        }
      }
    }
    return { files: files.map((f) => basename(f)), fits, chosen, rows };
  } finally {
    for (const o of opened.values()) await o.source.cleanup();
    scratch.close();
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

/** Columns a file needs besides its mappings' own: exclusion rules and fill-down. */
function extraColumns(profile: Profile, file: string): (m: Mapping) => { column: string; why: string }[] {
  const exclusions = exclusionsForFile(profile, file);
  return (m) => [
    ...exclusions.flatMap((x) => x.when.map((w) => ({ column: w.column, why: 'an exclusion rule' }))),
    ...resolveFormat(profile, m).fillDown.map((c) => ({ column: c, why: 'fill_down' })),
  ];
}

async function previewRows(
  scratch: ScratchDb,
  profile: Profile,
  file: string,
  open: (m: Mapping) => Promise<PreparedSource>,
  extra: (m: Mapping) => { column: string; why: string }[],
): Promise<RowPreview> {
  const name = basename(file);
  const mappings = mappingsForFile(profile, file);
  const exclusions = exclusionsForFile(profile, file);
  const first = mappings[0];
  const none = { file: name, rows: 0, unreadable: 0, taken: [], excluded: [], unmapped: null, fallbacks: [] };
  if (!first) return none;
  const source = await open(first);
  const header = new Map<string, string>();
  for (const m of mappings) {
    const fit = fitHeader(m, source.columns, extra(m));
    if (fit.missing.length > 0) {
      return {
        ...none,
        skipped: `the ${m.entity} mapping misses ${fit.missing.map((x) => `"${x.column}"`).join(', ')}`,
      };
    }
    for (const [k, v] of fit.resolved) header.set(k, v);
  }
  const format = resolveFormat(profile, first);
  const conn = await scratch.conn();
  return source.read(conn, async () => {
    const fresh = () => {
      const p = new Params();
      for (const v of source.params) p.add(v);
      return p;
    };
    const rel = filledSourceSql(source.sql, format.fillDown, header);
    const when = exclusions.map((x) => x.when);
    const allFiltered = mappings.every((m) => m.where);
    const p = fresh();
    const excluded = excludedSql(when, header, p);
    const takes = mappings.map(
      (m) => `count(*) FILTER (WHERE ${whereSql(m.where, header, p)} AND NOT (${excluded}))`,
    );
    const taken = mappings.map((m) => `(${whereSql(m.where, header, p)})`).join(' OR ');
    const summary = await queryRows(
      conn,
      `SELECT count(*) AS n, ${takes.map((t, i) => `${t} AS t${i}`).join(', ')},
              count(*) FILTER (WHERE NOT (${taken}) AND NOT (${excluded})) AS unmapped,
              min(_row) FILTER (WHERE NOT (${taken}) AND NOT (${excluded})) AS unmapped_first
       FROM ${rel} s`,
      p.values,
    );
    const s = summary[0] ?? {};
    const r = fresh();
    const cases = exclusions.map((x, i) => `WHEN ${whereSql(x.when, header, r)} THEN ${i}`).join(' ');
    const byRule =
      exclusions.length === 0
        ? []
        : await queryRows(
            conn,
            `SELECT rule, count(*) AS n, min(_row) AS first FROM (SELECT _row, CASE ${cases} END AS rule FROM ${rel} s)
             WHERE rule IS NOT NULL GROUP BY rule ORDER BY rule`,
            r.values,
          );
    const fallbacks: RowPreview['fallbacks'][number][] = [];
    for (const m of mappings) {
      for (const [, cs] of Object.entries(m.columns)) {
        if (typeof cs !== 'object' || !('column' in cs) || cs.otherwise === undefined || !cs.map) continue;
        const q = fresh();
        const col = ident(header.get(cs.column) ?? cs.column);
        const known = Object.keys(cs.map).map((k) => q.add(k));
        const rows = await queryRows(
          conn,
          `SELECT trim(${col}) AS value, count(*) AS n, min(_row) AS first FROM ${rel} s
           WHERE ${whereSql(m.where, header, q)} AND NOT (${excludedSql(when, header, q)})
             AND nullif(trim(${col}), '') IS NOT NULL AND trim(${col}) NOT IN (${known.join(', ')})
           GROUP BY 1 ORDER BY 1`,
          q.values,
        );
        for (const r of rows) {
          fallbacks.push({
            entity: m.entity,
            column: cs.column,
            value: String(r['value']),
            to: cs.otherwise,
            rows: toCount(r['n']),
            firstRow: toCount(r['first']),
          });
        }
      }
    }
    return {
      file: name,
      rows: toCount(s['n']),
      unreadable: source.rejects.length,
      taken: mappings.map((m, i) => ({ entity: m.entity, rows: toCount(s[`t${i}`]) })),
      excluded: byRule.map((r) => {
        const x = exclusions[toCount(r['rule'])];
        return {
          reason: x?.reason ?? '',
          column: x?.when[0]?.column ?? '',
          rows: toCount(r['n']),
          firstRow: toCount(r['first']),
        };
      }),
      unmapped: allFiltered
        ? { rows: toCount(s['unmapped']), firstRow: toCount(s['unmapped_first'] ?? 0) }
        : null,
      fallbacks,
    };
  });
}
