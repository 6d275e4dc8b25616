/**
 * `arlens train --matrix <file.csv|parquet> --label <col> [--id <col>] [--time <col>]`: the risk
 * model's candidate family (family.ts) on any feature table, so it can be held against public
 * credit data sets and other tools.
 *
 * - The file is read by DuckDB (CSV with its type detection, or Parquet), in a private in-memory
 *   database allowed to read that one file only.
 * - The label is 0/1 (or true/false). Numeric and boolean columns are numeric inputs; text columns
 *   with at most 50 values are categories (one-hot); other columns (dates, free text, the id and
 *   the time) are left out, and the report says so.
 * - Split: with --time, by time — the latest 20 % of rows (whole time values) test, the 20 % before
 *   validate, the rest trains; without it, a seeded random 60/20/20 split by id (or by row). Rows of
 *   one id stay together and are one cluster for the bootstrap.
 * - The rule is the numeric column with the best training ROC AUC (either direction).
 * - The same selection as on the warehouse: the best candidate that beats the rule beyond noise on
 *   validation serves (a simpler one within noise, the rule when none does); its calibration is
 *   refitted on the test rows (with --time: the latest).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../warehouse/convert.ts';
import { ident, restrictFileAccess, withInstance } from '../warehouse/duckdb.ts';
import { writeVersion, type CandidateSummary, type MemberMetadata } from './artefacts.server.ts';
import { DEFAULT_CONFIG, validateConfig, type RiskConfig } from './config.ts';
import { fitFamily, type CandidateResult, type Period } from './family.ts';
import { bestRuleColumn } from './family.ts';
import {
  columnNames,
  fitPreprocessor,
  transform,
  type DerivedFeatures,
  type Preprocessor,
} from './features.ts';
import type { Evaluation } from './metrics.ts';
import type { Selection } from './select.ts';
import { useBackend, type BackendChoice } from './tf.ts';
import { candidateSummaries, familySettings, selectionReason, servedNetworks } from './train.server.ts';
import type { Calibrator } from './calibrate.ts';
import type { LogisticModel } from './logistic.ts';
import type { CandidateKind } from './model.ts';
import { SeededRandom } from '../core/random.ts';

export const MATRIX_FORMAT = 'arlens-matrix-model/1';
/** Text columns with more distinct values than this are left out (ids, free text). */
const MAX_CATEGORIES = 50;

export interface MatrixOptions {
  readonly file: string;
  readonly label: string;
  readonly id?: string;
  readonly time?: string;
  /** Default: beside the file, `<file name>.arlens-model`. */
  readonly modelDir?: string;
  readonly config?: RiskConfig;
  readonly backend?: BackendChoice;
  readonly log?: (msg: string) => void;
}

export interface MatrixColumns {
  readonly numeric: string[];
  readonly categorical: string[];
  /** Left out, with why. */
  readonly skipped: { readonly column: string; readonly why: string }[];
}

export interface PeriodSummary {
  readonly rows: number;
  readonly positives: number;
  readonly from: string | null;
  readonly to: string | null;
}

export interface MatrixMetadata {
  readonly format: typeof MATRIX_FORMAT;
  readonly version: string;
  readonly trainedAt: string;
  readonly backend: string;
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly label: string;
    readonly id: string | null;
    readonly time: string | null;
  };
  readonly config: RiskConfig;
  readonly split: {
    readonly by: 'time' | 'random';
    readonly train: PeriodSummary;
    readonly validation: PeriodSummary;
    readonly test: PeriodSummary;
  };
  readonly features: MatrixColumns & {
    readonly columns: readonly string[];
    readonly preprocessor: Preprocessor;
  };
  readonly served: {
    readonly name: string;
    readonly kind: CandidateKind;
    readonly calibration: Calibrator;
    readonly members: readonly MemberMetadata[];
    readonly logistic: LogisticModel | null;
    readonly rule: { readonly column: number; readonly sign: 1 | -1 } | null;
  };
  readonly selection: Selection;
  readonly reason: string;
  readonly candidates: Readonly<Record<string, CandidateSummary>>;
}

export interface MatrixReport {
  readonly version: string;
  readonly dir: string;
  readonly metadata: MatrixMetadata;
  readonly candidates: readonly CandidateResult[];
  readonly test: Record<string, Evaluation>;
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** Sort the table's columns into inputs (numeric, categorical) and left-out ones. Pure. */
export function classifyColumns(
  described: readonly { name: string; type: string; distinct: number }[],
  o: { label: string; id?: string; time?: string },
): MatrixColumns {
  const out: MatrixColumns = { numeric: [], categorical: [], skipped: [] };
  for (const c of described) {
    if (c.name === o.label || c.name === o.id || c.name === o.time) continue;
    if (NUMERIC_TYPES.test(c.type) || c.type === 'BOOLEAN') out.numeric.push(c.name);
    else if (c.type === 'VARCHAR' && c.distinct <= MAX_CATEGORIES) out.categorical.push(c.name);
    else if (c.type === 'VARCHAR')
      out.skipped.push({
        column: c.name,
        why: `text with ${c.distinct} values (more than ${MAX_CATEGORIES})`,
      });
    else out.skipped.push({ column: c.name, why: `type ${c.type}` });
  }
  return out;
}

/**
 * Which split each row goes to: by time (rows sorted by time; whole time values; the latest
 * `share` of rows test, the `share` before validate) or, without a time, by a seeded draw per
 * cluster. Returns 0 train, 1 validation, 2 test per row. Pure.
 */
export function assignSplit(
  rows: number,
  o: { times?: readonly string[]; clusters: readonly string[]; seed: number; share?: number },
): Uint8Array {
  const share = o.share ?? 0.2;
  const out = new Uint8Array(rows);
  if (o.times) {
    const times = o.times;
    const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) =>
      (times[a] as string) < (times[b] as string)
        ? -1
        : (times[a] as string) > (times[b] as string)
          ? 1
          : a - b,
    );
    // Cut points at whole time values: everything at or after the cut value goes later.
    const cutAt = (fraction: number) => {
      let k = Math.floor(rows * (1 - fraction));
      while (k > 0 && times[order[k] as number] === times[order[k - 1] as number]) k--;
      return k;
    };
    const testStart = cutAt(share);
    const validationStart = Math.min(testStart, cutAt(2 * share));
    order.forEach((i, k) => (out[i] = k >= testStart ? 2 : k >= validationStart ? 1 : 0));
    return out;
  }
  const rng = new SeededRandom(o.seed, 71);
  const draw = new Map<string, number>();
  for (let i = 0; i < rows; i++) {
    const c = o.clusters[i] as string;
    let u = draw.get(c);
    if (u === undefined) {
      u = rng.next();
      draw.set(c, u);
    }
    out[i] = u < 1 - 2 * share ? 0 : u < 1 - share ? 1 : 2;
  }
  return out;
}

function toLabel(v: unknown, row: number, column: string): 0 | 1 {
  if (v === true || v === 1 || v === '1' || v === 1n) return 1;
  if (v === false || v === 0 || v === '0' || v === 0n) return 0;
  throw new Error(
    `The label column ${column} must hold 0/1 or true/false; row ${row + 1} has ${JSON.stringify(v === null ? null : String(v))}.`,
  );
}

async function readTable(
  conn: DuckDBConnection,
  file: string,
  o: MatrixOptions,
): Promise<{ columns: MatrixColumns; rows: Record<string, unknown>[] }> {
  const ext = extname(file).toLowerCase();
  const reader =
    ext === '.parquet'
      ? 'read_parquet'
      : ext === '.csv' || ext === '.tsv' || ext === '.txt'
        ? 'read_csv'
        : null;
  if (!reader) throw new Error(`--matrix takes a .csv or .parquet file, not ${basename(file)}`);
  await conn.run(`CREATE TABLE m AS SELECT * FROM ${reader}($1)`, [file]);
  const described = await queryRows(conn, 'DESCRIBE m');
  const names = described.map((d) => String(d['column_name']));
  for (const [flag, col] of [
    ['--label', o.label],
    ['--id', o.id],
    ['--time', o.time],
  ] as const) {
    if (col !== undefined && !names.includes(col)) {
      throw new Error(`${flag} ${col}: no such column in ${basename(file)} (it has ${names.join(', ')})`);
    }
  }
  const withDistinct = [];
  for (const d of described) {
    const name = String(d['column_name']);
    const type = String(d['column_type']);
    const distinct =
      type === 'VARCHAR'
        ? Number((await queryRows(conn, `SELECT count(DISTINCT ${ident(name)}) AS n FROM m`))[0]?.['n'] ?? 0)
        : 0;
    withDistinct.push({ name, type, distinct });
  }
  const columns = classifyColumns(withDistinct, o);
  const select = [
    ...columns.numeric.map((c, j) => `CAST(${ident(c)} AS DOUBLE) AS n${j}`),
    ...columns.categorical.map((c, j) => `CAST(${ident(c)} AS VARCHAR) AS c${j}`),
    `${ident(o.label)} AS label`,
    o.id ? `CAST(${ident(o.id)} AS VARCHAR) AS id` : 'NULL AS id',
    o.time ? `CAST(${ident(o.time)} AS VARCHAR) AS t` : 'NULL AS t',
  ];
  const rows = await queryRows(conn, `SELECT ${select.join(', ')} FROM m`);
  return { columns, rows };
}

function summarise(
  idx: readonly number[],
  y: readonly number[],
  times: readonly string[] | undefined,
): PeriodSummary {
  let positives = 0;
  let from: string | null = null;
  let to: string | null = null;
  for (const i of idx) {
    positives += y[i] as number;
    const t = times?.[i];
    if (t !== undefined) {
      if (from === null || t < from) from = t;
      if (to === null || t > to) to = t;
    }
  }
  return { rows: idx.length, positives, from, to };
}

/** Train, evaluate and save the candidate family on a feature table. */
export async function trainOnMatrix(o: MatrixOptions): Promise<MatrixReport> {
  const config = o.config ?? DEFAULT_CONFIG;
  validateConfig(config);
  const log = o.log ?? (() => {});
  const file = resolve(o.file);
  const bytes = await fs.readFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { columns, rows } = await withInstance(':memory:', {}, async (conn) => {
    await restrictFileAccess(conn, { files: [file] });
    return readTable(conn, file, o);
  });
  log(
    `${basename(file)}: ${rows.length} rows; ${columns.numeric.length} numeric and ${columns.categorical.length} ` +
      `categorical inputs` +
      (columns.skipped.length > 0
        ? `; left out: ${columns.skipped.map((s) => `${s.column} (${s.why})`).join(', ')}`
        : ''),
  );
  const y = rows.map((r, i) => toLabel(r['label'], i, o.label));
  const clusters = rows.map((r, i) => (o.id ? String(r['id']) : `row-${i}`));
  const times = o.time ? rows.map((r) => String(r['t'])) : undefined;
  const split = assignSplit(rows.length, { ...(times ? { times } : {}), clusters, seed: config.seed });
  const derived: DerivedFeatures[] = rows.map((r) => ({
    numeric: columns.numeric.map((_, j) => {
      const v = r[`n${j}`];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    }),
    categorical: columns.categorical.map((_, j) => {
      const v = r[`c${j}`];
      return v === null || v === undefined ? null : String(v);
    }),
  }));
  const index = [0, 1, 2].map((s) => rows.flatMap((_, i) => (split[i] === s ? [i] : [])));
  const [trainIdx, validationIdx, testIdx] = index as [number[], number[], number[]];
  for (const [name, idx] of [
    ['training', trainIdx],
    ['validation', validationIdx],
    ['test', testIdx],
  ] as const) {
    const positives = idx.reduce((a, i) => a + (y[i] as number), 0);
    if (positives < 5 || idx.length - positives < 5) {
      throw new Error(
        `The ${name} rows (${idx.length}, ${positives} with label 1) need at least 5 of each label; the table is too small or too unbalanced.`,
      );
    }
  }
  const prep = fitPreprocessor(
    trainIdx.map((i) => derived[i] as DerivedFeatures),
    5,
    columns,
  );
  const period = (idx: readonly number[]): Period => ({
    x: transform(
      idx.map((i) => derived[i] as DerivedFeatures),
      prep,
    ),
    y: Float32Array.from(idx, (i) => y[i] as number),
    clusters: idx.map((i) => clusters[i] as string),
  });
  const train = period(trainIdx);
  const test = period(testIdx);
  const rule = bestRuleColumn(
    train.x,
    train.y,
    columns.numeric.map((_, j) => j),
  );
  const names = columnNames(prep);
  const backend = await useBackend(o.backend ?? 'auto');
  const family = await fitFamily(
    {
      columns: names,
      train,
      validation: period(validationIdx),
      test,
      recent: test,
      rule: { name: `rule_${names[rule.column] ?? rule.column}`, ...rule },
    },
    familySettings(config),
    log,
  );
  const reason = selectionReason(family);
  const version = `matrix-${createHash('sha256')
    .update(
      JSON.stringify({
        format: MATRIX_FORMAT,
        sha256,
        label: o.label,
        id: o.id,
        time: o.time,
        config,
        backend,
      }),
    )
    .digest('hex')
    .slice(0, 12)}`;
  const { members, artefacts } = await servedNetworks(family);
  for (const m of family.networkMembers) m.dispose();
  const served = family.served;
  const metadata: MatrixMetadata = {
    format: MATRIX_FORMAT,
    version,
    trainedAt: new Date().toISOString(),
    backend,
    source: { file: basename(file), sha256, label: o.label, id: o.id ?? null, time: o.time ?? null },
    config,
    split: {
      by: times ? 'time' : 'random',
      train: summarise(trainIdx, y, times),
      validation: summarise(validationIdx, y, times),
      test: summarise(testIdx, y, times),
    },
    features: { ...columns, columns: names, preprocessor: prep },
    served: {
      name: served.name,
      kind: served.model.kind,
      calibration: served.calibration,
      members,
      logistic:
        served.model.kind === 'logistic'
          ? { intercept: served.model.intercept, coefficients: served.model.coefficients }
          : null,
      rule: served.model.kind === 'rule' ? { column: served.model.column, sign: served.model.sign } : null,
    },
    selection: family.selection,
    reason,
    candidates: candidateSummaries(family.candidates),
  };
  const modelDir = o.modelDir ?? `${file}.arlens-model`;
  await fs.mkdir(modelDir, { recursive: true });
  const evaluation = {
    version,
    reason,
    selection: family.selection,
    test: Object.fromEntries(family.candidates.map((c) => [c.name, c.test])),
    validation: Object.fromEntries(family.candidates.map((c) => [c.name, c.validation])),
    search: family.search,
  };
  const dir = await writeVersion(modelDir, version, members, { metadata, members: artefacts, evaluation });
  return {
    version,
    dir,
    metadata,
    candidates: family.candidates,
    test: evaluation.test,
  };
}
